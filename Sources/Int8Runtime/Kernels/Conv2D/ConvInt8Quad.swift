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
///
/// Split by concern, as CMSIS-NN splits its convolutions: this file (entry, scratch check, driver loop over
/// channel blocks and passes), QuadScratch.swift (the one scratch layout), QuadFill.swift (columns, output
/// pointers), QuadPasses.swift (the three pass widths), QuadOutput.swift (the requantize/clamp/tail steps they
/// share).
extension ConvInt8 {
    /// Longest column (kernel height x width x input channels) this path takes. Longer ones run the reference:
    /// the scratch (the columns above all) grows by 8 bytes per value. 576 is 3x3x64; the two-column path that
    /// covered 433...576 before was 19-24% slower there (docs/firmware-kernels.md).
    static let quadCapacity = 576
    /// Output channels whose folded biases are computed per block (the scratch's bias table size).
    static let quadChannelBlock = 64

    /// Conv outputs per pooled output (1 without pooling).
    @inline(__always)
    static func poolWindow(_ c: ConvolutionCall) -> Int {
        c.pool.0 != 0 ? Int(c.pool.0) &* Int(c.pool.1) : 1
    }

    /// Takes any Conv2D whose column fits `quadCapacity`, with or without the fused max pooling, when its
    /// scratch (`QuadScratchLayout.size`) fits the op's; declines (returns false) otherwise.
    static func quad(_ c: ConvolutionCall) -> Bool {
        let k = c.kernelHeight * c.kernelWidth * c.inputChannels
        let zero = 0 &- c.inputOffset
        guard k > 0, k <= quadCapacity, zero >= -128, zero <= 127, c.outputChannels > 0 else { return false }
        let layout = QuadScratchLayout(k: k, channels: c.outputChannels, window: poolWindow(c))
        guard c.scratch.count >= layout.size, let scratch = c.scratch.baseAddress else { return false }
        quadConvolve(c, scratch, k, layout)
        return true
    }

    static func quadConvolve(_ c: ConvolutionCall, _ scratch: UnsafeMutableRawPointer, _ k: Int,
                             _ layout: QuadScratchLayout) {
        let aligned = UnsafeMutableRawPointer(bitPattern: (Int(bitPattern: scratch) &+ 7) & ~7)!
        let columns = (aligned + layout.columns).assumingMemoryBound(to: UInt64.self)
        let targets = (aligned + layout.targets).assumingMemoryBound(to: UnsafeMutablePointer<Int8>.self)
        let accumulators = (aligned + layout.accumulators).assumingMemoryBound(to: Int32.self)
        let biases = (aligned + layout.biases).assumingMemoryBound(to: Int32.self)
        let offsets = (aligned + layout.offsets).assumingMemoryBound(to: Int32.self)
        let gathered = (aligned + layout.gathered).assumingMemoryBound(to: Int8.self)
        let sink = (aligned + layout.sink).assumingMemoryBound(to: Int8.self)
        let firsts = (aligned + layout.firsts).assumingMemoryBound(to: Bool.self)

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
        let width = layout.width
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
                                           acc: accumulators)
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

}
