/// Faster Conv2D variants, each producing exactly `ConvInt8.reference`'s (or `withMaxPool`'s) bytes, as the
/// tests in Tests/Int8RuntimeTests/ConvInt8FastPathTests.swift check on seeded random shapes.
///
/// The im2col scheme of CMSIS-NN, written for ARMv7E-M's DSP instructions (DSP.swift): for each output position
/// the receptive field is copied once into an int16 column with the input offset already added (padding as 0,
/// which is what skipping it adds), then every output channel is a dot product of its int8 weights with that
/// column. Two channels x two positions share each load: per 4 input values, 2 weight words widened by SXTB16
/// into 4 halfword pairs, 4 column words, 8 SMLADs for 16 MACs. The column stores each group of 4 values as
/// (x0, x2), (x1, x3), the order SXTB16 and SXTB16-ROR-8 give the weights, so weights need no repacking.
/// Accumulation wraps modulo 2^32 like the reference's `&+`, so starting from the bias changes no bit. The
/// columns live in the op's scratch in the arena (`columnsScratchSize`).
extension ConvInt8 {
    /// Column length this variant handles (int16 values per position: kernel height x width x input channels).
    static let columnCapacity = 576

    /// Bytes of scratch the two-column paths need for columns of k values: two int16 columns, each rounded up
    /// to a multiple of 4 values (so both start 8-byte aligned), and 7 to align any start to 8.
    @inline(__always)
    static func columnsScratchSize(_ k: Int) -> Int { 2 &* 2 &* ((k &+ 3) & ~3) &+ 7 }

    /// The 1x1 fast path: a pointwise conv without padding or fused pooling. The column of a position is the
    /// input pixel's channels, widened with no bounds checks or window loops. Declines other ops.
    static func pointwise(_ c: ConvolutionCall) -> Bool {
        guard c.kernelHeight == 1, c.kernelWidth == 1, c.padTop == 0, c.padLeft == 0, c.pool.0 == 0,
              c.inputChannels <= columnCapacity,
              (c.outputHeight - 1) * c.strideY < c.inputHeight, (c.outputWidth - 1) * c.strideX < c.inputWidth
        else { return false }
        return convolveColumns(c, pointwise: true)
    }

    /// The general path: any kernel, stride and padding, with or without the fused max pooling, when one
    /// position's column fits `columnCapacity`. Declines (returns false) otherwise.
    static func columns(_ c: ConvolutionCall) -> Bool {
        let k = c.kernelHeight * c.kernelWidth * c.inputChannels
        guard k > 0, k <= columnCapacity else { return false }
        return convolveColumns(c, pointwise: false)
    }

    /// Runs the paths in the op's scratch (two columns); declines (false) when it is smaller than they need.
    @inline(__always)
    static func convolveColumns(_ c: ConvolutionCall, pointwise: Bool) -> Bool {
        let k = c.kernelHeight * c.kernelWidth * c.inputChannels
        guard c.scratch.count >= columnsScratchSize(k), let base = c.scratch.baseAddress else { return false }
        let p = UnsafeMutableRawPointer(bitPattern: (Int(bitPattern: base) &+ 7) & ~7)!.assumingMemoryBound(to: Int16.self)
        convolve(c, pointwise: pointwise, columnP: p, columnQ: p + ((k &+ 3) & ~3))
        return true
    }

