/// Int8 fully connected layer with per-output-channel requantization (TFLite Micro's FullyConnected,
/// weights `[M][N]`).
enum FullyConnectedInt8 {
    /// The kernel the interpreter runs when no override takes the op: four rows per pass over the input
    /// (FullyConnectedInt8Fast.swift) when it takes the op, else the reference; with
    /// `-D EDGEQUANT_REFERENCE_KERNELS` the reference.
    static func run(_ c: KernelContext) {
        let call = c.fullyConnectedCall
#if !EDGEQUANT_REFERENCE_KERNELS
        if fast(call) { return }
#endif
        reference(call)
    }

    static func reference(_ c: KernelContext) { reference(c.fullyConnectedCall) }

    static func reference(_ f: FullyConnectedCall) {
        let n = f.inputs, m = f.outputs
        for o in 0..<m {
            var acc: Int32 = 0
            let row = f.weights + o * n
            for i in 0..<n {
                acc = acc &+ Int32(row[i]) &* (Int32(f.x[i]) &+ f.inputOffset)
            }
            f.y[o] = output(acc, o, f)
        }
    }

    /// Bias, the output channel's requantization, offset and clamp.
    @inline(__always) static func output(_ acc: Int32, _ o: Int, _ f: FullyConnectedCall) -> Int8 {
        var acc = acc
        if let bias = f.bias { acc = acc &+ bias[o] }
        acc = multiplyByQuantizedMultiplier(acc, f.multipliers[o], f.shifts[o]) &+ f.outputOffset
        return clampToInt8(acc, f.activationMin, f.activationMax)
    }
}
