import Foundation
import Testing
import ModelFormat
import FloatEngine
import TestSupport

/// Each float op against values worked out by hand.
@Suite("float kernels")
struct KernelTests {
    /// Runs a one-node graph on `input`.
    func runSingle(_ op: Op, inputShape: [Int], input: [Float], weights: [(shape: [Int], data: [Float])] = []) throws -> [Float] {
        var b = GraphBuilder(inputShape: inputShape)
        let inputs = [b.input] + weights.enumerated().map { b.constant("w\($0.offset)", shape: $0.element.shape, data: $0.element.data) }
        let out = try b.add(op, name: "op", inputs: inputs)
        var interpreter = FloatInterpreter(graph: try b.finish(output: out))
        return try interpreter.run(input)
    }

    @Test func convSamePaddingCountsOnlyRealPixels() throws {
        let out = try runSingle(.conv2D(strideY: 1, strideX: 1, padding: .same), inputShape: [1, 3, 3, 1],
                                input: [Float](repeating: 1, count: 9),
                                weights: [([3, 3, 1, 1], [Float](repeating: 1, count: 9))])
        #expect(out == [4, 6, 4, 6, 9, 6, 4, 6, 4])
    }

    @Test func convStrideTwoSamePadsAfter() throws {
        // 4x4 input, 3x3 kernel, stride 2: output 2x2, one padding row/column, all of it after.
        let out = try runSingle(.conv2D(strideY: 2, strideX: 2, padding: .same), inputShape: [1, 4, 4, 1],
                                input: [Float](repeating: 1, count: 16),
                                weights: [([3, 3, 1, 1], [Float](repeating: 1, count: 9)), ([1], [0.5])])
        #expect(out == [9.5, 6.5, 6.5, 4.5])
    }

    @Test func convMixesChannels() throws {
        // 1x1 input with 2 channels, 1x1 kernel to 3 channels: a matrix product.
        let out = try runSingle(.conv2D(strideY: 1, strideX: 1, padding: .valid), inputShape: [1, 1, 1, 2], input: [2, 3],
                                weights: [([1, 1, 2, 3], [1, 2, 3, 4, 5, 6])])
        #expect(out == [14, 19, 24] as [Float])
    }

    @Test func denseAddsBias() throws {
        var b = GraphBuilder(inputShape: [1, 1, 1, 2])
        let flat = try b.add(.flatten, name: "flat", inputs: [b.input])
        let out = try b.add(.dense(), name: "fc", inputs: [
            flat, b.constant("k", shape: [2, 3], data: [1, 2, 3, 4, 5, 6]), b.constant("b", shape: [3], data: [0.5, 0, -1]),
        ])
        var interpreter = FloatInterpreter(graph: try b.finish(output: out))
        #expect(try interpreter.run([2, 3]) == [14.5, 19, 23])
    }

    @Test func batchNormalization() throws {
        let out = try runSingle(.batchNormalization(epsilon: 0.25), inputShape: [1, 1, 2, 2], input: [1, 2, 3, 4], weights: [
            ([2], [2, 1]), ([2], [0.5, -1]), ([2], [1, 0]), ([2], [0.75, 3.75]),
        ])
        // channel 0: 2 * (x - 1) / 1 + 0.5; channel 1: (x - 0) / 2 - 1
        #expect(out == [0.5, 0, 4.5, 1])
    }

    @Test func pools() throws {
        let input: [Float] = [1, 5, 2, 0, 3, 4, 7, 1, 0]
        let valid = Window2D(height: 2, width: 2, strideY: 2, strideX: 2, padding: .valid)
        #expect(try runSingle(.maxPool2D(valid), inputShape: [1, 3, 3, 1], input: input) == [5])
        #expect(try runSingle(.averagePool2D(valid), inputShape: [1, 3, 3, 1], input: input) == [2.25])
        let same = Window2D(height: 2, width: 2, strideY: 2, strideX: 2, padding: .same)
        #expect(try runSingle(.maxPool2D(same), inputShape: [1, 3, 3, 1], input: input) == [5, 4, 7, 0])
        // The average's divisor counts real pixels only: 9 / 4, (2 + 4) / 2, (7 + 1) / 2, 0 / 1.
        #expect(try runSingle(.averagePool2D(same), inputShape: [1, 3, 3, 1], input: input) == [2.25, 3, 4, 0])
        #expect(try runSingle(.globalAveragePool, inputShape: [1, 3, 3, 1], input: input) == [23.0 / 9])
    }

    @Test func activations() throws {
        let input: [Float] = [-1, 0.5, 7]
        #expect(try runSingle(.relu, inputShape: [1, 1, 3, 1], input: input) == [0, 0.5, 7])
        #expect(try runSingle(.relu6, inputShape: [1, 1, 3, 1], input: input) == [0, 0.5, 6])
        #expect(try runSingle(.dropout(rate: 0.5), inputShape: [1, 1, 3, 1], input: input) == input)
        #expect(try runSingle(.flatten, inputShape: [1, 1, 3, 1], input: input) == input)
    }

    @Test func wrongInputSizeIsAnError() throws {
        var interpreter = FloatInterpreter(graph: try SampleGraphs.everyOp())
        #expect(throws: FloatEngineError.inputSize(expected: 144, actual: 3)) { try interpreter.run([1, 2, 3]) }
    }

    @Test func everyOpGraphGivesAProbabilityVector() throws {
        let graph = try SampleGraphs.everyOp()
        var interpreter = FloatInterpreter(graph: graph)
        var random = SeededRandom(seed: 3)
        let probabilities = try interpreter.run(random.floats(144, in: 0...1))
        #expect(probabilities.count == 10)
        #expect(abs(probabilities.reduce(0, +) - 1) < 1e-5)
        #expect(probabilities.allSatisfy { $0 > 0 })
        let logits = interpreter.values(of: graph.logits)
        let expected = logits.map { exp($0 - logits.max()!) }
        let sum = expected.reduce(0, +)
        for (p, e) in zip(probabilities, expected) { #expect(abs(p - e / sum) < 1e-6) }
    }
}

@Suite("fused activations")
struct FusedActivationTests {
    @Test func fusedClampEqualsASeparateNode() throws {
        var random = SeededRandom(seed: 11)
        let kernel = random.floats(3 * 3 * 1 * 4, in: -2...2)
        func graph(fused: Activation?) throws -> FloatGraph {
            var b = GraphBuilder(inputShape: [1, 5, 5, 1])
            let k = b.constant("k", shape: [3, 3, 1, 4], data: kernel)
            let conv = try b.add(.conv2D(strideY: 1, strideX: 1, padding: .same, activation: fused ?? .none), name: "conv", inputs: [b.input, k])
            guard fused == nil else { return try b.finish(output: conv) }
            let relu = try b.add(.relu6, name: "relu6", inputs: [conv])
            return try b.finish(output: relu)
        }
        let input = random.floats(25, in: 0...3)
        var separate = FloatInterpreter(graph: try graph(fused: nil))
        var fused = FloatInterpreter(graph: try graph(fused: .relu6))
        let a = try separate.run(input), b = try fused.run(input)
        #expect(a == b)
        #expect(a.contains(6) && a.contains(0))
    }
}
