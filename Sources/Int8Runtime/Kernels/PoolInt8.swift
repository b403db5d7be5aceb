/// Int8 max and average pooling (TFLite Micro's reference): input and output share quantization, padded
/// positions are skipped, the average divides by the number of real pixels, rounding half away from zero.
enum PoolInt8 {
    static func max(_ c: KernelContext) { pool(c, average: false) }
    static func average(_ c: KernelContext) { pool(c, average: true) }

    private static func pool(_ c: KernelContext, average: Bool) {
        let op = c.op, xt = c.input, yt = c.output
        let channels = yt.channels
        for oy in 0..<yt.height {
            let y0 = oy * op.strideY - op.padTop
            let yStart = Swift.max(0, y0), yEnd = Swift.min(xt.height, y0 + op.kernelHeight)
            for ox in 0..<yt.width {
                let x0 = ox * op.strideX - op.padLeft
                let xStart = Swift.max(0, x0), xEnd = Swift.min(xt.width, x0 + op.kernelWidth)
                let count = Int32((yEnd - yStart) * (xEnd - xStart))
                for ch in 0..<channels {
                    var acc: Int32 = average ? 0 : -128
                    for iy in yStart..<yEnd {
                        for ix in xStart..<xEnd {
                            let v = Int32(c.x[(iy * xt.width + ix) * channels + ch])
                            acc = average ? acc &+ v : Swift.max(acc, v)
                        }
                    }
                    if average {
                        acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count
                    }
                    c.y[(oy * yt.width + ox) * channels + ch] = clampToInt8(acc, op.activationMin, op.activationMax)
                }
            }
        }
    }
}
