import ModelFormat

/// Float32 max and average pooling with TensorFlow's padding: padded positions are ignored by max pooling
/// and left out of the average's divisor.
enum PoolFloat {
    enum Kind { case max, average }

    static func run(
        _ kind: Kind, input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>,
        inputShape: [Int], window: Window2D
    ) {
        let h = inputShape[1], w = inputShape[2], c = inputShape[3]
        guard let out = window.output(inputHeight: h, inputWidth: w) else { return }
        for oy in 0..<out.height {
            let y0 = oy * window.strideY - out.padTop
            let yRange = max(0, y0)..<min(h, y0 + window.height)
            for ox in 0..<out.width {
                let x0 = ox * window.strideX - out.padLeft
                let xRange = max(0, x0)..<min(w, x0 + window.width)
                let count = Float(yRange.count * xRange.count)
                let o = (oy * out.width + ox) * c
                for ch in 0..<c {
                    var acc: Float = kind == .max ? -.infinity : 0
                    for y in yRange {
                        for x in xRange {
                            let v = input[(y * w + x) * c + ch]
                            acc = kind == .max ? Swift.max(acc, v) : acc + v
                        }
                    }
                    output[o + ch] = kind == .max ? acc : acc / count
                }
            }
        }
    }

    /// Mean over height and width per channel, `[1, H, W, C]` to `[1, C]`.
    static func globalAverage(input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>) {
        let c = output.count
        let pixels = input.count / c
        for ch in 0..<c { output[ch] = 0 }
        for p in 0..<pixels {
            for ch in 0..<c { output[ch] += input[p * c + ch] }
        }
        for ch in 0..<c { output[ch] /= Float(pixels) }
    }

    /// Zero padding of height and width.
    struct Pads { var top, bottom, left, right: Int }

    static func pad(input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>, inputShape: [Int], pads: Pads) {
        let h = inputShape[1], w = inputShape[2], c = inputShape[3]
        let outWidth = w + pads.left + pads.right
        for i in output.indices { output[i] = 0 }
        for y in 0..<h {
            for x in 0..<w {
                let o = ((y + pads.top) * outWidth + x + pads.left) * c, i = (y * w + x) * c
                for ch in 0..<c { output[o + ch] = input[i + ch] }
            }
        }
    }
}
