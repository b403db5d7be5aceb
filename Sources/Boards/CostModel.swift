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

    public init(model: Q8Model, core: CoreModel, clockMHz: Double) {
        self.clockMHz = clockMHz
        cyclesPerInstruction = core.cyclesPerInstruction
        layerInstructions = (0..<model.opCount).map { step in
            // The catalog loader guarantees every kind is priced.
            let cost = core.instructions[Self.kind(model.op(step).opcode)] ?? OpCost(perWork: 0, perOutput: 0, perOp: 0)
            return cost.perWork * Double(Self.work(model, step)) + cost.perOutput * Double(Self.outputs(model, step))
                + cost.perOp
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
        }
    }

    /// Elements an op computes; for a Conv2D with a fused max pool, the conv outputs inside the pool windows.
    public static func outputs(_ model: Q8Model, _ step: Int) -> Int {
        let op = model.op(step)
        let size = model.tensor(op.output).size
        guard op.opcode == .conv2D, op.parameters.0 > 0 else { return size }
        return size * Int(op.parameters.0) * Int(op.parameters.1)
    }

    /// Multiply-accumulates of one op (Conv2D and FullyConnected), or the elements it reads (the others).
    public static func work(_ model: Q8Model, _ step: Int) -> Int {
        let op = model.op(step)
        let input = model.tensor(op.input), output = model.tensor(op.output)
        switch op.opcode {
        case .conv2D: return outputs(model, step) * op.kernelHeight * op.kernelWidth * input.channels
        case .fullyConnected: return output.size * input.size
        case .maxPool2D, .averagePool2D: return output.size * op.kernelHeight * op.kernelWidth
        case .mean: return input.size
        case .add: return output.size
        }
    }
}
