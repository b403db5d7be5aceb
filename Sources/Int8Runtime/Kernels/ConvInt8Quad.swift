#if canImport(CInt8DSP)
import CInt8DSP
#endif

/// The Conv2D path for Cortex-M4/M7 that the interpreter tries first: one output channel at four output
/// positions per pass over the weights, producing exactly `ConvInt8.reference`'s (or `withMaxPool`'s) bytes, as
/// Tests/Int8RuntimeTests/ConvInt8FastPathTests.swift checks on seeded random shapes.
///
/// - Columns. The four positions' receptive fields are widened once into int16 columns, interleaved so that value
///   group g (4 values, stored as the halfword pairs (0, 2), (1, 3) that SXTB16 and SXTB16-ROR-8 give) of position
///   j is the 64-bit word 4g + j. Per 4 weights: one word load, two SXTB16, four LDRD, eight SMLAD: 16 MACs in 15
///   instructions, each weight word feeding four positions. When k is not a multiple of 4 the last group is
///   padded with zeros in the columns, and its weight word is assembled from the k mod 4 remaining bytes (no
///   load past a channel's weights).
/// - Input offset folded into the bias. Columns hold the raw input values (padding holds the input zero point),
///   and each channel starts from bias + inputOffset · Σ weights: Σ w·(x + offset) = Σ w·x + offset · Σ w modulo
///   2^32, the ring the reference's `&+`/`&*` accumulate in, and a padded value contributes w·(z − z) = 0.
/// - Requantization for shifts <= -2 (every conv of the shipped models) in five instructions (SMLAL, see
///   `DSP.requantizeNegativeShiftSwift`), exactly TFLite Micro's double rounding; other shifts use
///   `DSP.requantize`. With the full int8 activation range the clamp is one SSAT.
/// - A fused 2x2 max pooling (any window of a multiple of 4 conv outputs) keeps the four accumulators of a pass,
///   which then belong to one pooled output, takes their maximum and requantizes once: requantization with a
///   multiplier >= 0 and no left shift is monotone (non-decreasing), so the max of requantized values is the
///   requantized max.
extension ConvInt8 {
    /// Longest column (kernel height x width x input channels) this path takes.
    static let quadCapacity = 432
    /// Output channels whose folded biases are computed per block (the stack table's size).
    static let quadChannelBlock = 64

    /// The stack scratch: four interleaved int16 columns (4 x 432 x 2 bytes), the gathered bytes of one
    /// receptive field when channels are not a multiple of 4, the block's folded biases, a sink for the outputs
    /// of padding positions, a pass's output pointers and flags, and 8 bytes of slack to align the columns to 8.
    struct QuadScratch {
        var columns = (SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(),
                       SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(),
                       SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(),
                       SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(),
                       SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(), SIMD64<Int16>(),
                       SIMD64<Int16>(), SIMD64<Int16>())
        var bytes = (SIMD64<Int8>(), SIMD64<Int8>(), SIMD64<Int8>(), SIMD64<Int8>(), SIMD64<Int8>(),
                     SIMD64<Int8>(), SIMD64<Int8>())
        var biases = SIMD64<Int32>()
        var sink = SIMD64<Int8>()
        /// Output pointers (56 x 8 bytes), first-of-window flags (56), the small path's value offsets (12 x 4).
        var lists = (SIMD64<Int8>(), SIMD64<Int8>(), SIMD64<Int8>(), SIMD64<Int8>(), SIMD64<Int8>(), SIMD64<Int8>(),
                     SIMD64<Int8>(), SIMD64<Int8>(), SIMD64<Int8>())
        var slack = SIMD8<Int8>()
    }

    static let quadColumnBytes = 4 * 432 * 2
    static let quadGatherBytes = 7 * 64

