import DigitImage
import EdgeSim
import Foundation

/// The terminal summary of `edge-sim compare`.
enum ComparisonText {
    static func render(_ c: Comparison) -> String {
        func pct(_ v: Double) -> String { String(format: "%6.2f%%", v * 100) }
        var lines: [String] = []
        // MNIST's own shape without a normalization is the plain case; anything else is said first.
        if c.input.shape != .mnist || c.normalizationSource != "none" {
            lines.append("input             \(c.input)"
                + (c.normalizationSource == "none" ? "" : "; float model normalizes \(c.normalization) (\(c.normalizationSource))"))
        }
        lines += [
            "images            \(c.images)",
            "float32 accuracy  \(pct(c.float.accuracy))  (\(c.float.correct) correct)",
            "int8 accuracy     \(pct(c.int8.accuracy))  (\(c.int8.correct) correct)",
            String(format: "difference        %+.2f points (%+d images)", (c.int8.accuracy - c.float.accuracy) * 100, c.int8.correct - c.float.correct),
            "top-1 agreement   \(pct(c.agreement))",
            "",
            "digit   float     int8",
        ]
        for digit in 0..<10 { lines.append("  \(digit)   \(pct(c.float.perClass[digit]))  \(pct(c.int8.perClass[digit]))") }
        lines.append("")
        lines.append("int8 confusion matrix (rows: label, columns: prediction)")
        lines.append("     " + (0..<10).map { String(format: "%5d", $0) }.joined())
        for (label, row) in c.int8.confusion.enumerated() {
            lines.append(String(format: "%3d  ", label) + row.map { String(format: "%5d", $0) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}
