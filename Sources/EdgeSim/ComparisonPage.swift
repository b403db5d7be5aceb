import DigitImage
import Foundation

/// A self-contained HTML page of a comparison: both confusion matrices drawn as heat maps, and every digit
/// the int8 model gets wrong, as an image with its label and both predictions.
public enum ComparisonPage {
    public static func render(_ c: Comparison, floatName: String, int8Name: String) -> String {
        var html = """
        <!doctype html><html><head><meta charset="utf-8"><title>EdgeQuant: int8 vs float</title><style>
        body{font-family:sans-serif;margin:2em;color:#222} table{border-collapse:collapse;margin:1em 0}
        td,th{width:3.2em;height:2em;text-align:center;border:1px solid #ccc;font-size:12px}
        .grid{display:flex;gap:3em;flex-wrap:wrap} .digits{display:flex;flex-wrap:wrap;gap:8px}
        figure{margin:0;text-align:center;font-size:11px} img{width:56px;height:56px;image-rendering:pixelated;border:1px solid #999}
        </style></head><body>
        <h1>int8 vs float on \(c.images) MNIST test images</h1>
        <p>float (\(escape(floatName))): <b>\(percent(c.float.accuracy))</b> &nbsp; int8 (\(escape(int8Name))): <b>\(percent(c.int8.accuracy))</b>
        &nbsp; difference: \(String(format: "%+.2f", (c.int8.accuracy - c.float.accuracy) * 100)) points (\(c.int8.correct - c.float.correct) images)
        &nbsp; top-1 agreement: \(percent(c.agreement))</p>
        <div class="grid">
        """
        html += matrix("float32 confusion (rows: label, columns: prediction)", c.float.confusion)
        html += matrix("int8 confusion (rows: label, columns: prediction)", c.int8.confusion)
        html += "</div><h2>Digits the int8 model gets wrong (\(c.int8Mistakes.count))</h2><div class=\"digits\">"
        for index in c.int8Mistakes.prefix(500) {
            let image = c.dataset.image(at: index)
            let png = (try? PNG.encode(image)).map { Data($0).base64EncodedString() } ?? ""
            html += "<figure><img alt=\"test image \(index)\" src=\"data:image/png;base64,\(png)\"><figcaption>#\(index) label \(c.int8.labels[index])<br>"
            html += "int8 \(c.int8.predictions[index]), float \(c.float.predictions[index])</figcaption></figure>"
        }
        return html + "</div></body></html>\n"
    }

    private static func matrix(_ title: String, _ counts: [[Int]]) -> String {
        var html = "<div><h3>\(title)</h3><table><tr><th></th>" + (0..<10).map { "<th>\($0)</th>" }.joined() + "</tr>"
        for label in 0..<10 {
            let total = max(1, counts[label].reduce(0, +))
            html += "<tr><th>\(label)</th>"
            for prediction in 0..<10 {
                let count = counts[label][prediction]
                let share = Double(count) / Double(total)
                // Correct cells in blue, mistakes in red; darker is more.
                let hue = label == prediction ? 210 : 0
                let lightness = count == 0 ? 100 : Int(95 - 55 * (label == prediction ? share : min(1, share * 20)))
                html += "<td style=\"background:hsl(\(hue),70%,\(lightness)%)\">\(count)</td>"
            }
            html += "</tr>"
        }
        return html + "</table></div>"
    }

    private static func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
