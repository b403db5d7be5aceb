/// Int8 2-D convolution with per-output-channel requantization: the plain reference, loop for loop as
/// TFLite Micro's ConvPerChannel, and the same convolution with a max pooling fused after it.
enum ConvInt8 {
    static func reference(_ c: KernelContext) {
        let yt = c.output
        for oy in 0..<yt.height {
            for ox in 0..<yt.width {
                for oc in 0..<yt.channels {
                    c.y[(oy * yt.width + ox) * yt.channels + oc] = value(c, oy, ox, oc)
                }
            }
        }
    }

    /// Conv2D followed by a 'valid' max pooling (op parameters: pool height, width, stride y, stride x): each
    /// pooled value is the largest of the conv outputs in its window, computed where they are needed instead of
    /// stored. The conv output tensor never exists, which is the point (less arena), and conv outputs that no
    /// window covers are never computed. Equal to the reference conv then TFLite Micro's max pooling, because
    /// max pooling keeps the quantization and the max of clamped values is the clamped max.
    static func withMaxPool(_ c: KernelContext) {
        let yt = c.output
        let poolHeight = Int(c.op.parameters.0), poolWidth = Int(c.op.parameters.1)
        let strideY = Int(c.op.parameters.2), strideX = Int(c.op.parameters.3)
        for py in 0..<yt.height {
            for px in 0..<yt.width {
                for oc in 0..<yt.channels {
                    var best: Int8 = .min
                    for dy in 0..<poolHeight {
                        for dx in 0..<poolWidth {
                            best = max(best, value(c, py * strideY + dy, px * strideX + dx, oc))
                        }
                    }
                    c.y[(py * yt.width + px) * yt.channels + oc] = best
                }
            }
        }
    }

    /// One conv output value at (oy, ox, oc): the accumulation over the window (padding skipped), bias,
    /// requantization with TFLite Micro's double rounding, output offset and the fused activation clamp.
    @inline(__always)
    static func value(_ c: KernelContext, _ oy: Int, _ ox: Int, _ oc: Int) -> Int8 {
        let op = c.op, xt = c.input
        let cin = xt.channels, kh = op.kernelHeight, kw = op.kernelWidth
        let iy0 = oy * op.strideY - op.padTop, ix0 = ox * op.strideX - op.padLeft
        let inputOffset = c.inputOffset
        var acc: Int32 = 0
        for ky in 0..<kh {
            let iy = iy0 + ky
            guard iy >= 0 && iy < xt.height else { continue }
            for kx in 0..<kw {
                let ix = ix0 + kx
                guard ix >= 0 && ix < xt.width else { continue }
                let xRow = c.x + (iy * xt.width + ix) * cin
                let wRow = c.weights + ((oc * kh + ky) * kw + kx) * cin
                for ic in 0..<cin {
                    acc = acc &+ Int32(wRow[ic]) &* (Int32(xRow[ic]) &+ inputOffset)
                }
            }
        }
        if let bias = c.bias { acc = acc &+ bias[oc] }
        acc = multiplyByQuantizedMultiplier(acc, c.multipliers[oc], c.shifts[oc]) &+ c.output.zeroPoint
        return clampToInt8(acc, op.activationMin, op.activationMax)
    }
}
