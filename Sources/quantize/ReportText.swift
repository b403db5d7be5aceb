import Boards
import Foundation
import Quantizer

/// The human-readable converter report.
enum ReportText {
    static func render(_ report: QuantizationReport, model: String, output: String, verdicts: [DeploymentBill]) -> String {
        var lines = ["\(model) -> \(output)", "calibration: \(report.calibration)", ""]
        let header = ["layer", "op", "output", "MACs", "params", "bytes", "in scale", "out scale", "SQNR dB"]
        var rows = [header]
        for layer in report.layers {
            rows.append([
                layer.name, layer.op, layer.outputShape.map(String.init).joined(separator: "x"), "\(layer.macs)",
                "\(layer.parameters)", "\(layer.weightBytes)", String(format: "%.5f", layer.inputScale),
                String(format: "%.5f", layer.outputScale), layer.sqnrDB.map { String(format: "%.1f", $0) } ?? "-",
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            lines.append(row.enumerated().map { column, cell in
                column < 3 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  "))
        }
        lines.append("")
        lines.append("flash (.q8): \(report.flashBytes) bytes   arena: \(report.arenaBytes) bytes "
            + "(with kernel scratch, largest \(report.scratchBytes); lower bound \(report.arenaLowerBound), TFLM greedy plan \(report.tflmPlanBytes))   MACs: \(report.macs)   params: \(report.parameters)")
        lines += verdicts.map(\.summary)
        return lines.joined(separator: "\n")
    }
}