    /// Takes any Conv2D whose column fits `quadCapacity`, with or without the fused max pooling; declines
    /// (returns false) otherwise.
    static func quad(_ c: ConvolutionCall) -> Bool {
        let k = c.kernelHeight * c.kernelWidth * c.inputChannels
        let zero = 0 &- c.inputOffset
        guard k > 0, k <= quadCapacity, zero >= -128, zero <= 127, c.outputChannels > 0 else { return false }
#if canImport(CInt8DSP)
        var arguments = (c, k)
        withUnsafeMutablePointer(to: &arguments) { context in
            dsp_with_scratch({ scratch, passed in
                let arguments = passed!.assumingMemoryBound(to: (ConvolutionCall, Int).self).pointee
                ConvInt8.quadConvolve(arguments.0, scratch!, arguments.1)
            }, context)
        }
#else
        var scratch = QuadScratch()
        withUnsafeMutableBytes(of: &scratch) { raw in
            quadConvolve(c, raw.baseAddress!, k)
        }
#endif
        return true
    }

    static func quadConvolve(_ c: ConvolutionCall, _ scratch: UnsafeMutableRawPointer, _ k: Int) {
        let aligned = UnsafeMutableRawPointer(bitPattern: (Int(bitPattern: scratch) &+ 7) & ~7)!
        let columns = aligned.assumingMemoryBound(to: UInt64.self)
        let gathered = (aligned + quadColumnBytes).assumingMemoryBound(to: Int8.self)
        let biases = (aligned + quadColumnBytes + quadGatherBytes).assumingMemoryBound(to: Int32.self)
        let sink = (aligned + quadColumnBytes + quadGatherBytes + 4 * quadChannelBlock).assumingMemoryBound(to: Int8.self)
        let lists = aligned + quadColumnBytes + quadGatherBytes + 4 * quadChannelBlock + 64
        let targets = lists.assumingMemoryBound(to: UnsafeMutablePointer<Int8>.self)
        let firsts = (lists + 56 * 8).assumingMemoryBound(to: Bool.self)
        let offsets = (lists + 56 * 8 + 56).assumingMemoryBound(to: Int32.self)

        let positions = c.outputHeight &* c.outputWidth &* (c.pool.0 != 0 ? Int(c.pool.0) &* Int(c.pool.1) : 1)
        let window = c.pool.0 != 0 ? Int(c.pool.0) &* Int(c.pool.1) : 1
        let channels = c.outputChannels
        guard positions > 0 else { return }
        let zero = Int16(truncatingIfNeeded: 0 &- c.inputOffset)
        let pad = UInt64(UInt16(bitPattern: zero)) &* 0x0001_0001_0001_0001
        let fullRange = c.activationMin <= -128 && c.activationMax >= 127
        // The gathered bytes past k stay 0: the padded last group.
        var z = k
        while z < (k &+ 3) & ~3 {
            gathered[z] = 0
            z &+= 1
        }
        let small = k <= smallCapacity
        if small {
            // dsp_dot_small reads three groups: those past the column's are 0 (their weights are too, but the
            // scratch is not cleared, and 0 times an unset value is still a read of it).
            var g = (k &+ 3) >> 2
            while g < 3 {
                var j = 0
                while j < smallChunk {
                    columns[g &* smallChunk &+ j] = 0
                    j &+= 1
                }
                g &+= 1
            }
            // Where value t of a column is, relative to the window's first byte.
            var t = 0
            for ky in 0..<c.kernelHeight {
                for kx in 0..<c.kernelWidth {
                    for ic in 0..<c.inputChannels {
                        offsets[t] = Int32(truncatingIfNeeded: (ky &* c.inputWidth &+ kx) &* c.inputChannels &+ ic)
                        t &+= 1
                    }
                }
            }
        }
        let width = small ? smallChunk : window == 1 && k <= hexCapacity ? 6 : 4
        let fill = Fill(c: c, columns: columns, gathered: gathered, offsets: small ? UnsafePointer(offsets) : nil, k: k,
                        pad: pad, zero: zero, stride: width, positions: positions, sink: sink,
                        targets: targets, firsts: firsts)

        var block = 0
        while block < channels {
            let end = min(block &+ quadChannelBlock, channels)
            // Folded biases: bias + inputOffset · Σ weights, wrapping like the accumulation.
            var oc = block
            while oc < end {
                biases[oc &- block] = (c.bias?[oc] ?? 0) &+ c.inputOffset &* weightSum(c.weights + oc &* k, k)
                oc &+= 1
            }
            var cursor = QuadCursor(c)
            var i = 0
            while i < positions {
                if small {
                    // Chunks of up to 56 positions (a multiple of 4), each channel's weights widened once.
                    let count = min(smallChunk, (positions &- i &+ 3) & ~3)
                    fill.prepare(&cursor, i, count, block, Width56.self)
                    let chunk = SmallChunk(columns: columns, count: count, k: k, biases: biases, block: block, end: end,
                                           targets: targets, firsts: firsts,
                                           acc: (aligned + 1536).assumingMemoryBound(to: Int32.self))
                    if window == 1 {
                        if fullRange { smallChannels(c, chunk, QuadPlain<FullRange>.self) }
                        else { smallChannels(c, chunk, QuadPlain<Clamped>.self) }
                    } else if window & 3 == 0 {
                        if fullRange { smallChannels(c, chunk, QuadPooledTogether<FullRange>.self) }
                        else { smallChannels(c, chunk, QuadPooledTogether<Clamped>.self) }
                    } else {
                        if fullRange { smallChannels(c, chunk, QuadPooledApart<FullRange>.self) }
                        else { smallChannels(c, chunk, QuadPooledApart<Clamped>.self) }
                    }
                    i &+= count
                } else if width == 6 {
                    // No pooling: six positions per pass.
                    fill.prepare(&cursor, i, 6, block, Width6.self)
                    let pass = HexPass(columns: columns, k: k, biases: biases, block: block, end: end,
                                       y: (targets[0], targets[1], targets[2], targets[3], targets[4], targets[5]))
                    if fullRange { hexChannels(c, pass, FullRange.self) } else { hexChannels(c, pass, Clamped.self) }
                    i &+= 6
                } else {
                    fill.prepare(&cursor, i, 4, block, Width4.self)
                    let pass = QuadPass(columns: columns, k: k, biases: biases, block: block, end: end,
                                        y: (targets[0], targets[1], targets[2], targets[3]),
                                        first: (firsts[0], firsts[1], firsts[2], firsts[3]))
                    if window == 1 {
                        if fullRange { quadChannels(c, pass, QuadPlain<FullRange>.self) }
                        else { quadChannels(c, pass, QuadPlain<Clamped>.self) }
                    } else if window & 3 == 0 {
                        if fullRange { quadChannels(c, pass, QuadPooledTogether<FullRange>.self) }
                        else { quadChannels(c, pass, QuadPooledTogether<Clamped>.self) }
                    } else {
                        if fullRange { quadChannels(c, pass, QuadPooledApart<FullRange>.self) }
                        else { quadChannels(c, pass, QuadPooledApart<Clamped>.self) }
                    }
                    i &+= 4
                }
            }
            block = end
        }
    }

