import Int8Runtime

/// Estimated instructions, cycles and milliseconds per layer on a board's core, from the core's per-op costs
/// (fitted to Firmware-Sim's instruction counts, docs/boards.md). An estimate, and labelled as such wherever it is
/// printed: Firmware-Sim measures instructions on the emulated core; cycles on a real core are not measured.
public struct CostEstimate: Equatable, Sendable {
    public var layerInstructions: [Double]
    public var cyclesPerInstruction: Double
    public var clockMHz: Double

    public var instructions: Double { layerInstructions.reduce(0, +) }
    public var cycles: Double { instructions * cyclesPerInstruction }
    public var milliseconds: Double { cycles / (clockMHz * 1000) }

    /// nil when the core has no cost model (no latency is estimated for it: say so where it would be printed).
    public init?(model: Q8Model, core: CoreModel, clockMHz: Double) {
        guard let cyclesPerInstruction = core.cyclesPerInstruction, let instructions = core.instructions else { return nil }
        self.clockMHz = clockMHz
        self.cyclesPerInstruction = cyclesPerInstruction
        layerInstructions = (0..<model.opCount).map { step in
            // The catalog loader guarantees a priced core prices every kind. Work and outputs are Int8Runtime's (Q8OpWork),
            // the figures Firmware-Sim's runs were fitted against; a validated model always has them (the loader
            // bounds its work), so the infinite estimate is never reached.
            let cost = instructions[Self.kind(model.op(step).opcode)] ?? OpCost(perWork: 0, perOutput: 0, perOp: 0)
            guard let work = model.work(step) else { return .infinity }
            return Self.instructions(cost, work: work.work, outputs: work.outputs)
        }
    }

    /// The op kind's key in a core's `instructions`.
    public static func kind(_ opcode: Q8Opcode) -> String {
        switch opcode {
        case .conv2D: "conv2d"
        case .fullyConnected: "fully_connected"
        case .maxPool2D: "max_pool2d"
        case .averagePool2D: "average_pool2d"
        case .mean: "mean"
        case .add: "add"
        case .softmax: "softmax"
        // No fitted run has a Pad yet (the shipped and benchmark models have none): priced as a 1x1 max pool, which
        // also reads one value and writes one per output (a Pad's work is its outputs).
        case .pad: "max_pool2d"
        }
    }

    /// Instructions of one op under `cost`, from its work and outputs (`Q8OpWork`): per_work x work + per_output x
    /// outputs + per_op, the formula Tools/bench/fit_cost_model.py fits.
    public static func instructions(_ cost: OpCost, work: UInt64, outputs: UInt64) -> Double {
        cost.perWork * Double(work) + cost.perOutput * Double(outputs) + cost.perOp
    }
}
