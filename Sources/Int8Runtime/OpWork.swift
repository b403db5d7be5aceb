/// The work of one op: the single definition the loader's work bound, the converter's MAC count, the simulator's
/// cost model and Firmware-Sim (through `edge-sim inspect --json`) all use.
///
/// - `outputs`: the elements the op computes. A Conv2D with a fused max pool computes the conv outputs its pool
///   windows cover (pooled size × pool window), not the pooled size.
/// - `macs`: multiply-accumulates; Conv2D: outputs × kernel window × input channels; FullyConnected: outputs ×
///   inputs; 0 for ops without weights.
/// - `work`: what bounds the running time: the MACs of Conv2D and FullyConnected, the elements read by the others
///   (pools: outputs × window; Mean: its input; Add: both inputs, 2 × outputs; Softmax: three passes, 3 × outputs;
///   Pad: its outputs, each written once).
///
/// Every product is taken in UInt64 with overflow checks: a figure that does not fit (only possible for a crafted
/// file) gives `nil`, never a trap, on a 32-bit or 64-bit target.
public struct Q8OpWork: Equatable, Sendable {
    public var outputs: UInt64
    public var macs: UInt64
    public var work: UInt64

    /// The work of an op of `opcode` from its shapes: `inputSize` and `inputChannels` of its (first) input,
    /// `outputSize` of the tensor it writes, its kernel (or pool) window, and for a Conv2D the fused pool window
    /// (0 × 0 for none). `nil` when a product overflows 64 bits.
    public init?(opcode: Q8Opcode, inputSize: UInt64, inputChannels: UInt64, outputSize: UInt64,
                 kernelHeight: UInt64, kernelWidth: UInt64, poolHeight: UInt64 = 0, poolWidth: UInt64 = 0) {
        guard let window = Self.product(kernelHeight, kernelWidth) else { return nil }
        switch opcode {
        case .conv2D:
            guard let pool = Self.product(poolHeight, poolWidth),
                  let computed = poolHeight == 0 ? outputSize : Self.product(outputSize, pool),
                  let perOutput = Self.product(window, inputChannels),
                  let macs = Self.product(computed, perOutput)
            else { return nil }
            (outputs, self.macs, work) = (computed, macs, macs)
        case .fullyConnected:
            guard let macs = Self.product(outputSize, inputSize) else { return nil }
            (outputs, self.macs, work) = (outputSize, macs, macs)
        case .maxPool2D, .averagePool2D:
            guard let read = Self.product(outputSize, window) else { return nil }
            (outputs, macs, work) = (outputSize, 0, read)
        case .mean:
            (outputs, macs, work) = (outputSize, 0, inputSize)
        case .add:
            guard let read = Self.product(outputSize, 2) else { return nil }
            (outputs, macs, work) = (outputSize, 0, read)
        case .softmax:
            // Three passes over the row: the maximum, the sum of exps, the outputs.
            guard let read = Self.product(outputSize, 3) else { return nil }
            (outputs, macs, work) = (outputSize, 0, read)
        case .pad:
            (outputs, macs, work) = (outputSize, 0, outputSize)
        }
    }

    static func product(_ a: UInt64, _ b: UInt64) -> UInt64? {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : result
    }
}

extension Q8Model {
    /// The work of op `step` (`0..<opCount`), read from its op record and tensor records. `nil` when a figure
    /// cannot be formed: a fused pool window that is negative, or a product that overflows 64 bits.
    public func work(_ step: Int) -> Q8OpWork? {
        let op = op(step)
        let x = tensor(op.input), y = tensor(op.output)
        var poolHeight: UInt64 = 0, poolWidth: UInt64 = 0
        if op.opcode == .conv2D {
            guard op.parameters.0 >= 0, op.parameters.1 >= 0 else { return nil }
            (poolHeight, poolWidth) = (UInt64(op.parameters.0), UInt64(op.parameters.1))
        }
        return Q8OpWork(opcode: op.opcode, inputSize: UInt64(x.size), inputChannels: UInt64(x.channels),
                        outputSize: UInt64(y.size), kernelHeight: UInt64(op.kernelHeight),
                        kernelWidth: UInt64(op.kernelWidth), poolHeight: poolHeight, poolWidth: poolWidth)
    }
}
