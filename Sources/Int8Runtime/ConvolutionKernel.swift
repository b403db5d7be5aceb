/// Everything a Conv2D kernel needs, as plain values and pointers into the arena and the model: what the
/// interpreter hands to a `ConvolutionKernel` that may replace the reference kernel.
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
}

/// A Conv2D implementation that may take over from the reference kernel, for example a host SIMD kernel. It
/// must produce exactly the reference's bytes, or return false to let the reference run.
public protocol ConvolutionKernel {
    static func run(_ call: ConvolutionCall) -> Bool
}

/// No replacement: every Conv2D runs the reference kernel (what firmware uses).
public enum ReferenceConvolution: ConvolutionKernel {
    public static func run(_ call: ConvolutionCall) -> Bool { false }
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
            pool: (op.parameters.0, op.parameters.1, op.parameters.2, op.parameters.3))
    }
}
