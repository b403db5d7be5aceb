import ModelFormat

/// Float32 2-D convolution, NHWC input, HWIO kernel, with TensorFlow's padding.
enum Conv2DFloat {
    struct Geometry {
        var inputHeight, inputWidth, inputChannels: Int
        var kernelHeight, kernelWidth, outputChannels: Int
        var strideY, strideX, padTop, padLeft: Int
        var outputHeight, outputWidth: Int
    }

    /// Output channels are innermost: the kernel stores them contiguously, so each input value is broadcast
    /// over a row of weights. Sixteen output channels at a time stay in registers for the whole window.
    static func run(
        input: UnsafeBufferPointer<Float>, kernel: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>?,
        output: UnsafeMutableBufferPointer<Float>, geometry g: Geometry
    ) {
        let cout = g.outputChannels, cin = g.inputChannels
        let x = input.baseAddress!, w = UnsafeRawPointer(kernel.baseAddress!), o = output.baseAddress!
        let vectorEnd = cout - cout % 16
        for oy in 0..<g.outputHeight {
            let iy0 = oy * g.strideY - g.padTop
            let kyRange = max(0, -iy0)..<min(g.kernelHeight, g.inputHeight - iy0)
            for ox in 0..<g.outputWidth {
                let ix0 = ox * g.strideX - g.padLeft
                let kxRange = max(0, -ix0)..<min(g.kernelWidth, g.inputWidth - ix0)
                let out = o + (oy * g.outputWidth + ox) * cout
                var co = 0
                while co < vectorEnd {
                    var acc = SIMD16<Float>(repeating: 0)
                    if let bias { acc = UnsafeRawPointer(bias.baseAddress! + co).loadUnaligned(as: SIMD16<Float>.self) }
                    for ky in kyRange {
                        for kx in kxRange {
                            let row = x + ((iy0 + ky) * g.inputWidth + (ix0 + kx)) * cin
                            var weights = w + (((ky * g.kernelWidth + kx) * cin) * cout + co) * 4
                            for ci in 0..<cin {
                                acc += SIMD16(repeating: row[ci]) * weights.loadUnaligned(as: SIMD16<Float>.self)
                                weights += cout * 4
                            }
                        }
                    }
                    UnsafeMutableRawPointer(out + co).storeBytes(of: acc, as: SIMD16<Float>.self)
                    co += 16
                }
                // Channels beyond the last multiple of 16, one at a time.
                while co < cout {
                    var acc = bias?[co] ?? 0
                    for ky in kyRange {
                        for kx in kxRange {
                            let row = x + ((iy0 + ky) * g.inputWidth + (ix0 + kx)) * cin
                            let base = ((ky * g.kernelWidth + kx) * cin) * cout + co
                            for ci in 0..<cin { acc += row[ci] * kernel[base + ci * cout] }
                        }
                    }
                    out[co] = acc
                    co += 1
                }
            }
        }
    }
}
