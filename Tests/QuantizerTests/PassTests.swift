import FloatEngine
import ModelFormat
import Quantizer
import Testing
import TestSupport

/// Each graph pass keeps the function the graph computes.
@Suite("graph passes")
struct PassTests {
    /// The largest difference between the logits of two graphs over a few seeded inputs.
    func largestDifference(_ a: FloatGraph, _ b: FloatGraph, inputs: Int = 8) throws -> Float {
        var random = SeededRandom(seed: 5)
        var left = FloatInterpreter(graph: a), right = FloatInterpreter(graph: b)
        var worst: Float = 0
        for _ in 0..<inputs {
            let input = random.floats(a.tensors[a.input].elementCount, in: 0...1)
            try left.run(input)
            try right.run(input)
            for (x, y) in zip(left.values(of: a.logits), right.values(of: b.logits)) { worst = max(worst, abs(x - y)) }
        }
        return worst
    }

    func count(_ graph: FloatGraph, _ name: String) -> Int {
        graph.nodes.filter { $0.op.name == name }.count
    }

    @Test func foldingBatchNormKeepsTheFunction() throws {
        let graph = try SampleGraphs.everyOp()
        let folded = try foldBatchNorm(graph)
        try folded.validate()
        #expect(count(graph, "BatchNormalization") == 2)
        #expect(count(folded, "BatchNormalization") == 0)
        #expect(folded.nodes.count == graph.nodes.count - 2)
        #expect(try largestDifference(graph, folded) <= 1e-5)
        // The conv that had no bias gained one.
        let conv = folded.nodes.first { $0.name == "block_conv" }!
        #expect(conv.inputs.count == 3)
    }

    @Test func foldingComputesTheDocumentedWeights() throws {
        var b = GraphBuilder(inputShape: [1, 1, 1, 1])
        let conv = try b.add(.conv2D(strideY: 1, strideX: 1, padding: .valid), name: "c", inputs: [
            b.input, b.constant("k", shape: [1, 1, 1, 2], data: [2, -3]), b.constant("b", shape: [2], data: [1, 0.5]),
        ])
        let bn = try b.add(.batchNormalization(epsilon: 0.0), name: "bn", inputs: [
            conv, b.constant("g", shape: [2], data: [3, 1]), b.constant("be", shape: [2], data: [0.25, -1]),
            b.constant("m", shape: [2], data: [1, 2]), b.constant("v", shape: [2], data: [9, 0.25]),
        ])
        let folded = try foldBatchNorm(try b.finish(output: bn))
        let node = folded.nodes[0]
        // s = [3 / 3, 1 / 0.5] = [1, 2]; kernel' = [2, -6]; bias' = [(1 - 1) * 1 + 0.25, (0.5 - 2) * 2 - 1].
        #expect(folded.tensors[node.inputs[1]].data == [2, -6])
        #expect(folded.tensors[node.inputs[2]].data == [0.25, -4])
        #expect(folded.nodes.count == 1 && folded.output == node.outputs[0])
    }

    @Test func batchNormThatCannotBeFoldedIsNamed() throws {
        var b = GraphBuilder(inputShape: [1, 2, 2, 1])
        let bn = try b.add(.batchNormalization(epsilon: 0.001), name: "lonely_bn", inputs: [
            b.input, b.constant("g", shape: [1], data: [1]), b.constant("be", shape: [1], data: [0]),
            b.constant("m", shape: [1], data: [0]), b.constant("v", shape: [1], data: [1]),
        ])
        #expect(throws: QuantizerError.self) { try foldBatchNorm(try b.finish(output: bn)) }
    }

    @Test func fusingActivationsKeepsTheFunction() throws {
        let graph = try foldBatchNorm(SampleGraphs.everyOp())
        let fused = fuseActivations(graph)
        try fused.validate()
        #expect(count(fused, "ReLU") == 0 && count(fused, "ReLU6") == 0)
        #expect(fused.nodes.first { $0.name == "stem" }?.op.fusedActivation == .relu)
        #expect(fused.nodes.first { $0.name == "block_add" }?.op.fusedActivation == .relu6)
        #expect(try largestDifference(graph, fused) == 0)
    }

    @Test func reluWhoseInputIsSharedStaysSeparate() throws {
        var b = GraphBuilder(inputShape: [1, 2, 2, 1])
        let conv = try b.add(.conv2D(strideY: 1, strideX: 1, padding: .same), name: "c", inputs: [
            b.input, b.constant("k", shape: [1, 1, 1, 1], data: [-1]),
        ])
        let relu = try b.add(.relu, name: "r", inputs: [conv])
        let sum = try b.add(.add(), name: "a", inputs: [conv, relu])
        let fused = fuseActivations(try b.finish(output: sum))
        #expect(count(fused, "ReLU") == 1)
    }

    @Test func removingDropoutKeepsTheFunction() throws {
        let graph = try SampleGraphs.everyOp()
        let removed = removeDropout(graph)
        try removed.validate()
        #expect(count(removed, "Dropout") == 0)
        #expect(removed.nodes.count == graph.nodes.count - 1)
        #expect(try largestDifference(graph, removed) == 0)
    }
}
