import Foundation
import Int8Runtime

/// Estimated instructions, cycles and milliseconds per layer on a board's core, from the core's per-op costs
/// (fitted to Firmware-Sim's instruction counts, docs/boards.md) and its cycles per instruction (Firmware-Sim's
/// cycle estimate, zero wait states, when the catalog's `source` says so; else an assumption). An estimate, and
/// labelled as such wherever it is printed: no one here measures cycles on a real core.
public struct CostEstimate: Equatable, Sendable {
    public var layerInstructions: [Double]
    public var cyclesPerInstruction: Double
    /// Whether `cyclesPerInstruction` comes from Firmware-Sim's cycle estimate (Tools/bench/cost-model.sh writes
    /// "estimated cycles" into the core's `source` when it fits it) rather than an assumption.
    public var cyclesAreEstimated: Bool
    public var clockMHz: Double

    public var instructions: Double { layerInstructions.reduce(0, +) }
    public var cycles: Double { instructions * cyclesPerInstruction }
    public var milliseconds: Double { cycles / (clockMHz * 1000) }

    /// nil when the core has no cost model (no latency is estimated for it: say so where it would be printed).
    public init?(model: Q8Model, core: CoreModel, clockMHz: Double) {
        guard let cyclesPerInstruction = core.cyclesPerInstruction, let instructions = core.instructions else { return nil }
        self.clockMHz = clockMHz
        self.cyclesPerInstruction = cyclesPerInstruction
        cyclesAreEstimated = core.source?.contains("estimated cycles") ?? false
        layerInstructions = (0..<model.opCount).map { step in
            // The catalog loader guarantees a priced core prices every kind. Work and outputs are Int8Runtime's (Q8OpWork),
            // the figures Firmware-Sim's runs were fitted against; a validated model always has them (the loader
            // bounds its work), so the infinite estimate is never reached.
            let cost = instructions[Self.kind(model.op(step).opcode)] ?? OpCost(perWork: 0, perOutput: 0, perOp: 0)
            guard let work = model.work(step) else { return .infinity }
            return Self.instructions(cost, work: work.work, outputs: work.outputs)
        }
    }

    /// How the cycles follow from the instructions, in the words every printed estimate uses.
    public var cyclesBasis: String {
        cyclesAreEstimated
            ? String(format: "x %.3f cycles/instruction from Firmware-Sim's cycle estimate (the core's TRM timing): "
                     + "estimated cycles, zero wait states", cyclesPerInstruction)
            : String(format: "x %.2f cycles/instruction assumed", cyclesPerInstruction)
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
