/// Int8 mean over height and width (global average pooling), as TFLite Micro's integer MEAN: the raw sum
/// minus `input_zero_point · n`, requantized by a multiplier that already includes the division by `n`
/// (computed by the converter), plus the output zero point.
enum MeanInt8 {
    static func reference(_ c: KernelContext) {
        let xt = c.input, channels = xt.channels
        let count = xt.height * xt.width
        let multiplier = c.op.parameters.0, shift = c.op.parameters.1
        let zeroPointSum = xt.zeroPoint &* Int32(count)
        for ch in 0..<channels {
            var sum: Int32 = 0
            for p in 0..<count {
                sum = sum &+ Int32(c.x[p * channels + ch])
            }
            let acc = multiplyByQuantizedMultiplier(sum &- zeroPointSum, multiplier, shift) &+ c.output.zeroPoint
            c.y[ch] = clampToInt8(acc, c.op.activationMin, c.op.activationMax)
        }
    }
}
