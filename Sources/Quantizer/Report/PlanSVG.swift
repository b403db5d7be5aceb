import Foundation

/// Draws a memory plan: x is the op step, y the arena offset, one box per tensor for its lifetime and one (grey,
/// dashed) per kernel scratch at its step.
public enum PlanSVG {
    public static func render(_ program: Int8Program, plan: MemoryPlan) -> String {
        let lifetimes = program.lifetimes
        let steps = program.layers.count + 1
        let width = 900.0, height = 520.0, left = 70.0, top = 40.0, right = 20.0, bottom = 40.0
        let xScale = (width - left - right) / Double(steps + 1)
        let yScale = (height - top - bottom) / Double(max(plan.arenaSize, 1))
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="11">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="20" font-size="14">Arena plan: \(plan.arenaSize) bytes (lower bound \(plan.lowerBound), \(plan.strategy))</text>
        <line x1="\(left)" y1="\(height - bottom)" x2="\(width - right)" y2="\(height - bottom)" stroke="black"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" stroke="black"/>
        <text x="\(width / 2)" y="\(height - 10)" text-anchor="middle">op step</text>
        <text x="12" y="\(top - 8)">offset</text>

        """
        for tick in stride(from: 0, through: plan.arenaSize, by: max(1, plan.arenaSize / 8)) {
            let y = height - bottom - Double(tick) * yScale
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(tick)</text>\n"
        }
        for (index, tensor) in program.tensors.enumerated() {
            let life = lifetimes[index]
            let x = left + Double(life.first + 1) * xScale
            let w = Double(max(life.last, life.first) - life.first + 1) * xScale
            let y = height - bottom - Double(plan.offsets[index] + tensor.size) * yScale
            let h = max(Double(tensor.size) * yScale, 1)
            let hue = (index * 47) % 360
            svg += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(w))\" height=\"\(fmt(h))\" fill=\"hsl(\(hue),60%,70%)\" stroke=\"black\" stroke-width=\"0.5\">"
            svg += "<title>\(escape(tensor.name)): \(tensor.size) bytes at \(plan.offsets[index]), steps \(life.first)...\(life.last)</title></rect>\n"
        }
        // Kernel scratch: hatched grey, one step wide.
        let sizes = program.scratchSizes
        for (step, buffer) in Q8Writer.scratchBuffers(of: program) where buffer < plan.offsets.count {
            let size = sizes[step], layer = program.layers[step]
            let y = height - bottom - Double(plan.offsets[buffer] + size) * yScale
            svg += "<rect x=\"\(fmt(left + Double(step + 1) * xScale))\" y=\"\(fmt(y))\" width=\"\(fmt(xScale))\" height=\"\(fmt(max(Double(size) * yScale, 1)))\" fill=\"#bbbbbb\" stroke=\"black\" stroke-width=\"0.5\" stroke-dasharray=\"2,2\">"
            svg += "<title>\(escape(layer.name)) scratch: \(size) bytes at \(plan.offsets[buffer]), step \(step)</title></rect>\n"
        }
        return svg + "</svg>\n"
    }

    private static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
