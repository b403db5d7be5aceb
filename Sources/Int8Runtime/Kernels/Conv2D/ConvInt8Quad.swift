/// The Conv2D path for Cortex-M4/M7 that the interpreter tries first, producing exactly `ConvInt8.reference`'s (or
/// `withMaxPool`'s) bytes, as Tests/Int8RuntimeTests/ConvInt8FastPathTests.swift checks on seeded random shapes.
///
/// - Columns. A pass's positions' receptive fields are widened once into int16 columns of groups of 4 values,
///   stored as the halfword pairs (0, 2), (1, 3) that SXTB16 and SXTB16-ROR-8 give, zeros after value k. Columns
///   of more than 12 values take the pair path (PairPasses.swift: two channels x three positions per inner step,
///   26 estimated Cortex-M4 cycles per 24 MACs), shorter ones the small path (QuadPasses.swift: a channel's
///   weights in registers).
/// - Input offset folded into the bias. Columns hold the raw input values (padding holds the input zero point),
///   and each channel starts from bias + inputOffset · Σ weights: Σ w·(x + offset) = Σ w·x + offset · Σ w modulo
///   2^32, the ring the reference's `&+`/`&*` accumulate in, and a padded value contributes w·(z − z) = 0.
/// - Requantization for shifts <= -2 (every conv of the shipped models) in five instructions (SMLAL, see
///   `DSP.requantizeNegativeShiftSwift`), exactly TFLite Micro's double rounding; other shifts use
///   `DSP.requantize`. With the full int8 activation range the clamp is one SSAT.
/// - A fused 2x2 max pooling (any window of a multiple of 4 conv outputs): positions run window by window, so each
///   aligned group of four sums belongs to one pooled output; the path takes their maximum and requantizes once: requantization with a
///   multiplier >= 0 and no left shift is monotone (non-decreasing), so the max of requantized values is the
///   requantized max.
///
/// Split by concern, as CMSIS-NN splits its convolutions: this file (entry, scratch check, driver loop over
/// channel blocks and passes), QuadScratch.swift (the one scratch layout), QuadFill.swift (columns, output
/// pointers), QuadPasses.swift (the small pass), PairPasses.swift (the pair pass), QuadOutput.swift (the
/// requantize/clamp/output steps they share).
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
        let weights = (aligned + layout.weights).assumingMemoryBound(to: UInt32.self)
        let targets = (aligned + layout.targets).assumingMemoryBound(to: UnsafeMutablePointer<Int8>.self)
        let accumulators = (aligned + layout.accumulators).assumingMemoryBound(to: Int32.self)
        let biases = (aligned + layout.biases).assumingMemoryBound(to: Int32.self)
        let offsets = (aligned + layout.offsets).assumingMemoryBound(to: Int32.self)
        let gathered = (aligned + layout.gathered).assumingMemoryBound(to: Int8.self)
        let sink = (aligned + layout.sink).assumingMemoryBound(to: Int8.self)
        let firsts = (aligned + layout.firsts).assumingMemoryBound(to: Bool.self)

        let window = poolWindow(c)
        let positions = c.outputHeight &* c.outputWidth &* window
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
                        pad: pad, zero: zero, positions: positions, sink: sink, targets: targets, firsts: firsts)

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
                                           targets: targets, firsts: firsts, acc: accumulators)
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
                } else {
                    // Passes of up to `width` positions: whole triples, whole groups of four with pooling.
                    let rest = positions &- i
                    let count = min(width, window == 1 ? (rest &+ 2) / 3 &* 3 : (rest &+ 11) / 12 &* 12)
                    fill.prepare(&cursor, i, count, block, Width3.self)
                    let pass = PairPass(columns: columns, weights: weights, count: count, k: k, biases: biases,
                                        block: block, end: end, targets: targets, firsts: firsts,
                                        first: accumulators, second: accumulators + width)
                    if window == 1 {
                        if fullRange { pairChannels(c, pass, QuadPlain<FullRange>.self) }
                        else { pairChannels(c, pass, QuadPlain<Clamped>.self) }
                    } else if window & 3 == 0 {
                        if fullRange { pairChannels(c, pass, QuadPooledTogether<FullRange>.self) }
                        else { pairChannels(c, pass, QuadPooledTogether<Clamped>.self) }
                    } else {
                        if fullRange { pairChannels(c, pass, QuadPooledApart<FullRange>.self) }
                        else { pairChannels(c, pass, QuadPooledApart<Clamped>.self) }
                    }
                    i &+= count
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