    /// Walks the conv positions in order without divisions. Position i: output pixel i / window (py, px), conv
    /// position (dy, dx) = i % window inside its pooling window (the whole window when there is no pooling).
    struct QuadCursor {
        let poolHeight, poolWidth, poolStrideY, poolStrideX, outputWidth: Int
        var py = 0, px = 0, dy = 0, dx = 0, pixel = 0

        init(_ c: ConvolutionCall) {
            let pooled = c.pool.0 != 0
            poolHeight = pooled ? Int(c.pool.0) : 1
            poolWidth = pooled ? Int(c.pool.1) : 1
            poolStrideY = pooled ? Int(c.pool.2) : 1
            poolStrideX = pooled ? Int(c.pool.3) : 1
            outputWidth = c.outputWidth
        }

        var oy: Int { py &* poolStrideY &+ dy }
        var ox: Int { px &* poolStrideX &+ dx }
        var first: Bool { dy == 0 && dx == 0 }

        @inline(__always) mutating func advance() {
            dx &+= 1
            if dx < poolWidth { return }
            dx = 0
            dy &+= 1
            if dy < poolHeight { return }
            dy = 0
            pixel &+= 1
            px &+= 1
            if px < outputWidth { return }
            px = 0
            py &+= 1
        }
    }

    /// Builds the columns of a pass and its output pointers and first-of-window flags.
    struct Fill {
        let c: ConvolutionCall
        let columns: UnsafeMutablePointer<UInt64>
        let gathered: UnsafeMutablePointer<Int8>
        let offsets: UnsafePointer<Int32>?
        let k: Int
        let pad: UInt64
        let zero: Int16
        let stride, positions: Int
        let sink: UnsafeMutablePointer<Int8>
        let targets: UnsafeMutablePointer<UnsafeMutablePointer<Int8>>
        let firsts: UnsafeMutablePointer<Bool>

