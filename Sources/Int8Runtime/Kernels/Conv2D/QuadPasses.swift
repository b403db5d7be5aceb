/// The quad path's passes: every output channel of a block of channels at one pass's positions, at the three
/// widths. Each computes the accumulators its own way (dsp_dot_small, dsp_dot6, dsp_dot4 plus the padded last
/// group) and hands them to the shared requantize/clamp/output steps (QuadOutput.swift).
extension ConvInt8 {
    /// Columns of at most this many values take the small path: chunks of `smallChunk` positions, groups at
    /// stride 56 (`dsp_dot_small`; LDRD reaches 1020 bytes), accumulators, output pointers and first-of-window
    /// flags in the scratch.
    static let smallCapacity = 12
    static let smallChunk = 56
    /// Longest column of the six-position path (unpooled convs only).
    static let hexCapacity = 288

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
    /// each position's value written (no pooling) or each group of four written as in the four-position pass.
    @inline(never)
    static func smallChannels<Output: QuadOutput>(_ c: ConvolutionCall, _ chunk: SmallChunk, _ mode: Output.Type) {
        let offset = c.outputOffset, low = c.activationMin, high = c.activationMax
        let multipliers = c.multipliers, shifts = c.shifts
        var oc = chunk.block
        while oc < chunk.end {
            DSP.dotSmall(c.weights + oc &* chunk.k, chunk.k, chunk.columns, chunk.count, chunk.biases[oc &- chunk.block],
                         chunk.acc)
            withRequantizer(Output.Range.self, multipliers[oc], shifts[oc], offset, low, high) { value, monotone in
                if Output.mode == .plain {
                    var j = 0
                    while j < chunk.count {
                        chunk.targets[j][oc] = value(chunk.acc[j])
                        j &+= 1
                    }
                    return
                }
                var q = 0
                if Output.mode == .pooledTogether && monotone {
                    // Each group of four is one pooled output: only its first pointer and flag are read.
                    while q < chunk.count {
                        let a = chunk.acc + q, y = chunk.targets[q] + oc
                        let v = value(max(max(a[0], a[1]), max(a[2], a[3])))
                        y.pointee = chunk.firsts[q] ? v : max(y.pointee, v)
                        q &+= 4
                    }
                    return
                }
                while q < chunk.count {
                    let t = chunk.targets + q, f = chunk.firsts + q, a = chunk.acc + q
                    emitFour(Output.self, value, monotone, (a[0], a[1], a[2], a[3]), oc, (t[0], t[1], t[2], t[3]),
                             (f[0], f[1], f[2], f[3]))
                    q &+= 4
                }
            }
            oc &+= 1
        }
    }

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
        let k = pass.k, full = k >> 2, tail = k & 3, columns = pass.columns
        var w = c.weights + pass.block &* k
        var bias = pass.biases
        var oc = pass.block
        while oc < pass.end {
            var acc = DSP.dot6(w, columns, full, bias.pointee)
            if tail != 0 {
                let x = tailWord(w + full &* 4, tail), p = columns + full &* 6
                let first = DSP.dot4Word(x, p, (acc.0, acc.1, acc.2, acc.3))
                let second = DSP.dot4Word(x, p + 2, (acc.2, acc.3, acc.4, acc.5))
                acc = (first.0, first.1, first.2, first.3, second.2, second.3)
            }
            withRequantizer(Range.self, c, oc) { value, _ in
                pass.y.0[oc] = value(acc.0); pass.y.1[oc] = value(acc.1); pass.y.2[oc] = value(acc.2)
                pass.y.3[oc] = value(acc.3); pass.y.4[oc] = value(acc.4); pass.y.5[oc] = value(acc.5)
            }
            w += k
            bias += 1
            oc &+= 1
        }
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

    /// Every output channel of [block, end) at the pass's four positions, written as `Output` says.
    @inline(never)
    static func quadChannels<Output: QuadOutput>(_ c: ConvolutionCall, _ pass: QuadPass, _ mode: Output.Type) {
        let k = pass.k, full = k >> 2, tail = k & 3, columns = pass.columns
        var w = c.weights + pass.block &* k
        var bias = pass.biases
        var oc = pass.block
        while oc < pass.end {
            let body = DSP.dot4(w, columns, full, bias.pointee)
            let acc = tail != 0 ? DSP.dot4Word(tailWord(w + full &* 4, tail), columns + full &* 4, body) : body
            withRequantizer(Output.Range.self, c, oc) { value, monotone in
                emitFour(Output.self, value, monotone, acc, oc, pass.y, pass.first)
            }
            w += k
            bias += 1
            oc &+= 1
        }
    }
}
