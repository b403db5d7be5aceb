/// Int8 2-D convolution with per-output-channel requantization: the plain reference, loop for loop as
/// TFLite Micro's ConvPerChannel.
enum ConvInt8 {
    static func reference(_ c: KernelContext) {
        let op = c.op, xt = c.input, yt = c.output
        let cin = xt.channels, kh = op.kernelHeight, kw = op.kernelWidth
        let w = c.weights, bias = c.bias, multipliers = c.multipliers, shifts = c.shifts
        let inputOffset = c.inputOffset, outputOffset = yt.zeroPoint
        for oy in 0..<yt.height {
            for ox in 0..<yt.width {
                let iy0 = oy * op.strideY - op.padTop, ix0 = ox * op.strideX - op.padLeft
                for oc in 0..<yt.channels {
                    var acc: Int32 = 0
                    for ky in 0..<kh {
                        let iy = iy0 + ky
                        guard iy >= 0 && iy < xt.height else { continue }
                        for kx in 0..<kw {
                            let ix = ix0 + kx
                            guard ix >= 0 && ix < xt.width else { continue }
                            let xRow = c.x + (iy * xt.width + ix) * cin
                            let wRow = w + ((oc * kh + ky) * kw + kx) * cin
                            for ic in 0..<cin {
                                acc = acc &+ Int32(wRow[ic]) &* (Int32(xRow[ic]) &+ inputOffset)
                            }
                        }
                    }
                    if let bias { acc = acc &+ bias[oc] }
                    acc = multiplyByQuantizedMultiplier(acc, multipliers[oc], shifts[oc]) &+ outputOffset
                    c.y[(oy * yt.width + ox) * yt.channels + oc] = clampToInt8(acc, op.activationMin, op.activationMax)
                }
            }
        }
    }
}