        /// Positions i ..< i + count into columns 0 ..< count (`cursor` at position i). Past the last position,
        /// the last position again, with its outputs sent to the sink (indexed by channel - block). `Width`: the
        /// column stride as a constant.
        @inline(__always) func prepare<Width: PassWidth>(_ cursor: inout QuadCursor, _ i: Int, _ count: Int,
                                                         _ block: Int, _ width: Width.Type) {
            let cin = c.inputChannels, rowBytes = c.inputWidth &* cin, runGroups = (c.kernelWidth &* cin) >> 2
            let whole = offsets == nil && cin & 3 == 0
            var j = 0
            while j < count {
                let valid = i &+ j < positions
                let oy = cursor.oy, ox = cursor.ox
                if let base = interior(oy, ox), offsets != nil || whole {
                    if let offsets {
                        DSP.smallColumn(base, offsets, k, columns + j)
                    } else {
                        // Each kernel row is one run of kernel width x channels bytes.
                        var to = columns + j
                        var row = base
                        for _ in 0..<c.kernelHeight {
                            widenGroupsAt(row, &to, runGroups, Width.stride)
                            row += rowBytes
                        }
                    }
                } else {
                    fillAnywhere(c, columns + j, gathered, oy, ox, k, pad, zero, Width.stride)
                }
                targets[j] = valid ? c.y + cursor.pixel &* c.outputChannels : sink - block
                firsts[j] = cursor.first
                if i &+ j &+ 1 < positions { cursor.advance() }
                j &+= 1
            }
        }

        /// The window's first input byte when the whole window lies inside the input.
        @inline(__always) func interior(_ oy: Int, _ ox: Int) -> UnsafePointer<Int8>? {
            let iy0 = oy &* c.strideY &- c.padTop, ix0 = ox &* c.strideX &- c.padLeft
            guard iy0 >= 0, ix0 >= 0, iy0 &+ c.kernelHeight <= c.inputHeight, ix0 &+ c.kernelWidth <= c.inputWidth
            else { return nil }
            return c.x + (iy0 &* c.inputWidth &+ ix0) &* c.inputChannels
        }
    }

    /// Columns of at most this many values take the small path: chunks of `smallChunk` positions, groups at
    /// stride 56 (`dsp_dot_small`; LDRD reaches 1020 bytes), accumulators, output pointers and first-of-window
    /// flags in the scratch.
    static let smallCapacity = 12
    static let smallChunk = 56

    /// What `smallChannels` needs about one chunk.
    struct SmallChunk {
        var columns: UnsafePointer<UInt64>
        var count, k: Int
        var biases: UnsafePointer<Int32>
        var block, end: Int
        var targets: UnsafePointer<UnsafeMutablePointer<Int8>>
        var firsts: UnsafePointer<Bool>
        var acc: UnsafeMutablePointer<Int32>
    }

    /// Every output channel of [block, end) at a chunk's positions: the dot products of all positions, then
    /// each group of four written as in the quad path.
    @inline(never)
    static func smallChannels<Output: QuadOutput>(_ c: ConvolutionCall, _ chunk: SmallChunk, _ output: Output.Type) {
        var oc = chunk.block
        while oc < chunk.end {
            DSP.dotSmall(c.weights + oc &* chunk.k, chunk.k, chunk.columns, chunk.count, chunk.biases[oc &- chunk.block],
                         chunk.acc)
            let m = c.multipliers[oc], shift = c.shifts[oc]
            if shift < -1 && m >= 0 {
                // Shifts <= -2 (rsh >= 1): the rounding constant's low word is 2^30, its high word 2^(rsh - 1).
                let rsh = ~shift, round = (UInt32(0x4000_0000), Int32(1) &<< (rsh &- 1))
                smallEmit(Output.self, { DSP.requantizeNegativeShift($0, m, round, rsh) }, true, oc, chunk, c)
            } else {
                smallEmit(Output.self, { DSP.requantize($0, m, shift) }, false, oc, chunk, c)
            }
            oc &+= 1
        }
    }

