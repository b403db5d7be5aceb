import FloatEngine
import Int8Runtime
import ModelFormat
import Quantizer
import Testing
import TestSupport

/// `foldPads`: a zero Pad folded into the next Conv2D's (or, after a ReLU, MaxPool2D's) padding gives the same
/// float outputs as the Pad run on its own, with the explicit padding worked out here by hand; where that is not
/// exact (pads reaching the kernel size, a max pool on values that can be negative, any average pool) the Pad
/// stays. Then the folded explicit pads through int8 lowering and the runtime, against float.
@Suite("pad folding and explicit pads")
struct FoldPadsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var size, cin, cout: Int
        var pads: (Int, Int, Int, Int)
        /// "conv", "convRelu>max", "conv>max", "convRelu>avg"
        var follower: String
        var kernel, stride: Int
        var padding: Padding
        /// The padding the follower must have after folding; nil when the Pad must stay.
        var expected: Padding?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // ResNet50's stem as Keras writes it: ZeroPadding2D(3), then a 7x7 stride-2 'valid' conv.
        Case(name: "pad 3, 7x7 s2 valid", size: 28, cin: 1, cout: 8, pads: (3, 3, 3, 3), follower: "conv", kernel: 7, stride: 2,
             padding: .valid, expected: .explicit(top: 3, bottom: 3, left: 3, right: 3)),
        // TF 'same' on an even input with stride 2, written by ONNX exporters as a 1-pixel bottom/right Pad.
        Case(name: "pad bottom/right 1, 3x3 s2 valid", size: 8, cin: 3, cout: 5, pads: (0, 1, 0, 1), follower: "conv", kernel: 3,
             stride: 2, padding: .valid, expected: .explicit(top: 0, bottom: 1, left: 0, right: 1)),
        // The Pad's and 'same''s pads add up: 1 + 1 per side, still below 3.
        Case(name: "pad 1 + same 3x3", size: 7, cin: 2, cout: 4, pads: (1, 1, 1, 1), follower: "conv", kernel: 3, stride: 1,
             padding: .same, expected: .explicit(top: 2, bottom: 2, left: 2, right: 2)),
        Case(name: "asymmetric pad + explicit", size: 9, cin: 2, cout: 3, pads: (2, 0, 1, 3), follower: "conv", kernel: 5, stride: 2,
             padding: .explicit(top: 1, bottom: 2, left: 0, right: 1), expected: .explicit(top: 3, bottom: 2, left: 1, right: 4)),
        // 2 + 1 = 3 is not below a 3x3 kernel: some window would see only padding.
        Case(name: "pad 2 + same 3x3 stays", size: 6, cin: 2, cout: 4, pads: (2, 2, 2, 2), follower: "conv", kernel: 3, stride: 1,
             padding: .same, expected: nil),
        // After a ReLU the Pad's zeros never win a max: folded (MaxPool ceil_mode's extra end pad looks like this).
        Case(name: "relu, pad 0/1, max 2x2 s2", size: 7, cin: 1, cout: 4, pads: (0, 1, 0, 1), follower: "convRelu>max", kernel: 2,
             stride: 2, padding: .valid, expected: .explicit(top: 0, bottom: 1, left: 0, right: 1)),
        Case(name: "relu, pad 1, max 3x3 s2 same", size: 8, cin: 1, cout: 3, pads: (1, 1, 1, 1), follower: "convRelu>max", kernel: 3,
             stride: 2, padding: .same, expected: .explicit(top: 1, bottom: 2, left: 1, right: 2)),
        // Without the ReLU a zero may exceed every real value of a window: the Pad stays.
        Case(name: "no relu, pad, max stays", size: 7, cin: 1, cout: 4, pads: (0, 1, 0, 1), follower: "conv>max", kernel: 2,
             stride: 2, padding: .valid, expected: nil),
        // Average pooling divides by the real pixels only: never folded.
        Case(name: "relu, pad, avg stays", size: 7, cin: 1, cout: 4, pads: (1, 1, 1, 1), follower: "convRelu>avg", kernel: 3,
             stride: 2, padding: .valid, expected: nil),
    ]

    /// input → [conv 3x3 same (ReLU) →] Pad → follower → flatten → dense(10).
    static func graph(_ c: Case, seed: UInt64) throws -> FloatGraph {
        var random = SeededRandom(seed: seed)
        var b = GraphBuilder(inputShape: [1, c.size, c.size, c.cin])
        func weights(_ name: String, _ shape: [Int]) -> Int {
            b.constant(name, shape: shape, data: random.floats(shape.reduce(1, *), in: -0.5...0.5))
        }
        var x = b.input
        var channels = c.cin
        if c.follower != "conv" {
            let activation: Activation = c.follower.hasPrefix("convRelu") ? .relu : .none
            x = try b.add(.conv2D(strideY: 1, strideX: 1, padding: .same, activation: activation), name: "first",
                          inputs: [x, weights("first/kernel", [3, 3, c.cin, c.cout]), weights("first/bias", [c.cout])])
            channels = c.cout
        }
        x = try b.add(.pad(top: c.pads.0, bottom: c.pads.1, left: c.pads.2, right: c.pads.3), name: "pad", inputs: [x])
        let window = Window2D(height: c.kernel, width: c.kernel, strideY: c.stride, strideX: c.stride, padding: c.padding)
        switch c.follower {
        case "conv":
            x = try b.add(.conv2D(strideY: c.stride, strideX: c.stride, padding: c.padding), name: "follower",
                          inputs: [x, weights("follower/kernel", [c.kernel, c.kernel, channels, c.cout]), weights("follower/bias", [c.cout])])
        case "convRelu>avg":
            x = try b.add(.averagePool2D(window), name: "follower", inputs: [x])
        default:
            x = try b.add(.maxPool2D(window), name: "follower", inputs: [x])
        }
        let flat = try b.add(.flatten, name: "flatten", inputs: [x])
        let n = b.shape(flat)[1]
        let logits = try b.add(.dense(), name: "logits", inputs: [flat, weights("logits/kernel", [n, 10]), weights("logits/bias", [10])])
        return try b.finish(output: logits)
    }

    static func padding(of node: Node) -> Padding? {
        switch node.op {
        case let .conv2D(_, _, padding, _): padding
        case let .maxPool2D(window), let .averagePool2D(window): window.padding
        default: nil
        }
    }

    @Test(arguments: cases)
    func foldsExactlyWhereItIsExact(_ c: Case) throws {
        let graph = try Self.graph(c, seed: UInt64(c.size * 31 + c.cout))
        let folded = foldPads(graph)
        try folded.validate()
        let pads = folded.nodes.filter { if case .pad = $0.op { true } else { false } }
        let follower = try #require(folded.nodes.first { $0.name == "follower" })
        if let expected = c.expected {
            #expect(pads.isEmpty)
            #expect(Self.padding(of: follower) == expected)
            #expect(follower.inputs[0] == (c.follower == "conv" ? folded.input : folded.nodes[0].outputs[0]))
        } else {
            #expect(pads.count == 1)
            #expect(Self.padding(of: follower) == c.padding)
        }
        // Same float outputs on inputs that are negative too (the ReLU cases must not depend on the input's sign).
        var random = SeededRandom(seed: 77)
        var original = FloatInterpreter(graph: graph), after = FloatInterpreter(graph: folded)
        for _ in 0..<6 {
            let input = random.floats(c.size * c.size * c.cin, in: -1...1)
            let expected = try original.run(input), got = try after.run(input)
            let worst = zip(expected, got).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5, "largest difference \(worst)")
        }
    }

    @Test func zeroPadIsRemovedAndANormalizationSurvives() throws {
        var b = GraphBuilder(inputShape: [1, 4, 4, 1])
        let pad = try b.add(.pad(top: 0, bottom: 0, left: 0, right: 0), name: "pad", inputs: [b.input])
        let flat = try b.add(.flatten, name: "flatten", inputs: [pad])
        var graph = try b.finish(output: flat)
        graph.inputNormalization = InputNormalization(mean: 0.5, std: 0.25)
        let folded = foldPads(graph)
        #expect(folded.nodes.map(\.op) == [.flatten])
        #expect(folded.inputNormalization == graph.inputNormalization)
    }

    /// The folded explicit pads through the whole converter: lowering gives the runtime padTop/padLeft (bottom and
    /// right implied by the output size), the loader admits them, and int8 follows float.
    @Test(arguments: cases.filter { $0.expected != nil })
    func foldedPadsRunInInt8(_ c: Case) throws {
        let graph = try Self.graph(c, seed: UInt64(c.size * 31 + c.cout))
        var random = SeededRandom(seed: 5)
        let samples = (0..<32).map { _ in random.floats(c.size * c.size * c.cin, in: 0...1) }
        let conversion = try Conversion(graph: graph, calibration: .samples(samples, .minmax))
        let layer = try #require(conversion.program.layers.first { $0.name.contains("follower") })
        if case let .explicit(top, _, left, _) = c.expected {
            #expect((layer.padTop, layer.padLeft) == (top, left))
        }
        // A pool with a bottom/right pad is not fused into the conv (its windows would run past the conv output).
        if c.follower == "convRelu>max" {
            #expect(conversion.program.layers.map(\.opcode) == [.conv2D, .maxPool2D, .fullyConnected])
        }
        var float = FloatInterpreter(graph: conversion.prepared)
        var worst: Float = 0, spread: Float = 0
        for _ in 0..<12 {
            let input = random.floats(c.size * c.size * c.cin, in: 0...1)
            let expected = try float.run(input)
            let got = try ConversionTests.runInt8(conversion.bytes, input)
            spread = max(spread, (expected.max() ?? 0) - (expected.min() ?? 0))
            worst = max(worst, zip(expected, got).map { abs($0 - $1) }.max() ?? 0)
        }
        // Random weights and a wide Dense: 5.3% of the spread at most when written; a pad off by one pixel gives
        // far more (checked by lowering padTop as 0).
        #expect(worst <= 0.08 * spread, "worst \(worst), spread \(spread)")
    }

    /// The same graph with its Pad left as an int8 Pad op (lowered without foldPads) and folded: byte for byte the
    /// same outputs where folding is legal (the Pad keeps its input's quantization and fills with the zero point,
    /// which a conv's skipped taps and a max pool's ignored positions after a ReLU equal). Where it is not, the
    /// converter keeps the Pad op and int8 still follows float.
    @Test(arguments: cases)
    func padOpAndFoldedPadsAgree(_ c: Case) throws {
        let graph = try Self.graph(c, seed: UInt64(c.size * 31 + c.cout))
        var random = SeededRandom(seed: 5)
        let samples = (0..<32).map { _ in random.floats(c.size * c.size * c.cin, in: 0...1) }
        let unfolded = fuseActivations(try foldBatchNorm(removeDropout(graph)))
        let ranges = try Calibration.ranges(unfolded, samples: samples, method: .minmax, workers: 1)
        let withPad = fuseConvMaxPool(try lowerToInt8(unfolded, ranges: ranges))
        #expect(withPad.layers.filter { $0.opcode == .pad }.count == 1)
        let padBytes = try Q8Writer.write(withPad, plan: MemoryPlanner.plan(Q8Writer.buffers(of: withPad)))
        let conversion = try Conversion(graph: graph, calibration: .samples(samples, .minmax))
        #expect(conversion.program.layers.contains { $0.opcode == .pad } == (c.expected == nil))
        let a = try LoadedQ8(padBytes), b = try LoadedQ8(conversion.bytes)
        if c.expected != nil {
            for _ in 0..<8 {
                let input = (0..<(c.size * c.size * c.cin)).map { _ in Int8(truncatingIfNeeded: Int(random.next() % 256) - 128) }
                #expect(try a.run(input) == b.run(input))
            }
            return  // and foldedPadsRunInInt8 compares the folded program with float
        }
        var float = FloatInterpreter(graph: conversion.prepared)
        var worst: Float = 0, spread: Float = 0
        for _ in 0..<12 {
            let input = random.floats(c.size * c.size * c.cin, in: 0...1)
            let expected = try float.run(input)
            let got = try ConversionTests.runInt8(padBytes, input)
            spread = max(spread, (expected.max() ?? 0) - (expected.min() ?? 0))
            worst = max(worst, zip(expected, got).map { abs($0 - $1) }.max() ?? 0)
        }
        #expect(worst <= 0.08 * spread, "worst \(worst), spread \(spread)")
    }
}