    static func convolve(_ c: ConvolutionCall, pointwise: Bool, columnP: UnsafeMutablePointer<Int16>,
                         columnQ: UnsafeMutablePointer<Int16>) {
        let k = c.kernelHeight * c.kernelWidth * c.inputChannels
        let pooled = c.pool.0 != 0
        let poolHeight = pooled ? Int(c.pool.0) : 1, poolWidth = pooled ? Int(c.pool.1) : 1
        let poolStrideY = pooled ? Int(c.pool.2) : 1, poolStrideX = pooled ? Int(c.pool.3) : 1
        let window = poolHeight * poolWidth
        let positions = c.outputHeight * c.outputWidth * window
        let channels = c.outputChannels

        // Position i: output pixel i / window, conv position (dy, dx) = i % window inside its pooling window.
        @inline(__always) func locate(_ i: Int) -> (oy: Int, ox: Int, pixel: Int, first: Bool) {
            let pixel = i / window, r = i - pixel * window
            let dy = r / poolWidth, dx = r - dy * poolWidth
            let py = pixel / c.outputWidth, px = pixel - py * c.outputWidth
            return (py * poolStrideY + dy, px * poolStrideX + dx, pixel, r == 0)
        }
        @inline(__always) func fill(_ column: UnsafeMutablePointer<Int16>, _ oy: Int, _ ox: Int) {
            if pointwise {
                fillPointwise(c, column, oy, ox)
            } else {
                fillWindow(c, column, oy, ox)
            }
        }
        let y = c.y, multipliers = c.multipliers, shifts = c.shifts, bias = c.bias
        let outputOffset = c.outputOffset, low = c.activationMin, high = c.activationMax

        var i = 0
        while i < positions {
            let a = locate(i)
            fill(columnP, a.oy, a.ox)
            if i + 1 < positions {
                let b = locate(i + 1)
                fill(columnQ, b.oy, b.ox)
                let atA = a.pixel &* channels, atB = b.pixel &* channels
                var oc = 0
                while oc + 1 < channels {
                    let w = c.weights + oc &* k
                    let bias0 = bias?[oc] ?? 0, bias1 = bias?[oc &+ 1] ?? 0
                    let m0 = multipliers[oc], s0 = shifts[oc], m1 = multipliers[oc &+ 1], s1 = shifts[oc &+ 1]
                    let acc = dot2x2(w, w + k, columnP, columnQ, k, (bias0, bias0, bias1, bias1))
                    emit(y + (atA &+ oc), a.first, acc.0, m0, s0, outputOffset, low, high)
                    emit(y + (atB &+ oc), b.first, acc.1, m0, s0, outputOffset, low, high)
                    emit(y + (atA &+ oc &+ 1), a.first, acc.2, m1, s1, outputOffset, low, high)
                    emit(y + (atB &+ oc &+ 1), b.first, acc.3, m1, s1, outputOffset, low, high)
                    oc &+= 2
                }
                if oc < channels {
                    let w = c.weights + oc &* k
                    let start = bias?[oc] ?? 0, m = multipliers[oc], s = shifts[oc]
                    emit(y + (atA &+ oc), a.first, dot(w, columnP, k, start), m, s, outputOffset, low, high)
                    emit(y + (atB &+ oc), b.first, dot(w, columnQ, k, start), m, s, outputOffset, low, high)
                }
                i &+= 2
            } else {
                let atA = a.pixel &* channels
                for oc in 0..<channels {
                    let acc = dot(c.weights + oc &* k, columnP, k, bias?[oc] ?? 0)
                    emit(y + (atA &+ oc), a.first, acc, multipliers[oc], shifts[oc], outputOffset, low, high)
                }
                i &+= 1
            }
        }
    }

    /// Requantizes one accumulator and writes it (the first conv value of a pooling window) or the larger of it
    /// and what is there (the others).
    @inline(__always)
    static func emit(_ to: UnsafeMutablePointer<Int8>, _ first: Bool, _ acc: Int32, _ multiplier: Int32,
                     _ shift: Int32, _ outputOffset: Int32, _ low: Int32, _ high: Int32) {
        let value = clampToInt8(DSP.requantize(acc, multiplier, shift) &+ outputOffset, low, high)
        to.pointee = first ? value : max(to.pointee, value)
    }

    /// Where value k of a column is stored: groups of 4 as (0, 2, 1, 3); a tail shorter than 4 in order.
    @inline(__always)
    static func slot(_ k: Int, _ length: Int) -> Int {
        k < length & ~3 ? (k & ~3) | ((k & 1) << 1) | ((k >> 1) & 1) : k
    }

    /// Widens 4 input bytes (one word) into the column's two halfword pairs, adding the input offset.
    @inline(__always)
    static func widen(_ from: UnsafePointer<Int8>, _ to: UnsafeMutablePointer<UInt32>, _ offsets: UInt32) {
        let word = UnsafeRawPointer(from).loadUnaligned(as: UInt32.self)
        to[0] = DSP.sadd16(DSP.sxtb16(word), offsets)
        to[1] = DSP.sadd16(DSP.sxtb16ror8(word), offsets)
    }

    @inline(__always)
    static func offsetPair(_ c: ConvolutionCall) -> UInt32 {
        let half = UInt32(UInt16(truncatingIfNeeded: c.inputOffset))
        return half | (half << 16)
    }

    /// The column of a 1x1 conv at (oy, ox): the input pixel's channels.
    @inline(__always)
    static func fillPointwise(_ c: ConvolutionCall, _ column: UnsafeMutablePointer<Int16>, _ oy: Int, _ ox: Int) {
        let cin = c.inputChannels
        let source = c.x + ((oy &* c.strideY) &* c.inputWidth &+ ox &* c.strideX) &* cin
        let groups = cin >> 2
        let words = UnsafeMutableRawPointer(column).assumingMemoryBound(to: UInt32.self)
        let offsets = offsetPair(c)
        var g = 0
        while g < groups {
            widen(source + g &* 4, words + g &* 2, offsets)
            g &+= 1
        }
        var k = groups &* 4
        while k < cin {
            column[k] = Int16(source[k]) &+ Int16(truncatingIfNeeded: c.inputOffset)
            k &+= 1
        }
    }