    @inline(__always)
    static func smallEmit<Output: QuadOutput>(_ output: Output.Type, _ requantize: (Int32) -> Int32, _ monotone: Bool,
                                              _ oc: Int, _ chunk: SmallChunk, _ c: ConvolutionCall) {
        let outputOffset = c.outputOffset, low = c.activationMin, high = c.activationMax
        @inline(__always) func value(_ a: Int32) -> Int8 {
            Output.Range.fullRange
                ? Int8(truncatingIfNeeded: min(max(requantize(a) &+ outputOffset, -128), 127))
                : clampToInt8(requantize(a) &+ outputOffset, low, high)
        }
        if Output.mode == .plain {
            var j = 0
            while j < chunk.count {
                chunk.targets[j][oc] = value(chunk.acc[j])
                j &+= 1
            }
            return
        }
        if Output.mode == .pooledTogether && monotone {
            var q = 0
            while q < chunk.count {
                let a = chunk.acc + q
                let v = value(max(max(a[0], a[1]), max(a[2], a[3])))
                let y = chunk.targets[q] + oc
                y.pointee = chunk.firsts[q] ? v : max(y.pointee, v)
                q &+= 4
            }
            return
        }
        var q = 0
        while q < chunk.count {
            let t = chunk.targets + q, f = chunk.firsts + q, a = chunk.acc + q
            let pass = QuadPass(columns: chunk.columns, k: chunk.k, biases: chunk.biases, block: chunk.block,
                                end: chunk.end, y: (t[0], t[1], t[2], t[3]), first: (f[0], f[1], f[2], f[3]))
            quadEmit(Output.self, requantize, monotone, (a[0], a[1], a[2], a[3]), oc, pass, c.outputOffset,
                     c.activationMin, c.activationMax)
            q &+= 4
        }
    }

    /// Longest column of the six-position path (six columns in the same scratch).
    static let hexCapacity = 288

    /// What `hexChannels` needs about one pass of six positions.
    struct HexPass {
        var columns: UnsafePointer<UInt64>
        var k: Int
        var biases: UnsafePointer<Int32>
        var block, end: Int
        var y: (UnsafeMutablePointer<Int8>, UnsafeMutablePointer<Int8>, UnsafeMutablePointer<Int8>,
                UnsafeMutablePointer<Int8>, UnsafeMutablePointer<Int8>, UnsafeMutablePointer<Int8>)
    }

    /// Every output channel of [block, end) at six positions of an unpooled conv (columns at stride 6).
    @inline(never)
    static func hexChannels<Range: QuadRange>(_ c: ConvolutionCall, _ pass: HexPass, _ range: Range.Type) {
        let outputOffset = c.outputOffset, low = c.activationMin, high = c.activationMax
        let k = pass.k, full = k >> 2, tail = k & 3, columns = pass.columns
        var w = c.weights + pass.block &* k
        var bias = pass.biases
        var oc = pass.block
        while oc < pass.end {
            var acc = DSP.dot6(w, columns, full, bias.pointee)
            if tail != 0 {
                let rest = w + full &* 4
                var x = UInt32(UInt8(bitPattern: rest[0]))
                if tail > 1 { x |= UInt32(UInt8(bitPattern: rest[1])) &<< 8 }
                if tail > 2 { x |= UInt32(UInt8(bitPattern: rest[2])) &<< 16 }
                let p = columns + full &* 6
                let first = DSP.dot4Word(x, p, (acc.0, acc.1, acc.2, acc.3))
                let second = DSP.dot4Word(x, p + 2, (acc.2, acc.3, acc.4, acc.5))
                acc = (first.0, first.1, first.2, first.3, second.2, second.3)
            }
            let m = c.multipliers[oc], shift = c.shifts[oc]
            if shift < -1 && m >= 0 {
                // Shifts <= -2 (rsh >= 1): the rounding constant's low word is 2^30, its high word 2^(rsh - 1).
                let rsh = ~shift, round = (UInt32(0x4000_0000), Int32(1) &<< (rsh &- 1))
                hexEmit(Range.self, { DSP.requantizeNegativeShift($0, m, round, rsh) }, acc, oc, pass, outputOffset, low, high)
            } else {
                hexEmit(Range.self, { DSP.requantize($0, m, shift) }, acc, oc, pass, outputOffset, low, high)
            }
            w += k
            bias += 1
            oc &+= 1
        }
    }

