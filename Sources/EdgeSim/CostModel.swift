import Int8Runtime

/// Estimated cycles and milliseconds per layer on a board's core: MACs / (MACs per cycle) plus a fixed
/// per-op overhead. An estimate, labelled as such, until Firmware-Sim measures instructions on the target.
public struct CostEstimate: Equatable, Sendable {
    public var layerCycles: [Double]
    public var clockMHz: Double

    public var cycles: Double { layerCycles.reduce(0, +) }
    public var milliseconds: Double { cycles / (clockMHz * 1000) }

    public init(model: Q8Model, core: CoreModel, clockMHz: Double) {
        self.clockMHz = clockMHz
        layerCycles = (0..<model.opCount).map { step in
            Double(Self.macs(model, step)) / core.macsPerCycle + core.cyclesPerOp
        }
    }

    /// Multiply-accumulates of one op (the elements it reads, for ops without weights).
    public static func macs(_ model: Q8Model, _ step: Int) -> Int {
        let op = model.op(step)
        let input = model.tensor(op.input), output = model.tensor(op.output)
        switch op.opcode {
        case .conv2D: return output.size * op.kernelHeight * op.kernelWidth * input.channels
        case .fullyConnected: return output.size * input.size
        case .maxPool2D, .averagePool2D: return output.size * op.kernelHeight * op.kernelWidth
        case .mean: return input.size
        case .add: return output.size
        }
    }
}
