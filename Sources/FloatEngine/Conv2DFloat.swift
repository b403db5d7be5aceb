import ModelFormat

/// Float32 2-D convolution, NHWC input, HWIO kernel, with TensorFlow's padding.
enum Conv2DFloat {
    struct Geometry {
        var inputHeight, inputWidth, inputChannels: Int
        var kernelHeight, kernelWidth, outputChannels: Int
        var strideY, strideX, padTop, padLeft: Int
        var outputHeight, outputWidth: Int
    }

    /// Output channels are the innermost loop: the kernel stores them contiguously, so each input value
    /// is broadcast over a contiguous weight row and the loop vectorizes.
    static func run(
        input: UnsafeBufferPointer<Float>, kernel: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>?,
        output: UnsafeMutableBufferPointer<Float>, geometry g: Geometry
    ) {
        let cout = g.outputChannels
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let acc = UnsafeMutableBufferPointer(rebasing: output[((oy * g.outputWidth + ox) * cout)...].prefix(cout))
                if let bias {
                    for co in 0..<cout { acc[co] = bias[co] }
                } else {
                    for co in 0..<cout { acc[co] = 0 }
                }
                let iy0 = oy * g.strideY - g.padTop, ix0 = ox * g.strideX - g.padLeft
                for ky in max(0, -iy0)..<min(g.kernelHeight, g.inputHeight - iy0) {
                    for kx in max(0, -ix0)..<min(g.kernelWidth, g.inputWidth - ix0) {
                        let inBase = ((iy0 + ky) * g.inputWidth + (ix0 + kx)) * g.inputChannels
                        let wBase = (ky * g.kernelWidth + kx) * g.inputChannels * cout
                        for ci in 0..<g.inputChannels {
                            let x = input[inBase + ci]
                            let w = wBase + ci * cout
                            for co in 0..<cout { acc[co] += x * kernel[w + co] }
                        }
                    }
                }
            }
        }
    }
}