    @inline(__always)
    static func hexEmit<Range: QuadRange>(_ range: Range.Type, _ requantize: (Int32) -> Int32,
                                          _ acc: (Int32, Int32, Int32, Int32, Int32, Int32), _ oc: Int,
                                          _ pass: HexPass, _ outputOffset: Int32, _ low: Int32, _ high: Int32) {
        @inline(__always) func value(_ a: Int32) -> Int8 {
            Range.fullRange
                ? Int8(truncatingIfNeeded: min(max(requantize(a) &+ outputOffset, -128), 127))
                : clampToInt8(requantize(a) &+ outputOffset, low, high)
        }
        pass.y.0[oc] = value(acc.0); pass.y.1[oc] = value(acc.1); pass.y.2[oc] = value(acc.2)
        pass.y.3[oc] = value(acc.3); pass.y.4[oc] = value(acc.4); pass.y.5[oc] = value(acc.5)
    }

    /// What `quadChannels` needs about one pass.
    struct QuadPass {
        var columns: UnsafePointer<UInt64>
        var k: Int
        var biases: UnsafePointer<Int32>
        var block, end: Int
        var y: (UnsafeMutablePointer<Int8>, UnsafeMutablePointer<Int8>, UnsafeMutablePointer<Int8>,
                UnsafeMutablePointer<Int8>)
        var first: (Bool, Bool, Bool, Bool)
    }

    /// Σ of k int8 weights (wrapping; |Σ| <= 432 · 128 anyway).
    @inline(__always)
    static func weightSum(_ w: UnsafePointer<Int8>, _ k: Int) -> Int32 {
        var sum: Int32 = 0
        var p = UnsafeRawPointer(w)
        var n = k >> 2
        while n > 0 {
            let x = p.loadUnaligned(as: UInt32.self)
            sum = DSP.smlad(DSP.sxtb16(x), 0x0001_0001, sum)
            sum = DSP.smlad(DSP.sxtb16ror8(x), 0x0001_0001, sum)
            p += 4
            n &-= 1
        }
        var t = k & ~3
        while t < k {
            sum = sum &+ Int32(w[t])
            t &+= 1
        }
        return sum
    }

    /// Every output channel of [block, end) at the pass's four positions, written as `Output` says.
    @inline(never)
    static func quadChannels<Output: QuadOutput>(_ c: ConvolutionCall, _ pass: QuadPass, _ output: Output.Type) {
        let outputOffset = c.outputOffset, low = c.activationMin, high = c.activationMax
        let multipliers = c.multipliers, shifts = c.shifts
        let k = pass.k, full = k >> 2, tail = k & 3, columns = pass.columns
        var w = c.weights + pass.block &* k
        var bias = pass.biases
        var oc = pass.block
        while oc < pass.end {
            let body = DSP.dot4(w, columns, full, bias.pointee)
            let acc: (Int32, Int32, Int32, Int32)
            if tail != 0 {
                // The padded last group: its weight word from the remaining bytes only.
                let rest = w + full &* 4
                var x = UInt32(UInt8(bitPattern: rest[0]))
                if tail > 1 { x |= UInt32(UInt8(bitPattern: rest[1])) &<< 8 }
                if tail > 2 { x |= UInt32(UInt8(bitPattern: rest[2])) &<< 16 }
                acc = DSP.dot4Word(x, columns + full &* 4, body)
            } else {
                acc = body
            }
            let m = multipliers[oc], shift = shifts[oc]
            if shift < -1 && m >= 0 {
                // Shifts <= -2 (rsh >= 1): the rounding constant's low word is 2^30, its high word 2^(rsh - 1).
                let rsh = ~shift, round = (UInt32(0x4000_0000), Int32(1) &<< (rsh &- 1))
                quadEmit(Output.self, { DSP.requantizeNegativeShift($0, m, round, rsh) }, true, acc, oc, pass,
                         outputOffset, low, high)
            } else {
                quadEmit(Output.self, { DSP.requantize($0, m, shift) }, false, acc, oc, pass, outputOffset, low, high)
            }
            w += k
            bias += 1
            oc &+= 1
        }
    }

