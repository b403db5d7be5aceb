import FloatEngine
import Int8Runtime
import ModelFormat
import Quantizer
import Testing
import TestSupport

/// A whole conversion of the every-op graph, then the real int8 runtime against the float engine.
@Suite("conversion end to end")
struct ConversionTests {
    static func samples(_ count: Int, seed: UInt64) -> [[Float]] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in random.floats(144, in: 0...1) }
    }

    /// Runs the .q8 on `input` (floats in [0, 1]) and returns the dequantized output.
    /// Runs 16 seeded samples through the float graph and the .q8: the largest logit difference, the largest
    /// spread of the float logits, and the int8 logits.
    static func int8AgainstFloat(_ conversion: Conversion) throws -> (worst: Float, spread: Float, int8: [[Float]]) {
        var float = FloatInterpreter(graph: conversion.prepared)
        var worst: Float = 0, spread: Float = 0, outputs: [[Float]] = []
        for input in samples(16, seed: 2) {
            try float.run(input)
            let expected = float.values(of: conversion.prepared.logits)
            let actual = try runInt8(conversion.bytes, input)
            spread = max(spread, (expected.max() ?? 0) - (expected.min() ?? 0))
            for (a, e) in zip(actual, expected) { worst = max(worst, abs(a - e)) }
            outputs.append(actual)
        }
        return (worst, spread, outputs)
    }

    static func runInt8(_ bytes: [UInt8], _ input: [Float]) throws -> [Float] {
        try bytes.withUnsafeBytes { raw in
            let model = try Q8Model(validating: raw)
            var arena = [UInt8](repeating: 0, count: model.arenaSize)
            return try arena.withUnsafeMutableBytes { arena in
                let inputQ = ActivationQuantization(scale: model.input.scale, zeroPoint: model.input.zeroPoint)
                let buffer = Int8Interpreter.inputBuffer(model, arena: arena)
                for i in 0..<buffer.count { buffer[i] = inputQ.quantize(input[i]) }
                try Int8Interpreter.invoke(model, arena: arena)
                let outputQ = ActivationQuantization(scale: model.output.scale, zeroPoint: model.output.zeroPoint)
                return Int8Interpreter.outputBuffer(model, arena: arena).map { outputQ.dequantize($0) }
            }
        }
    }

    @Test(arguments: CalibrationMethod.allCases)
    func int8FollowsFloat(method: CalibrationMethod) throws {
        let graph = try SampleGraphs.everyOp()
        let conversion = try Conversion(graph: graph, calibration: .samples(Self.samples(64, seed: 1), method))
        #expect(conversion.program.outputIsLogits)
        #expect(conversion.program.layers.map(\.opcode) == [.conv2D, .conv2D, .add, .maxPool2D, .conv2D, .averagePool2D, .maxPool2D, .mean, .fullyConnected, .add, .fullyConnected])
        let (worst, spread, _) = try Self.int8AgainstFloat(conversion)
        // int8 tracks float to a few percent of the logits' spread on this small random network.
        #expect(worst <= 0.05 * spread, "worst \(worst), spread \(spread)")
    }

    /// Data-free ranges follow docs/calibration.md's rule, worked out here from the graph's own BatchNorm
    /// constants (the stem: union over channels of beta ± 6·|gamma|, then its ReLU), and the int8 model they make
    /// still tracks float (was: only that 10 finite numbers came out).
    @Test func dataFreeConversionFollowsItsRules() throws {
        let graph = try SampleGraphs.everyOp()
        let conversion = try Conversion(graph: graph, calibration: .dataFree)
        #expect(conversion.dataFree)
        let constant = { (name: String) in try #require(graph.tensors.first { $0.name == name }?.data) }
        let gamma = try constant("stem_bn/gamma"), beta = try constant("stem_bn/beta")
        let high = zip(gamma, beta).map { $1 + 6 * abs($0) }.max()!
        let stem = conversion.prepared.nodes[0]
        #expect(conversion.prepared.tensors[stem.outputs[0]].name == "stem:0")
        #expect(conversion.ranges[stem.outputs[0]] == TensorRange(min: 0, max: high))
        #expect(conversion.ranges[conversion.prepared.input] == TensorRange(min: 0, max: 1))
        // The residual Add sums its inputs' ranges (the stem's, and block_bn's union without an activation),
        // then its fused ReLU6 clips at 0 and 6.
        let blockGamma = try constant("block_bn/gamma"), blockBeta = try constant("block_bn/beta")
        let blockHigh = zip(blockGamma, blockBeta).map { $1 + 6 * abs($0) }.max()!
        let add = try #require(conversion.prepared.nodes.first { $0.name == "block_add" })
        #expect(conversion.ranges[add.outputs[0]] == TensorRange(min: 0, max: min(high + blockHigh, 6)))
        let (worst, spread, _) = try Self.int8AgainstFloat(conversion)
        // Wider ranges, coarser steps: 0.17 of the spread when written (calibrated: under 0.05).
        #expect(worst <= 0.25 * spread, "worst \(worst), spread \(spread)")
    }

    /// The plan of a real program against the exhaustive optimum of its buffers (MemoryPlannerOptimalityTests),
    /// not only against TFLM's greedy order, which the planner tries first and so can never lose to.
    @Test func planIsValidAndOptimal() throws {
        let conversion = try Conversion(graph: try SampleGraphs.everyOp(), calibration: .samples(Self.samples(8, seed: 4), .minmax))
        let buffers = Q8Writer.buffers(of: conversion.program)
        #expect(MemoryPlanner.conflicts(buffers, conversion.plan).isEmpty)
        #expect(!MemoryPlannerOptimalityTests.overlapping(buffers, conversion.plan.offsets))
        // No placement can go below the peak of live bytes (counted here, not by the planner), and for this program
        // the plan meets it: optimal, shown without the exhaustive search (with the kernels' scratch buffers the
        // program has too many buffers for that search to end in reasonable time).
        #expect(conversion.plan.arenaSize == MemoryPlannerOptimalityTests.peakLive(buffers))
        #expect(conversion.plan.lowerBound <= conversion.plan.arenaSize)
        #expect(conversion.plan.arenaSize <= conversion.tflmPlan.arenaSize)
    }

    @Test func unsupportedStandaloneActivationIsNamed() throws {
        var b = GraphBuilder(inputShape: [1, 4, 4, 1])
        let pool = try b.add(.maxPool2D(Window2D(height: 2, width: 2, strideY: 2, strideX: 2, padding: .valid)), name: "pool", inputs: [b.input])
        let relu = try b.add(.relu, name: "lonely_relu", inputs: [pool])
        let graph = try b.finish(output: relu)
        #expect(throws: QuantizerError(node: "lonely_relu", "ReLU could not be fused into a Conv2D, Dense or Add; a standalone activation is not supported in int8")) {
            try Conversion(graph: graph, calibration: .dataFree)
        }
    }
}
