/// Int8 fully connected layer with per-output-channel requantization (TFLite Micro's FullyConnected,
/// weights `[M][N]`).
enum FullyConnectedInt8 {
    static func reference(_ c: KernelContext) {
        let n = c.input.size, m = c.output.channels
        let w = c.weights, bias = c.bias, multipliers = c.multipliers, shifts = c.shifts
        let inputOffset = c.inputOffset, outputOffset = c.output.zeroPoint
        for o in 0..<m {
            var acc: Int32 = 0
            let row = w + o * n
            for i in 0..<n {
                acc = acc &+ Int32(row[i]) &* (Int32(c.x[i]) &+ inputOffset)
            }
            if let bias { acc = acc &+ bias[o] }
            acc = multiplyByQuantizedMultiplier(acc, multipliers[o], shifts[o]) &+ outputOffset
            c.y[o] = clampToInt8(acc, c.op.activationMin, c.op.activationMax)
        }
    }
}