    /// Requantizes a pass's four accumulators of channel `oc` and writes them as `Output` says. `monotone`:
    /// `requantize` never decreases (multiplier >= 0, no left shift), so a pooled maximum may be taken first.
    @inline(__always)
    static func quadEmit<Output: QuadOutput>(_ output: Output.Type, _ requantize: (Int32) -> Int32, _ monotone: Bool,
                                             _ acc: (Int32, Int32, Int32, Int32), _ oc: Int, _ pass: QuadPass,
                                             _ outputOffset: Int32, _ low: Int32, _ high: Int32) {
        @inline(__always) func value(_ a: Int32) -> Int8 {
            Output.Range.fullRange
                ? Int8(truncatingIfNeeded: min(max(requantize(a) &+ outputOffset, -128), 127))
                : clampToInt8(requantize(a) &+ outputOffset, low, high)
        }
        @inline(__always) func put(_ y: UnsafeMutablePointer<Int8>, _ first: Bool, _ v: Int8) {
            y[oc] = first ? v : max(y[oc], v)
        }
        switch Output.mode {
        case .plain:
            pass.y.0[oc] = value(acc.0); pass.y.1[oc] = value(acc.1)
            pass.y.2[oc] = value(acc.2); pass.y.3[oc] = value(acc.3)
        case .pooledTogether:
            let v = monotone
                ? value(max(max(acc.0, acc.1), max(acc.2, acc.3)))
                : max(max(value(acc.0), value(acc.1)), max(value(acc.2), value(acc.3)))
            put(pass.y.0, pass.first.0, v)
        case .pooledApart:
            put(pass.y.0, pass.first.0, value(acc.0)); put(pass.y.1, pass.first.1, value(acc.1))
            put(pass.y.2, pass.first.2, value(acc.2)); put(pass.y.3, pass.first.3, value(acc.3))
        }
    }

    /// Widens `count` groups of 4 bytes from `source` into every `stride`-th 64-bit word from `to` (the pass
    /// widths as constants, so each store is one STRD with post-increment).
    @inline(__always)
    static func widenGroups(_ source: UnsafePointer<Int8>, _ to: inout UnsafeMutablePointer<UInt64>, _ count: Int,
                            _ stride: Int) {
        switch stride {
        case 4: widenGroupsAt(source, &to, count, 4)
        case 6: widenGroupsAt(source, &to, count, 6)
        default: widenGroupsAt(source, &to, count, stride)
        }
    }

    @inline(__always)
    static func widenGroupsAt(_ source: UnsafePointer<Int8>, _ to: inout UnsafeMutablePointer<UInt64>, _ count: Int,
                              _ stride: Int) {
        var s = UnsafeRawPointer(source)
        var n = count
        while n > 0 {
            let word = s.loadUnaligned(as: UInt32.self)
            to.pointee = UInt64(DSP.sxtb16(word)) | (UInt64(DSP.sxtb16ror8(word)) &<< 32)
            to += stride
            s += 4
            n &-= 1
        }
    }

    @inline(__always)
    static func padGroups(_ to: inout UnsafeMutablePointer<UInt64>, _ count: Int, _ pad: UInt64, _ stride: Int) {
        var n = count
        while n > 0 {
            to.pointee = pad
            to += stride
            n &-= 1
        }
    }

    /// `quadFill`, out of line: positions on the border, and channel counts not a multiple of 4.
    @inline(never)
    static func fillAnywhere(_ c: ConvolutionCall, _ column: UnsafeMutablePointer<UInt64>,
                             _ gathered: UnsafeMutablePointer<Int8>, _ oy: Int, _ ox: Int, _ k: Int, _ pad: UInt64,
                             _ zero: Int16, _ stride: Int) {
        quadFill(c, column, gathered, oy, ox, k, pad, zero, stride)
    }

