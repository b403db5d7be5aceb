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
    /// over a row of weights. Sixteen output channels at a time stay in registers for the whole window; the
    /// channels left over go eight, then four at a time, then one by one (24 channels = 16 + 8).
    static func run(
        input: UnsafeBufferPointer<Float>, kernel: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>?,
        output: UnsafeMutableBufferPointer<Float>, geometry g: Geometry
    ) {
        let cout = g.outputChannels
        let x = input.baseAddress!, o = output.baseAddress!
        for oy in 0..<g.outputHeight {
            let iy0 = oy * g.strideY - g.padTop
            let kyRange = max(0, -iy0)..<min(g.kernelHeight, g.inputHeight - iy0)
            for ox in 0..<g.outputWidth {
                let ix0 = ox * g.strideX - g.padLeft
                let kxRange = max(0, -ix0)..<min(g.kernelWidth, g.inputWidth - ix0)
                let window = Window(x: x, iy0: iy0, ix0: ix0, ky: kyRange, kx: kxRange)
                let out = o + (oy * g.outputWidth + ox) * cout
                var co = 0
                while co + 16 <= cout { channels(SIMD16<Float>.self, co, window, kernel, bias, out, g); co += 16 }
                if co + 8 <= cout { channels(SIMD8<Float>.self, co, window, kernel, bias, out, g); co += 8 }
                if co + 4 <= cout { channels(SIMD4<Float>.self, co, window, kernel, bias, out, g); co += 4 }
                while co < cout { channel(co, window, kernel, bias, out, g); co += 1 }
            }
        }
    }

    /// The input window of one output pixel: the kernel rows and columns that fall inside the image.
    struct Window {
        var x: UnsafePointer<Float>
        var iy0, ix0: Int
        var ky, kx: Range<Int>
    }

    /// `V.scalarCount` output channels starting at `co`, accumulated over the window in one vector.
    @inline(__always)
    static func channels<V: SIMD>(
        _: V.Type, _ co: Int, _ window: Window, _ kernel: UnsafeBufferPointer<Float>, _ bias: UnsafeBufferPointer<Float>?,
        _ out: UnsafeMutablePointer<Float>, _ g: Geometry
    ) where V.Scalar == Float {
        let cout = g.outputChannels, cin = g.inputChannels
        let w = UnsafeRawPointer(kernel.baseAddress!)
        var acc = V(repeating: 0)
        if let bias { acc = UnsafeRawPointer(bias.baseAddress! + co).loadUnaligned(as: V.self) }
        for ky in window.ky {
            for kx in window.kx {
                let row = window.x + ((window.iy0 + ky) * g.inputWidth + (window.ix0 + kx)) * cin
                var weights = w + (((ky * g.kernelWidth + kx) * cin) * cout + co) * 4
                for ci in 0..<cin {
                    acc += V(repeating: row[ci]) * weights.loadUnaligned(as: V.self)
                    weights += cout * 4
                }
            }
        }
        UnsafeMutableRawPointer(out + co).storeBytes(of: acc, as: V.self)
    }

    /// One output channel, for counts that are not a multiple of four.
    static func channel(
        _ co: Int, _ window: Window, _ kernel: UnsafeBufferPointer<Float>, _ bias: UnsafeBufferPointer<Float>?,
        _ out: UnsafeMutablePointer<Float>, _ g: Geometry
    ) {
        let cout = g.outputChannels, cin = g.inputChannels
        var acc = bias?[co] ?? 0
        for ky in window.ky {
            for kx in window.kx {
                let row = window.x + ((window.iy0 + ky) * g.inputWidth + (window.ix0 + kx)) * cin
                let base = ((ky * g.kernelWidth + kx) * cin) * cout + co
                for ci in 0..<cin { acc += row[ci] * kernel[base + ci * cout] }
            }
        }
        out[co] = acc
    }
}
