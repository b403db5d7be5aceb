/// Everything a Conv2D kernel needs, as plain values and pointers into the arena and the model: what the
/// interpreter hands to `KernelOverrides` that may replace the reference kernel.
public struct ConvolutionCall {
    public var x: UnsafePointer<Int8>
    public var inputHeight, inputWidth, inputChannels: Int
    public var inputOffset: Int32
    /// OHWI weights.
    public var weights: UnsafePointer<Int8>
    public var bias: UnsafePointer<Int32>?
    public var multipliers: UnsafePointer<Int32>
    public var shifts: UnsafePointer<Int32>
    public var y: UnsafeMutablePointer<Int8>
    public var outputHeight, outputWidth, outputChannels: Int
    public var outputOffset: Int32
    public var kernelHeight, kernelWidth, strideY, strideX, padTop, padLeft: Int
    public var activationMin, activationMax: Int32
    /// A fused 'valid' max pooling: height, width, stride y, stride x; all 0 for none.
    public var pool: (Int32, Int32, Int32, Int32)
    /// The op's scratch in the arena (the plan's `scratch_offset`, `scratch_size`; not cleared). A fast path
    /// that needs more than this declines, so a file planned with less (or none) still runs, on the reference.
    public var scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)
}

/// The inputs of one Add op: both int8 inputs, the output, and the op parameters (docs/q8-format.md).
public struct AddCall {
    public var x, z: UnsafePointer<Int8>
    public var y: UnsafeMutablePointer<Int8>
    public var count: Int
    public var offset1, offset2, outputOffset: Int32
    public var multiplier1, multiplier2, outputMultiplier: Int32
    public var shift1, shift2, outputShift, leftShift: Int32
    public var activationMin, activationMax: Int32
    /// The op's scratch in the arena, as for `ConvolutionCall.scratch`.
    public var scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)
}

/// The inputs of one FullyConnected op: weights `[outputs][inputs]`, per-output requantization.
public struct FullyConnectedCall {
    public var x: UnsafePointer<Int8>
    public var inputs: Int
    public var inputOffset: Int32
    public var weights: UnsafePointer<Int8>
    public var bias: UnsafePointer<Int32>?
    public var multipliers: UnsafePointer<Int32>
    public var shifts: UnsafePointer<Int32>
    public var y: UnsafeMutablePointer<Int8>
    public var outputs: Int
    public var outputOffset: Int32
    public var activationMin, activationMax: Int32
}

/// Kernels that may take over from the reference ones, for example host SIMD kernels. Each must produce
/// exactly the reference's bytes, or return false to let the reference run.
public protocol KernelOverrides {
    static func convolution(_ call: ConvolutionCall) -> Bool
    static func add(_ call: AddCall) -> Bool
    static func fullyConnected(_ call: FullyConnectedCall) -> Bool
}

extension KernelOverrides {
    /// Kernels that do not replace FullyConnected leave it to the reference.
    public static func fullyConnected(_ call: FullyConnectedCall) -> Bool { false }
}

/// No replacement: every op runs the reference kernel (what firmware uses).
public enum ReferenceKernels: KernelOverrides {
    public static func convolution(_ call: ConvolutionCall) -> Bool { false }
    public static func add(_ call: AddCall) -> Bool { false }
}

extension KernelContext {
    var convolutionCall: ConvolutionCall {
        ConvolutionCall(
            x: x, inputHeight: input.height, inputWidth: input.width, inputChannels: input.channels, inputOffset: inputOffset,
            weights: weights, bias: bias, multipliers: multipliers, shifts: shifts,
            y: y, outputHeight: output.height, outputWidth: output.width, outputChannels: output.channels,
            outputOffset: output.zeroPoint,
            kernelHeight: op.kernelHeight, kernelWidth: op.kernelWidth, strideY: op.strideY, strideX: op.strideX,
            padTop: op.padTop, padLeft: op.padLeft, activationMin: op.activationMin, activationMax: op.activationMax,
            pool: (op.parameters.0, op.parameters.1, op.parameters.2, op.parameters.3), scratch: scratch)
    }
}

extension KernelContext {
    var fullyConnectedCall: FullyConnectedCall {
        FullyConnectedCall(
            x: x, inputs: input.size, inputOffset: inputOffset, weights: weights, bias: bias, multipliers: multipliers,
            shifts: shifts, y: y, outputs: output.channels, outputOffset: output.zeroPoint,
            activationMin: op.activationMin, activationMax: op.activationMax)
    }

    func addCall(second: Q8Tensor, z: UnsafePointer<Int8>) -> AddCall {
        let p = op.parameters
        let shifts = UInt32(bitPattern: p.3)
        return AddCall(
            x: x, z: z, y: y, count: output.size,
            offset1: -input.zeroPoint, offset2: -second.zeroPoint, outputOffset: output.zeroPoint,
            multiplier1: p.0, multiplier2: p.1, outputMultiplier: p.2,
            shift1: Int32(Int8(truncatingIfNeeded: shifts)), shift2: Int32(Int8(truncatingIfNeeded: shifts >> 8)),
            outputShift: Int32(Int8(truncatingIfNeeded: shifts >> 16)), leftShift: Int32(Int8(truncatingIfNeeded: shifts >> 24)),
            activationMin: op.activationMin, activationMax: op.activationMax, scratch: scratch)
    }
}