    /// The column of any conv at (oy, ox): kernel rows, kernel columns, input channels (the OHWI weight order),
    /// 0 where the window leaves the input.
    @inline(__always)
    static func fillWindow(_ c: ConvolutionCall, _ column: UnsafeMutablePointer<Int16>, _ oy: Int, _ ox: Int) {
        let cin = c.inputChannels, kh = c.kernelHeight, kw = c.kernelWidth
        let iy0 = oy &* c.strideY &- c.padTop, ix0 = ox &* c.strideX &- c.padLeft
        if cin & 3 == 0 {
            // Every (ky, kx) segment starts at a multiple of 4: whole words, and no tail.
            let offsets = offsetPair(c)
            var words = UnsafeMutableRawPointer(column).assumingMemoryBound(to: UInt32.self)
            let groups = cin >> 2
            for ky in 0..<kh {
                let iy = iy0 &+ ky
                for kx in 0..<kw {
                    let ix = ix0 &+ kx
                    if iy >= 0 && iy < c.inputHeight && ix >= 0 && ix < c.inputWidth {
                        let source = c.x + (iy &* c.inputWidth &+ ix) &* cin
                        var g = 0
                        while g < groups {
                            widen(source + g &* 4, words, offsets)
                            words += 2
                            g &+= 1
                        }
                    } else {
                        var g = 0
                        while g < groups {
                            words[0] = 0
                            words[1] = 0
                            words += 2
                            g &+= 1
                        }
                    }
                }
            }
        } else {
            let length = kh &* kw &* cin
            let offset = Int16(truncatingIfNeeded: c.inputOffset)
            var k = 0
            for ky in 0..<kh {
                let iy = iy0 &+ ky
                for kx in 0..<kw {
                    let ix = ix0 &+ kx
                    let inside = iy >= 0 && iy < c.inputHeight && ix >= 0 && ix < c.inputWidth
                    let source = c.x + (inside ? (iy &* c.inputWidth &+ ix) &* cin : 0)
                    for ic in 0..<cin {
                        column[slot(k, length)] = inside ? Int16(source[ic]) &+ offset : 0
                        k &+= 1
                    }
                }
            }
        }
    }

    /// Two output channels (weights w0, w1) at two positions (columns p, q): accumulators (w0·p, w0·q, w1·p, w1·q),
    /// each starting from its bias.
    @inline(__always)
    static func dot2x2(_ w0: UnsafePointer<Int8>, _ w1: UnsafePointer<Int8>, _ p: UnsafePointer<Int16>,
                       _ q: UnsafePointer<Int16>, _ k: Int, _ start: (Int32, Int32, Int32, Int32))
        -> (Int32, Int32, Int32, Int32) {
        var (a, b, c, d) = start
        var wa = UnsafeRawPointer(w0), wb = UnsafeRawPointer(w1)
        var pw = UnsafeRawPointer(p).assumingMemoryBound(to: UInt32.self)
        var qw = UnsafeRawPointer(q).assumingMemoryBound(to: UInt32.self)
        var n = k >> 2
        while n > 0 {
            let x = wa.loadUnaligned(as: UInt32.self), y = wb.loadUnaligned(as: UInt32.self)
            let x02 = DSP.sxtb16(x), x13 = DSP.sxtb16ror8(x)
            let y02 = DSP.sxtb16(y), y13 = DSP.sxtb16ror8(y)
            let p02 = pw[0], p13 = pw[1], q02 = qw[0], q13 = qw[1]
            a = DSP.smlad(x02, p02, a); a = DSP.smlad(x13, p13, a)
            b = DSP.smlad(x02, q02, b); b = DSP.smlad(x13, q13, b)
            c = DSP.smlad(y02, p02, c); c = DSP.smlad(y13, p13, c)
            d = DSP.smlad(y02, q02, d); d = DSP.smlad(y13, q13, d)
            wa += 4; wb += 4; pw += 2; qw += 2
            n &-= 1
        }
        var t = k & ~3
        while t < k {
            let x = Int32(w0[t]), y = Int32(w1[t]), pv = Int32(p[t]), qv = Int32(q[t])
            a = a &+ x &* pv; b = b &+ x &* qv; c = c &+ y &* pv; d = d &+ y &* qv
            t &+= 1
        }
        return (a, b, c, d)
    }

    /// One output channel at one position.
    @inline(__always)
    static func dot(_ w: UnsafePointer<Int8>, _ p: UnsafePointer<Int16>, _ k: Int, _ start: Int32) -> Int32 {
        var a = start
        var wa = UnsafeRawPointer(w)
        var pw = UnsafeRawPointer(p).assumingMemoryBound(to: UInt32.self)
        var n = k >> 2
        while n > 0 {
            let x = wa.loadUnaligned(as: UInt32.self)
            a = DSP.smlad(DSP.sxtb16(x), pw[0], a)
            a = DSP.smlad(DSP.sxtb16ror8(x), pw[1], a)
            wa += 4; pw += 2
            n &-= 1
        }
        var t = k & ~3
        while t < k {
            a = a &+ Int32(w[t]) &* Int32(p[t])
            t &+= 1
        }
        return a
    }
}
