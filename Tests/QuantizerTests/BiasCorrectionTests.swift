import FloatEngine
import Int8Runtime
import ModelFormat
import Quantizer
import Testing
import TestSupport

/// Empirical bias correction: smaller mean output errors per channel, still a valid model, a no-op without
/// Conv2D or Dense.
@Suite("bias correction")
struct BiasCorrectionTests {
    static func prepared(_ graph: FloatGraph) throws -> FloatGraph {
        fuseActivations(try foldBatchNorm(removeDropout(graph)))
    }

    /// The mean absolute per-channel error over every channel of every Conv2D and Dense.
    static func meanAbsolute(_ errors: [[Double]]) -> Double {
        let all = errors.flatMap { $0 }
        return all.map(abs).reduce(0, +) / Double(max(all.count, 1))
    }

    @Test(arguments: BiasCorrection.Inputs.allCases)
    func reducesTheMeanChannelError(inputs: BiasCorrection.Inputs) throws {
        let graph = try Self.prepared(SampleGraphs.everyOp(seed: 7, channels: 8))
        let samples = ConversionTests.samples(64, seed: 11)
        let ranges = try Calibration.ranges(graph, samples: samples, method: .percentile)
        let corrected = try BiasCorrection.corrected(graph, ranges: ranges, samples: samples, inputs: inputs, workers: 2)
        try corrected.validate()
        #expect(corrected.nodes.map(\.op) == graph.nodes.map(\.op))

        // Errors of the int8 programs lowered from each graph against the float graph.
        let before = try BiasCorrection.meanErrors(reference: graph, quantized: graph, ranges: ranges, samples: samples, workers: 2)
        let after = try BiasCorrection.meanErrors(reference: graph, quantized: corrected, ranges: ranges, samples: samples, workers: 2)
        #expect(before.count == 5 && after.count == 5)  // three Conv2D, the hidden and the logits Dense
        if inputs == .int8 {
            // Measured on the very program it corrects: what is left is bias rounding, far below what it was,
            // in every layer.
            #expect(Self.meanAbsolute(after) < 0.5 * Self.meanAbsolute(before), "before \(before), after \(after)")
            for (b, a) in zip(before, after) {
                #expect(Self.meanAbsolute([a]) <= Self.meanAbsolute([b]) + 1e-4, "before \(b), after \(a)")
            }
        } else {
            // Weight error only: the activations' share of the int8 error stays.
            #expect(Self.meanAbsolute(after) < Self.meanAbsolute(before), "before \(before), after \(after)")
        }

        // Also on samples it never saw.
        let unseen = ConversionTests.samples(64, seed: 12)
        let beforeUnseen = try BiasCorrection.meanErrors(reference: graph, quantized: graph, ranges: ranges, samples: unseen, workers: 2)
        let afterUnseen = try BiasCorrection.meanErrors(reference: graph, quantized: corrected, ranges: ranges, samples: unseen, workers: 2)
        #expect(Self.meanAbsolute(afterUnseen) < Self.meanAbsolute(beforeUnseen))
    }

    @Test func correctedConversionIsAValidModelThatRuns() throws {
        let graph = try SampleGraphs.everyOp()
        let samples = ConversionTests.samples(64, seed: 1)
        let plain = try Conversion(graph: graph, calibration: .samples(samples, .percentile))
        let corrected = try Conversion(graph: graph, calibration: .samples(samples, .percentile), biasCorrection: .int8)
        #expect(corrected.biasCorrection == .int8 && plain.biasCorrection == nil)
        // Same float reference, same ranges, same layers and weights: only biases differ.
        #expect(corrected.prepared == plain.prepared)
        #expect(corrected.ranges == plain.ranges)
        #expect(corrected.program.layers.map(\.opcode) == plain.program.layers.map(\.opcode))
        #expect(corrected.program.layers.map(\.weights) == plain.program.layers.map(\.weights))
        #expect(corrected.program.layers.map(\.bias) != plain.program.layers.map(\.bias))
        #expect(corrected.plan.arenaSize == plain.plan.arenaSize)

        let (worst, spread, outputs) = try ConversionTests.int8AgainstFloat(corrected)
        for actual in outputs { #expect(actual.count == 10 && actual.allSatisfy(\.isFinite)) }
        #expect(worst <= 0.05 * spread, "worst \(worst), spread \(spread)")
    }

    @Test func aLayerWithoutBiasGainsOne() throws {
        var b = GraphBuilder(inputShape: [1, 4, 4, 1])
        var random = SeededRandom(seed: 3)
        let conv = try b.add(.conv2D(strideY: 1, strideX: 1, padding: .same, activation: .relu), name: "c", inputs: [
            b.input, b.constant("k", shape: [3, 3, 1, 3], data: random.floats(27, in: -1...1)),
        ])
        let graph = try b.finish(output: conv)
        let samples = ConversionTests.samples(16, seed: 5).map { Array($0.prefix(16)) }
        let ranges = try Calibration.ranges(graph, samples: samples, method: .minmax)
        let corrected = try BiasCorrection.corrected(graph, ranges: ranges, samples: samples, workers: 1)
        try corrected.validate()
        #expect(corrected.nodes[0].inputs.count == 3)
        #expect(corrected.tensors[corrected.nodes[0].inputs[2]].data?.count == 3)
    }

    @Test func graphsWithoutConvOrDenseAreUnchanged() throws {
        var b = GraphBuilder(inputShape: [1, 4, 4, 2])
        let pool = try b.add(.maxPool2D(Window2D(height: 2, width: 2, strideY: 2, strideX: 2, padding: .valid)), name: "pool", inputs: [b.input])
        let mean = try b.add(.globalAveragePool, name: "gap", inputs: [pool])
        let graph = try b.finish(output: mean)
        let samples = ConversionTests.samples(8, seed: 6).map { Array($0.prefix(32)) }
        let ranges = try Calibration.ranges(graph, samples: samples, method: .minmax)
        #expect(try BiasCorrection.corrected(graph, ranges: ranges, samples: samples) == graph)
        let plain = try Conversion(graph: graph, calibration: .samples(samples, .minmax))
        let corrected = try Conversion(graph: graph, calibration: .samples(samples, .minmax), biasCorrection: .int8)
        #expect(corrected.bytes == plain.bytes)
    }

    @Test func needsSamples() throws {
        #expect(throws: QuantizerError("bias correction needs calibration samples")) {
            try Conversion(graph: try SampleGraphs.everyOp(), calibration: .dataFree, biasCorrection: .int8)
        }
        let graph = try Self.prepared(SampleGraphs.everyOp())
        let ranges = DataFreeRanges.ranges(original: try SampleGraphs.everyOp(), prepared: graph)
        #expect(throws: QuantizerError("bias correction needs at least one calibration sample")) {
            try BiasCorrection.corrected(graph, ranges: ranges, samples: [])
        }
    }
}
