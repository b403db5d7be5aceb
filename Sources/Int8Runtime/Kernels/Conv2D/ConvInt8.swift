/// Int8 2-D convolution with per-output-channel requantization: the plain reference, loop for loop as
/// TFLite Micro's ConvPerChannel, and the same convolution with a max pooling fused after it. These loops are
/// the definition the fast path (ConvInt8Quad.swift and the Quad*.swift files beside it) is tested against, byte
/// for byte.
public enum ConvInt8 {
    /// The kernel the interpreter runs for a Conv2D: the quad path when it takes the op (columns of at most
    /// `quadCapacity` values, and the op's scratch fits), else the reference.
    /// Built with `-D EDGEQUANT_REFERENCE_KERNELS`, always the reference (to measure what the fast paths gain).
    static func run(_ context: KernelContext) {
        let c = context.convolutionCall
#if !EDGEQUANT_REFERENCE_KERNELS
        if quad(c) { return }
#endif
        if c.pool.0 != 0 { withMaxPool(c) } else { reference(c) }
    }

    /// Bytes of arena scratch `run` needs for a conv of this shape (CMSIS-NN's _get_buffer_size): the quad
    /// path's layout when it takes the shape, else none. Every build takes the same path for a shape (the
    /// reference build needs none), so this is the most any target takes, and a .q8 planned with it runs the fast
    /// path anywhere. `poolHeight`, `poolWidth`: the fused max pooling's window, 0 for none.
    public static func scratchSize(kernelHeight: Int, kernelWidth: Int, inputChannels: Int, outputChannels: Int,
                                   poolHeight: Int, poolWidth: Int) -> Int {
        guard kernelHeight > 0, kernelWidth > 0, inputChannels > 0, outputChannels > 0,
              kernelHeight <= 255, kernelWidth <= 255, inputChannels <= 65535 else { return 0 }
        let k = kernelHeight * kernelWidth * inputChannels
        guard k <= quadCapacity else { return 0 }
        let window = poolHeight > 0 ? poolHeight &* poolWidth : 1
        return QuadScratchLayout(k: k, channels: outputChannels, window: window).size
    }

    static func reference(_ c: KernelContext) { reference(c.convolutionCall) }
    static func withMaxPool(_ c: KernelContext) { withMaxPool(c.convolutionCall) }

    static func reference(_ c: ConvolutionCall) {
        for oy in 0..<c.outputHeight {
            for ox in 0..<c.outputWidth {
                for oc in 0..<c.outputChannels {
                    c.y[(oy * c.outputWidth + ox) * c.outputChannels + oc] = value(c, oy, ox, oc)
                }
            }
        }
    }

    /// Conv2D followed by a 'valid' max pooling (op parameters: pool height, width, stride y, stride x): each
    /// pooled value is the largest of the conv outputs in its window, computed where they are needed instead of
    /// stored. The conv output tensor never exists, which is the point (less arena), and conv outputs that no
    /// window covers are never computed. Equal to the reference conv then TFLite Micro's max pooling, because
    /// max pooling keeps the quantization and the max of clamped values is the clamped max.
    static func withMaxPool(_ c: ConvolutionCall) {
        let poolHeight = Int(c.pool.0), poolWidth = Int(c.pool.1)
        let strideY = Int(c.pool.2), strideX = Int(c.pool.3)
        for py in 0..<c.outputHeight {
            for px in 0..<c.outputWidth {
                for oc in 0..<c.outputChannels {
                    var best: Int8 = .min
                    for dy in 0..<poolHeight {
                        for dx in 0..<poolWidth {
                            best = max(best, value(c, py * strideY + dy, px * strideX + dx, oc))
                        }
                    }
                    c.y[(py * c.outputWidth + px) * c.outputChannels + oc] = best
                }
            }
        }
    }

    /// One conv output value at (oy, ox, oc): the accumulation over the window (padding skipped), bias,
    /// requantization with TFLite Micro's double rounding, output offset and the fused activation clamp.
    @inline(__always)
    static func value(_ c: ConvolutionCall, _ oy: Int, _ ox: Int, _ oc: Int) -> Int8 {
        let cin = c.inputChannels, kh = c.kernelHeight, kw = c.kernelWidth
        let iy0 = oy * c.strideY - c.padTop, ix0 = ox * c.strideX - c.padLeft
        let inputOffset = c.inputOffset
        var acc: Int32 = 0
        for ky in 0..<kh {
            let iy = iy0 + ky
            guard iy >= 0 && iy < c.inputHeight else { continue }
            for kx in 0..<kw {
                let ix = ix0 + kx
                guard ix >= 0 && ix < c.inputWidth else { continue }
                let xRow = c.x + (iy * c.inputWidth + ix) * cin
                let wRow = c.weights + ((oc * kh + ky) * kw + kx) * cin
                for ic in 0..<cin {
                    acc = acc &+ Int32(wRow[ic]) &* (Int32(xRow[ic]) &+ inputOffset)
                }
            }
        }
        if let bias = c.bias { acc = acc &+ bias[oc] }
        acc = multiplyByQuantizedMultiplier(acc, c.multipliers[oc], c.shifts[oc]) &+ c.outputOffset
        return clampToInt8(acc, c.activationMin, c.activationMax)
    }
}
