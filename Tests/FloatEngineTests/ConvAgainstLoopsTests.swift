import ModelFormat
import FloatEngine
import Testing
import TestSupport

/// The vectorized float convolution (16, 8 and 4 channels at a time, then one) against the definition
/// written as plain loops, for channel counts that exercise every width and their leftovers.
@Suite("float conv against plain loops")
struct ConvAgainstLoopsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var size, cin, cout, kernel, stride: Int
        var padding: Padding
        var testDescription: String { "\(size)x\(size)x\(cin) k\(kernel) s\(stride) \(padding) -> \(cout)" }
    }

    static let cases: [Case] = [1, 3, 4, 7, 8, 12, 16, 20, 24, 29, 48].map {
        Case(size: 6, cin: 3, cout: $0, kernel: 3, stride: 1, padding: .same)
    } + [
        Case(size: 7, cin: 5, cout: 24, kernel: 3, stride: 2, padding: .same),
        Case(size: 7, cin: 2, cout: 13, kernel: 1, stride: 2, padding: .valid),
        Case(size: 8, cin: 4, cout: 28, kernel: 5, stride: 1, padding: .valid),
    ]

    @Test(arguments: cases)
    func matchesTheDefinition(_ c: Case) throws {
        var random = SeededRandom(seed: UInt64(c.cout * 131 + c.kernel))
        let input = random.floats(c.size * c.size * c.cin, in: -1...1)
        let weights = random.floats(c.kernel * c.kernel * c.cin * c.cout, in: -1...1)
        let bias = random.floats(c.cout, in: -1...1)

        var b = GraphBuilder(inputShape: [1, c.size, c.size, c.cin])
        let w = b.constant("w", shape: [c.kernel, c.kernel, c.cin, c.cout], data: weights)
        let bb = b.constant("b", shape: [c.cout], data: bias)
        let out = try b.add(.conv2D(strideY: c.stride, strideX: c.stride, padding: c.padding), name: "conv", inputs: [b.input, w, bb])
        var interpreter = FloatInterpreter(graph: try b.finish(output: out))
        let got = try interpreter.run(input)

        let window = Window2D(height: c.kernel, width: c.kernel, strideY: c.stride, strideX: c.stride, padding: c.padding)
        let geometry = try #require(window.output(inputHeight: c.size, inputWidth: c.size))
        var expected: [Float] = []
        for oy in 0..<geometry.height {
            for ox in 0..<geometry.width {
                for co in 0..<c.cout {
                    var sum = Double(bias[co])
                    for ky in 0..<c.kernel {
                        for kx in 0..<c.kernel {
                            let iy = oy * c.stride - geometry.padTop + ky, ix = ox * c.stride - geometry.padLeft + kx
                            guard (0..<c.size).contains(iy), (0..<c.size).contains(ix) else { continue }
                            for ci in 0..<c.cin {
                                sum += Double(input[(iy * c.size + ix) * c.cin + ci])
                                    * Double(weights[((ky * c.kernel + kx) * c.cin + ci) * c.cout + co])
                            }
                        }
                    }
                    expected.append(Float(sum))
                }
            }
        }
        #expect(got.count == expected.count)
        let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-5, "largest difference \(worst)")
    }
}
