/// Int8 max and average pooling (TFLite Micro's reference): input and output share quantization, padded
/// positions are skipped, the average divides by the number of real pixels, rounding half away from zero.
enum PoolInt8 {
    static func max(_ c: KernelContext) { reference(c.poolCall, average: false) }

    /// The kernel the interpreter runs for an AveragePool2D: the SIMD window sums (PoolInt8Fast.swift) when they
    /// take the op, else the reference. Built with `-D EDGEQUANT_REFERENCE_KERNELS`, always the reference.
    static func average(_ c: KernelContext) {
        let call = c.poolCall
#if !EDGEQUANT_REFERENCE_KERNELS
        if averageFast(call) { return }
#endif
        reference(call, average: true)
    }

    static func reference(_ p: PoolCall, average: Bool) {
        let channels = p.channels
        for oy in 0..<p.outputHeight {
            let y0 = oy * p.strideY - p.padTop
            let yStart = Swift.max(0, y0), yEnd = Swift.min(p.inputHeight, y0 + p.kernelHeight)
            for ox in 0..<p.outputWidth {
                let x0 = ox * p.strideX - p.padLeft
                let xStart = Swift.max(0, x0), xEnd = Swift.min(p.inputWidth, x0 + p.kernelWidth)
                let count = Int32((yEnd - yStart) * (xEnd - xStart))
                for ch in 0..<channels {
                    var acc: Int32 = average ? 0 : -128
                    for iy in yStart..<yEnd {
                        for ix in xStart..<xEnd {
                            let v = Int32(p.x[(iy * p.inputWidth + ix) * channels + ch])
                            acc = average ? acc &+ v : Swift.max(acc, v)
                        }
                    }
                    p.y[(oy * p.outputWidth + ox) * channels + ch] = average
                        ? PoolInt8.average(acc, count, p.activationMin, p.activationMax)
                        : clampToInt8(acc, p.activationMin, p.activationMax)
                }
            }
        }
    }
}

/// One pooling op as plain values and pointers (what `PoolInt8`'s kernels read).
struct PoolCall {
    var x: UnsafePointer<Int8>
    var y: UnsafeMutablePointer<Int8>
    var inputHeight, inputWidth, channels, outputHeight, outputWidth: Int
    var kernelHeight, kernelWidth, strideY, strideX, padTop, padLeft: Int
    var activationMin, activationMax: Int32
}

extension KernelContext {
    var poolCall: PoolCall {
        PoolCall(x: x, y: y, inputHeight: input.height, inputWidth: input.width, channels: output.channels,
                 outputHeight: output.height, outputWidth: output.width, kernelHeight: op.kernelHeight,
                 kernelWidth: op.kernelWidth, strideY: op.strideY, strideX: op.strideX, padTop: op.padTop,
                 padLeft: op.padLeft, activationMin: op.activationMin, activationMax: op.activationMax)
    }
}