/// The loader's rules for a Pad op record: what the writer makes is accepted; a Pad whose output does not share its
/// input's quantization, whose input does not fit the output at (pad_top, pad_left), or that carries a window,
/// a clamp or parameters is refused (the writer runs the loader on what it writes).
@Suite("int8 Pad op validation")
struct PadOpValidationTests {
    static func program(_ change: (inout Int8Program) -> Void) -> Int8Program {
        let q = ActivationQuantization(scale: 0.02, zeroPoint: -3)
        var program = Int8Program(
            tensors: [Int8Tensor(name: "x", height: 4, width: 5, channels: 2, quantization: q),
                      Int8Tensor(name: "y", height: 7, width: 6, channels: 2, quantization: q)],
            layers: [Int8Layer(name: "pad", opcode: .pad, input: 0, output: 1)], input: 0, output: 1, outputIsLogits: false)
        (program.layers[0].padTop, program.layers[0].padLeft) = (2, 1)
        change(&program)
        return program
    }

    static func outcome(_ program: Int8Program) -> String {
        do {
            let loaded = try LoadedQ8(Q8Writer.write(program, plan: MemoryPlanner.plan(Q8Writer.buffers(of: program))))
            let input = (0..<40).map { Int8($0 - 20) }
            let out = try loaded.run(input)
            // Row 2 + iy, column 1 + ix holds input (iy, ix); everything else is the zero point.
            var expected = [Int8](repeating: -3, count: 84)
            for iy in 0..<4 { for ix in 0..<5 { for c in 0..<2 { expected[((2 + iy) * 6 + 1 + ix) * 2 + c] = input[(iy * 5 + ix) * 2 + c] } } }
            return out == expected ? "accepted" : "wrong output"
        } catch { return "\(error)" }
    }

    @Test func acceptsWhatTheWriterMakesAndRefusesTheRest() {
        let refused = "internal error: the written .q8 fails validation (badOp(index: 0))"
        #expect(Self.outcome(Self.program { _ in }) == "accepted")
        #expect(Self.outcome(Self.program { $0.tensors[1].quantization.zeroPoint = -2 }) == refused)
        #expect(Self.outcome(Self.program { $0.tensors[1].quantization.scale = 0.021 }) == refused)
        #expect(Self.outcome(Self.program { $0.layers[0].padTop = 4 }) == refused)
        #expect(Self.outcome(Self.program { $0.layers[0].padLeft = 2 }) == refused)
        #expect(Self.outcome(Self.program { $0.tensors[1].channels = 3 }) == refused)
        #expect(Self.outcome(Self.program { $0.layers[0].kernelHeight = 2 }) == refused)
        #expect(Self.outcome(Self.program { $0.layers[0].activationMin = -3 }) == refused)
        #expect(Self.outcome(Self.program { $0.layers[0].parameters[0] = 1 }) == refused)
    }
}
