import FloatEngine
import ModelFormat

/// Where activation ranges come from.
public enum CalibrationSource: Sendable {
    /// Sample inputs (each the graph input's elements), observed with the given method.
    case samples([[Float]], CalibrationMethod)
    /// No data: ranges from BatchNorm statistics.
    case dataFree
}

/// The result of converting a float graph: every intermediate a report needs, and the .q8 bytes.
public struct Conversion: Sendable {
    /// The float graph after Dropout removal, BatchNorm folding, activation fusion and Pad folding.
    public var prepared: FloatGraph
    public var ranges: [Int: TensorRange]
    public var program: Int8Program
    public var plan: MemoryPlan
    /// TFLite Micro's greedy-by-size plan of the unfused program's buffers, for comparison.
    public var tflmPlan: MemoryPlan
    public var bytes: [UInt8]
    public var dataFree: Bool
    /// How Conv2D and Dense biases were corrected for the int8 error of their outputs' means (`BiasCorrection`),
    /// nil when they were not; `prepared` keeps the float biases, the program has the corrected ones.
    public var biasCorrection: BiasCorrection.Inputs?

    /// Runs every pass: removeDropout, foldBatchNorm, fuseActivations, foldPads, calibration, bias correction (when asked
    /// for), lowering, fuseConvMaxPool, planning, writing. Bias correction needs samples. `progress(done, total)`
    /// counts calibration sample runs, then (starting again) bias correction's.
    public init(graph: FloatGraph, calibration: CalibrationSource, biasCorrection: BiasCorrection.Inputs? = nil,
                progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws(QuantizerError) {
        prepared = foldPads(fuseActivations(try foldBatchNorm(removeDropout(graph))))
        var lowered = prepared
        switch calibration {
        case let .samples(samples, method):
            ranges = try Calibration.ranges(prepared, samples: samples, method: method, progress: progress)
            dataFree = false
            if let biasCorrection {
                lowered = try BiasCorrection.corrected(prepared, ranges: ranges, samples: samples, inputs: biasCorrection,
                                                       progress: progress)
            }
        case .dataFree:
            guard biasCorrection == nil else { throw QuantizerError("bias correction needs calibration samples") }
            ranges = DataFreeRanges.ranges(original: graph, prepared: prepared)
            dataFree = true
        }
        self.biasCorrection = biasCorrection
        let unfused = try lowerToInt8(lowered, ranges: ranges)
        program = fuseConvMaxPool(unfused)
        plan = MemoryPlanner.plan(Q8Writer.buffers(of: program))
        // TFLite Micro runs every op on its own, so its plan is of the unfused program.
        tflmPlan = MemoryPlanner.greedyBySize(Q8Writer.buffers(of: unfused))
        bytes = try Q8Writer.write(program, plan: plan)
    }
}
