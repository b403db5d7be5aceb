/// Int8 mean over height and width (global average pooling) with requantization from the input's to the
/// output's scale: sum of `x − input_zero_point`, requantized, divided by H·W rounding half away from zero.
enum MeanInt8 {
    static func reference(_ c: KernelContext) {
        let xt = c.input, channels = xt.channels
        let count = Int32(xt.height * xt.width)
        let multiplier = c.op.parameters.0, shift = c.op.parameters.1
        for ch in 0..<channels {
            var acc: Int32 = 0
            for p in 0..<Int(count) {
                acc = acc &+ Int32(c.x[p * channels + ch]) &- xt.zeroPoint
            }
            acc = multiplyByQuantizedMultiplier(acc, multiplier, shift)
            acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count
            c.y[ch] = clampToInt8(acc &+ c.output.zeroPoint, c.op.activationMin, c.op.activationMax)
        }
    }
}