    /// The column of the conv position (oy, ox): kernel rows, kernel columns, input channels (the OHWI weight
    /// order), raw input values, the zero point where the window leaves the input, zeros after value k up to
    /// the next multiple of 4. Group g goes to column[g · stride].
    @inline(__always)
    static func quadFill(_ c: ConvolutionCall, _ column: UnsafeMutablePointer<UInt64>,
                         _ gathered: UnsafeMutablePointer<Int8>, _ oy: Int, _ ox: Int, _ k: Int, _ pad: UInt64,
                         _ zero: Int16, _ stride: Int) {
        let cin = c.inputChannels, kh = c.kernelHeight, kw = c.kernelWidth
        let height = c.inputHeight, width = c.inputWidth
        let iy0 = oy &* c.strideY &- c.padTop, ix0 = ox &* c.strideX &- c.padLeft
        let rowInside = ix0 >= 0 && ix0 &+ kw <= width
        var to = column
        if cin & 3 == 0 {
            let segment = cin >> 2
            for ky in 0..<kh {
                let iy = iy0 &+ ky
                if iy < 0 || iy >= height {
                    padGroups(&to, kw &* segment, pad, stride)
                    continue
                }
                let row = c.x + iy &* width &* cin
                if rowInside {
                    widenGroups(row + ix0 &* cin, &to, kw &* segment, stride)
                } else {
                    for kx in 0..<kw {
                        let ix = ix0 &+ kx
                        if ix >= 0 && ix < width {
                            widenGroups(row + ix &* cin, &to, segment, stride)
                        } else {
                            padGroups(&to, segment, pad, stride)
                        }
                    }
                }
            }
        } else {
            // Gather the receptive field's bytes (zeros already follow them), then widen them.
            let z = Int8(truncatingIfNeeded: zero)
            let span = kw &* cin
            var g = gathered
            for ky in 0..<kh {
                let iy = iy0 &+ ky
                if iy >= 0 && iy < height && rowInside {
                    var s = c.x + (iy &* width &+ ix0) &* cin
                    let stop = g + span
                    while g < stop {
                        g.pointee = s.pointee
                        g += 1
                        s += 1
                    }
                } else if iy >= 0 && iy < height {
                    for kx in 0..<kw {
                        let ix = ix0 &+ kx
                        let inside = ix >= 0 && ix < width
                        var s = c.x + (iy &* width &+ ix) &* cin
                        let stop = g + cin
                        while g < stop {
                            g.pointee = inside ? s.pointee : z
                            g += 1
                            s += 1
                        }
                    }
                } else {
                    let stop = g + span
                    while g < stop {
                        g.pointee = z
                        g += 1
                    }
                }
            }
            widenGroups(gathered, &to, (k &+ 3) >> 2, stride)
        }
    }
}

/// How `quadChannels` writes a pass's outputs: `mode` and the clamp (`Range`). Generic so that each
/// combination is its own specialization with no run-time mode tests in the channel loop.
protocol QuadOutput {
    associatedtype Range: QuadRange
    static var mode: QuadMode { get }
}
enum QuadMode {
    /// No pooling: four outputs.
    case plain
    /// The four positions share one pooled output (a window of a multiple of 4 conv outputs).
    case pooledTogether
    /// Any other pooling: each position's value written or maxed into its pooled output.
    case pooledApart
}
protocol QuadRange { static var fullRange: Bool { get } }
/// The activation range is all of int8 (or wider): the clamp is to -128...127, one SSAT.
enum FullRange: QuadRange { static var fullRange: Bool { true } }
enum Clamped: QuadRange { static var fullRange: Bool { false } }
enum QuadPlain<Range: QuadRange>: QuadOutput { static var mode: QuadMode { .plain } }
enum QuadPooledTogether<Range: QuadRange>: QuadOutput { static var mode: QuadMode { .pooledTogether } }
enum QuadPooledApart<Range: QuadRange>: QuadOutput { static var mode: QuadMode { .pooledApart } }

/// A pass's column stride (positions per pass) as a type, so that the fill's stores use a constant offset.
protocol PassWidth { static var stride: Int { get } }
enum Width4: PassWidth { static var stride: Int { 4 } }
enum Width6: PassWidth { static var stride: Int { 6 } }
enum Width56: PassWidth { static var stride: Int { 56 } }
