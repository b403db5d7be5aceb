import Boards
import Foundation
import Quantizer

/// The converter report as JSON: `flash_bytes`, `arena_bytes`, `macs`, `layers`, and with a board `fits` and what
/// the verdict counted (`flash_needed_bytes`, `sram_needed_bytes`, the library's measured `runtime_*` figures and
/// `footprint_source`: `c-library` or `firmware-sim`; absent when not measured on the board's core, and then `fits` is
/// absent unless the model or arena alone is too large).
enum ReportJSON {
    struct Document: Encodable {
        var output: String
        var calibration: String
        var flash_bytes: Int
        var arena_bytes: Int
        var arena_lower_bound: Int
        var tflm_plan_bytes: Int
        var macs: Int
        var parameters: Int
        var layers: [LayerReport]
        var board: String?
        var fits: Bool?
        var verdict: String?
        var flash_needed_bytes: Int?
        var sram_needed_bytes: Int?
        var runtime_code_bytes: Int?
        var runtime_static_sram_bytes: Int?
        var runtime_stack_bytes: Int?
        var footprint_source: String?
        /// For an imported int8 .tflite: the same model under TFLite Micro (`TFLMComparison`).
        var tflm: TFLMComparison?
    }

    static func render(_ report: QuantizationReport, output: String, verdict: DeploymentBill?, tflm: TFLMComparison? = nil) throws -> String {
        let document = Document(
            output: output, calibration: report.calibration, flash_bytes: report.flashBytes, arena_bytes: report.arenaBytes,
            arena_lower_bound: report.arenaLowerBound, tflm_plan_bytes: report.tflmPlanBytes, macs: report.macs,
            parameters: report.parameters, layers: report.layers, board: verdict?.board?.name, fits: verdict?.fits,
            verdict: verdict?.summary, flash_needed_bytes: verdict?.flashNeeded, sram_needed_bytes: verdict?.sramNeeded,
            runtime_code_bytes: verdict?.measured?.codeBytes, runtime_static_sram_bytes: verdict?.measured?.staticSRAMBytes,
            runtime_stack_bytes: verdict?.measured?.stackBytes, footprint_source: verdict?.measured?.origin.rawValue, tflm: tflm)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }
}
