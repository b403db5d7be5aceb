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
        // Explicit pads (ONNX pads, a folded Pad): ResNet50's stem (pad 3, 7x7, stride 2), a 1-pixel bottom/right
        // pad only, and pads that differ on every side.
        Case(size: 12, cin: 1, cout: 8, kernel: 7, stride: 2, padding: .explicit(top: 3, bottom: 3, left: 3, right: 3)),
        Case(size: 8, cin: 3, cout: 5, kernel: 3, stride: 2, padding: .explicit(top: 0, bottom: 1, left: 0, right: 1)),
        Case(size: 9, cin: 2, cout: 17, kernel: 5, stride: 2, padding: .explicit(top: 3, bottom: 2, left: 1, right: 4)),
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

/// Max and average pooling with explicit pads (ONNX pads, MaxPool ceil_mode's extra end pad) against plain loops
/// over the padded window: padded positions are left out of the max and of the average's divisor.
@Suite("float pooling against plain loops")
struct PoolAgainstLoopsTests {
    static let windows: [Window2D] = [
        Window2D(height: 3, width: 3, strideY: 2, strideX: 2, padding: .explicit(top: 0, bottom: 1, left: 0, right: 1)),
        Window2D(height: 3, width: 2, strideY: 1, strideX: 2, padding: .explicit(top: 2, bottom: 0, left: 1, right: 1)),
        Window2D(height: 3, width: 3, strideY: 2, strideX: 2, padding: .same),
    ]

    @Test(arguments: windows)
    func matchesTheDefinition(_ window: Window2D) throws {
        let (h, w, c) = (7, 8, 3)
        var random = SeededRandom(seed: 9)
        let input = random.floats(h * w * c, in: -1...1)
        let geometry = try #require(window.output(inputHeight: h, inputWidth: w))
        for average in [false, true] {
            var b = GraphBuilder(inputShape: [1, h, w, c])
            let out = try b.add(average ? .averagePool2D(window) : .maxPool2D(window), name: "pool", inputs: [b.input])
            var interpreter = FloatInterpreter(graph: try b.finish(output: out))
            let got = try interpreter.run(input)
            var expected: [Float] = []
            for oy in 0..<geometry.height {
                for ox in 0..<geometry.width {
                    for ch in 0..<c {
                        var values: [Float] = []
                        for ky in 0..<window.height {
                            for kx in 0..<window.width {
                                let iy = oy * window.strideY - geometry.padTop + ky, ix = ox * window.strideX - geometry.padLeft + kx
                                if (0..<h).contains(iy), (0..<w).contains(ix) { values.append(input[(iy * w + ix) * c + ch]) }
                            }
                        }
                        expected.append(average ? values.reduce(0, +) / Float(values.count) : values.max()!)
                    }
                }
            }
            #expect(got.count == expected.count)
            let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-6, "\(average ? "average" : "max"): largest difference \(worst)")
        }
    }
}
