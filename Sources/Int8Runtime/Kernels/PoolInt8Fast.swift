/// AveragePool2D with SIMD window sums: four channels at a time (`DSP.windowSum4`: one word load and two SXTAB16
/// per pixel on Cortex-M4/M7, against a byte load, an add and the loop per value in the reference), one divide per
/// output value. The sums are exact (int16 lanes widened every 256 pixels), so the outputs are the reference's.
extension PoolInt8 {
    /// Declines (nothing written) fewer than 4 channels, or a window with no real pixel (the reference would
    /// divide by zero there).
    static func averageFast(_ p: PoolCall) -> Bool {
        let channels = p.channels
        guard channels >= 4 else { return false }
        for oy in 0..<p.outputHeight {
            let y0 = oy &* p.strideY &- p.padTop
            guard Swift.min(p.inputHeight, y0 &+ p.kernelHeight) > Swift.max(0, y0) else { return false }
        }
        for ox in 0..<p.outputWidth {
            let x0 = ox &* p.strideX &- p.padLeft
            guard Swift.min(p.inputWidth, x0 &+ p.kernelWidth) > Swift.max(0, x0) else { return false }
        }
        let low = p.activationMin, high = p.activationMax, rowStride = p.inputWidth &* channels
        for oy in 0..<p.outputHeight {
            let y0 = oy &* p.strideY &- p.padTop
            let yStart = Swift.max(0, y0), rows = Swift.min(p.inputHeight, y0 &+ p.kernelHeight) &- yStart
            for ox in 0..<p.outputWidth {
                let x0 = ox &* p.strideX &- p.padLeft
                let xStart = Swift.max(0, x0), cols = Swift.min(p.inputWidth, x0 &+ p.kernelWidth) &- xStart
                let count = Int32(truncatingIfNeeded: rows &* cols)
                let window = p.x + (yStart &* p.inputWidth &+ xStart) &* channels
                let out = p.y + (oy &* p.outputWidth &+ ox) &* channels
                var ch = 0
                while ch &+ 4 <= channels {
                    let s = DSP.windowSum4(window + ch, rows, cols, rowStride, channels)
                    out[ch] = average(s.0, count, low, high)
                    out[ch &+ 1] = average(s.1, count, low, high)
                    out[ch &+ 2] = average(s.2, count, low, high)
                    out[ch &+ 3] = average(s.3, count, low, high)
                    ch &+= 4
                }
                while ch < channels {
                    var sum: Int32 = 0
                    for r in 0..<rows {
                        for q in 0..<cols { sum &+= Int32(window[r &* rowStride &+ q &* channels &+ ch]) }
                    }
                    out[ch] = average(sum, count, low, high)
                    ch &+= 1
                }
            }
        }
        return true
    }

    /// The rounding (half away from zero) division of a window sum by its pixel count (> 0), clamped: the
    /// reference's and the fast path's.
    @inline(__always) static func average(_ sum: Int32, _ count: Int32, _ low: Int32, _ high: Int32) -> Int8 {
        clampToInt8(sum > 0 ? (sum &+ count / 2) / count : (sum &- count / 2) / count, low, high)
    }
}
