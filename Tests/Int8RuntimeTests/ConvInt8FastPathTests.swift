@testable import Int8Runtime
import Testing
import TestSupport

/// The fast Conv2D path (the quad path and its DSP kernels) against the plain reference loops (ConvInt8.reference / withMaxPool), byte for
/// byte, on seeded random shapes: odd and even channel counts, channel counts that are and are not multiples of
/// 4, kernels 1x1 to 5x5, strides 1-3, padding, fused max pooling, extreme quantization parameters.
@Suite("Conv2D fast paths are bit-exact with the reference")
struct ConvInt8FastPathTests {
    /// One random conv: owned buffers and the call pointing into them.
    final class Case {
        var x: [Int8], w: [Int8], bias: [Int32], multipliers: [Int32], shifts: [Int32]
        let hasBias: Bool
        let shape: (h: Int, w: Int, cin: Int, cout: Int, kh: Int, kw: Int, sy: Int, sx: Int, pt: Int, pl: Int,
                    oh: Int, ow: Int, pool: (Int32, Int32, Int32, Int32), offset: Int32, outOffset: Int32,
                    low: Int32, high: Int32)

        /// `negativeShifts`: every shift in -31...-1 (the conv layers of real models; the quad path's short
        /// requantization), else -14...3. `pool2x2`: a fused 2x2 pooling (stride 1 or 2) when the conv output
        /// allows it. `channels`: the output channel count, else 1...9.
        init(_ r: inout SeededRandom, pointwise: Bool = false, negativeShifts: Bool = false, pool2x2: Bool = false,
             channels: Int? = nil, extreme: Bool = false) {
            while true {
                let h = Int.random(in: 1...9, using: &r), wd = Int.random(in: 1...9, using: &r)
                let cin = [1, 2, 3, 4, 5, 7, 8, 12, 16, 24, 33, 64].randomElement(using: &r)!
                let cout = channels ?? Int.random(in: 1...9, using: &r)
                let kh = pointwise ? 1 : Int.random(in: 1...5, using: &r)
                let kw = pointwise ? 1 : Int.random(in: 1...5, using: &r)
                let sy = Int.random(in: 1...3, using: &r), sx = Int.random(in: 1...3, using: &r)
                let pt = pointwise ? 0 : Int.random(in: 0...(kh - 1), using: &r)
                let pl = pointwise ? 0 : Int.random(in: 0...(kw - 1), using: &r)
                let pb = pointwise ? 0 : Int.random(in: 0...(kh - 1), using: &r)
                let pr = pointwise ? 0 : Int.random(in: 0...(kw - 1), using: &r)
                guard h + pt + pb >= kh, wd + pl + pr >= kw else { continue }
                let ch = (h + pt + pb - kh) / sy + 1, cw = (wd + pl + pr - kw) / sx + 1
                var pool: (Int32, Int32, Int32, Int32) = (0, 0, 0, 0)
                var oh = ch, ow = cw
                if pool2x2 && ch >= 2 && cw >= 2 {
                    let stride = Int.random(in: 1...2, using: &r)
                    pool = (2, 2, Int32(stride), Int32(stride))
                    oh = (ch - 2) / stride + 1
                    ow = (cw - 2) / stride + 1
                } else if !pointwise && !pool2x2 && Bool.random(using: &r) {
                    let ph = Int.random(in: 1...min(3, ch), using: &r), pw = Int.random(in: 1...min(3, cw), using: &r)
                    let psy = Int.random(in: 1...3, using: &r), psx = Int.random(in: 1...3, using: &r)
                    pool = (Int32(ph), Int32(pw), Int32(psy), Int32(psx))
                    oh = (ch - ph) / psy + 1
                    ow = (cw - pw) / psx + 1
                }
                let zero = Int32.random(in: -128...127, using: &r)
                let lowHigh = [(Int32(-128), Int32(127)), (zero < 127 ? zero : 126, 127), (-100, 90)]
                    .randomElement(using: &r)!
                shape = (h, wd, cin, cout, kh, kw, sy, sx, pt, pl, oh, ow, pool, -Int32.random(in: -128...127, using: &r),
                         zero, lowHigh.0, lowHigh.1)
                x = (0..<h * wd * cin).map { _ in Int8.random(in: .min ... .max, using: &r) }
                w = (0..<cout * kh * kw * cin).map { _ in Int8.random(in: -127...127, using: &r) }
                hasBias = Bool.random(using: &r)
                bias = (0..<cout).map { _ in Int32.random(in: -(1 << 20)...(1 << 20), using: &r) }
                multipliers = (0..<cout).map { _ in
                    [Int32.random(in: (1 << 30)...Int32.max, using: &r), Int32.max, 1 << 30, 0].randomElement(using: &r)!
                }
                shifts = (0..<cout).map { _ in
                    negativeShifts ? [Int32.random(in: -14...(-1), using: &r), -1, -2, -31].randomElement(using: &r)!
                        : Int32.random(in: -14...3, using: &r)
                }
                if extreme {
                    // Saturated inputs and weights, the largest multipliers, biases at the ends of int32.
                    x = x.map { $0 < 0 ? -128 : 127 }
                    w = w.map { $0 < 0 ? -128 : 127 }
                    bias = bias.map { $0 < 0 ? .min : .max }
                    multipliers = multipliers.map { $0 == 0 ? 0 : .max }
                }
                return
            }
        }

        var outputCount: Int { shape.oh * shape.ow * shape.cout }

        /// Enough scratch for any shape the quad path takes.
        static let plentyOfScratch = QuadScratchLayout.largest.size

        /// The op's scratch size as the quantizer plans it.
        var scratchSize: Int {
            ConvInt8.scratchSize(kernelHeight: shape.kh, kernelWidth: shape.kw, inputChannels: shape.cin,
                                 outputChannels: shape.cout, poolHeight: Int(shape.pool.0), poolWidth: Int(shape.pool.1))
        }

        /// Runs `kernel` on this case and returns the output bytes (pre-filled with garbage). The kernel gets
        /// `scratch` bytes (default: plenty) of garbage scratch starting `misalign` bytes past an 8-byte boundary,
        /// and the bytes around it must be untouched.
        func run(scratch: Int? = nil, misalign: Int = 0, _ kernel: (ConvolutionCall) -> Bool) -> [Int8]? {
            var y = [Int8](repeating: 77, count: outputCount)
            let size = scratch ?? Self.plentyOfScratch
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: misalign + size + 64, alignment: 8)
            defer { memory.deallocate() }
            memory.initializeMemory(as: UInt8.self, repeating: 0xA5)
            let lent = UnsafeMutableRawBufferPointer(rebasing: memory[misalign..<(misalign + size)])
            defer {
                let untouched = memory[..<misalign].allSatisfy { $0 == 0xA5 } && memory[(misalign + size)...].allSatisfy { $0 == 0xA5 }
                #expect(untouched, "a kernel wrote outside its \(size) bytes of scratch: \(shape)")
            }
            let s = shape
            let ran = x.withUnsafeBufferPointer { xp in
                w.withUnsafeBufferPointer { wp in
                    bias.withUnsafeBufferPointer { bp in
                        multipliers.withUnsafeBufferPointer { mp in
                            shifts.withUnsafeBufferPointer { sp in
                                y.withUnsafeMutableBufferPointer { yp in
                                    kernel(ConvolutionCall(
                                        x: xp.baseAddress!, inputHeight: s.h, inputWidth: s.w, inputChannels: s.cin,
                                        inputOffset: s.offset, weights: wp.baseAddress!,
                                        bias: hasBias ? bp.baseAddress! : nil, multipliers: mp.baseAddress!,
                                        shifts: sp.baseAddress!, y: yp.baseAddress!, outputHeight: s.oh,
                                        outputWidth: s.ow, outputChannels: s.cout, outputOffset: s.outOffset,
                                        kernelHeight: s.kh, kernelWidth: s.kw, strideY: s.sy, strideX: s.sx,
                                        padTop: s.pt, padLeft: s.pl, activationMin: s.low, activationMax: s.high,
                                        pool: s.pool, scratch: lent))
                                }
                            }
                        }
                    }
                }
            }
            return ran ? y : nil
        }

        func reference() -> [Int8] {
            run { c in
                if c.pool.0 != 0 { ConvInt8.withMaxPool(c) } else { ConvInt8.reference(c) }
                return true
            }!
        }
    }

    /// The quad path (ConvInt8Quad.swift, what the interpreter tries first) on every kind of shape: cin 1 and
    /// other counts not a multiple of 4, strides, padding, 1x1, fused 2x2 pools (the pooled-together output)
    /// and others, more output channels than a block, all-negative shifts (its short requantization) and mixed
    /// ones, saturated values.
    @Test func quadMatchesReferenceOnRandomShapes() {
        var r = SeededRandom(seed: 4242)
        var ran = 0, declined = 0, together = 0, cin1 = 0, oddK = 0, small = 0, six = 0, long = 0
        for index in 0..<1400 {
            let kind = index % 7
            let c = Case(&r, pointwise: kind == 6, negativeShifts: kind != 0 && kind != 3, pool2x2: kind == 2 || kind == 5,
                         channels: kind == 4 ? Int.random(in: 60...140, using: &r) : nil, extreme: index % 11 == 3)
            let k = c.shape.kh * c.shape.kw * c.shape.cin
            guard let fast = c.run(ConvInt8.quad) else {
                #expect(k > ConvInt8.quadCapacity, "case \(index): the quad path declined \(c.shape)")
                declined += 1
                continue
            }
            #expect(k <= ConvInt8.quadCapacity)
            let same = fast == c.reference()
            #expect(same, "case \(index): \(c.shape)")
            ran += 1
            small += k <= ConvInt8.smallCapacity ? 1 : 0
            six += k > ConvInt8.smallCapacity && k <= ConvInt8.hexCapacity && c.shape.pool.0 == 0 ? 1 : 0
            together += c.shape.pool.0 * c.shape.pool.1 == 4 ? 1 : 0
            cin1 += c.shape.cin == 1 ? 1 : 0
            oddK += k % 4 != 0 ? 1 : 0
            long += k > 432 ? 1 : 0
        }
        #expect(ran > 1100 && together > 250 && cin1 > 80 && oddK > 400 && small > 150 && six > 250 && long > 20,
                "\(ran) \(together) \(cin1) \(oddK) \(small) \(six) \(long) \(declined)")
    }

    /// The shipped models' conv shapes (stems with cin 1, 3x3 with 16/24/32/48 channels, the strided 1x1
    /// projection, 2x2 pools) with random values.
    @Test func quadMatchesReferenceOnModelShapes() {
        var r = SeededRandom(seed: 77)
        // (h, w, cin, cout, k, stride, pad, pool)
        let shapes: [(Int, Int, Int, Int, Int, Int, Int, Bool)] = [
            (28, 28, 1, 24, 3, 1, 1, true), (28, 28, 1, 16, 3, 1, 1, false), (14, 14, 24, 24, 3, 1, 1, false),
            (14, 14, 24, 48, 3, 2, 0, false), (14, 14, 24, 48, 1, 2, 0, false), (7, 7, 48, 48, 3, 1, 1, false),
            (28, 28, 16, 16, 3, 1, 1, true), (14, 14, 16, 32, 3, 1, 1, false), (14, 14, 32, 32, 3, 1, 1, true),
            (7, 7, 32, 64, 3, 1, 1, true),
        ]
        for (index, s) in shapes.enumerated() {
            for round in 0..<2 {
                let c = Case(&r, negativeShifts: round == 0)
                let oh = (s.0 + 2 * s.6 - s.4) / s.5 + 1, ow = (s.1 + 2 * s.6 - s.4) / s.5 + 1
                c.x = (0..<s.0 * s.1 * s.2).map { _ in Int8.random(in: .min ... .max, using: &r) }
                c.w = (0..<s.3 * s.4 * s.4 * s.2).map { _ in Int8.random(in: -127...127, using: &r) }
                c.bias = (0..<s.3).map { _ in Int32.random(in: -(1 << 16)...(1 << 16), using: &r) }
                c.multipliers = (0..<s.3).map { _ in Int32.random(in: (1 << 30)...Int32.max, using: &r) }
                c.shifts = (0..<s.3).map { _ in round == 0 ? Int32.random(in: -11...(-7), using: &r) : Int32.random(in: -3...1, using: &r) }
                let reshape: (ConvolutionCall) -> ConvolutionCall = { original in
                    var m = original
                    m.inputHeight = s.0; m.inputWidth = s.1; m.inputChannels = s.2; m.outputChannels = s.3
                    m.kernelHeight = s.4; m.kernelWidth = s.4; m.strideY = s.5; m.strideX = s.5
                    m.padTop = s.6; m.padLeft = s.6
                    m.pool = s.7 ? (2, 2, 2, 2) : (0, 0, 0, 0)
                    m.outputHeight = s.7 ? oh / 2 : oh; m.outputWidth = s.7 ? ow / 2 : ow
                    return m
                }
                let count = (s.7 ? (oh / 2) * (ow / 2) : oh * ow) * s.3
                func run(_ kernel: @escaping (ConvolutionCall) -> Bool) -> [Int8] {
                    var out = [Int8](repeating: 0, count: count)
                    _ = c.run { call in
                        var m = reshape(call)
                        return out.withUnsafeMutableBufferPointer { o in
                            m.y = o.baseAddress!
                            return kernel(m)
                        }
                    }
                    return out
                }
                let reference = run { s.7 ? ConvInt8.withMaxPool($0) : ConvInt8.reference($0); return true }
                let same = run(ConvInt8.quad) == reference
                #expect(same, "shape \(index) round \(round)")
            }
        }
    }

    /// The five-instruction requantization for negative shifts (C, with SMLAL on Cortex-M; Swift) against the
    /// reference, on random, extreme and near-tie values.
    @Test func negativeShiftRequantizationMatchesReference() {
        var r = SeededRandom(seed: 31)
        let special: [Int32] = [.min, .min + 1, -1 << 30, -3000, -3, -1, 0, 1, 2, 3, 3000, 1 << 30, .max - 1, .max]
        let multipliers: [Int32] = [0, 1, 1 << 30, (1 << 30) + 1, 3 << 29, .max - 1, .max]
        func check(_ acc: Int32, _ m: Int32, _ shift: Int32) {
            let expected = multiplyByQuantizedMultiplier(acc, m, shift)
            let rsh = ~shift, round = DSP.negativeShiftRound(rsh)
            if rsh >= 1 { #expect(round == (0x4000_0000, Int32(1) << (rsh - 1))) }
            #expect(DSP.requantizeNegativeShift(acc, m, round, rsh) == expected, "acc \(acc) m \(m) shift \(shift)")
            #expect(DSP.requantizeNegativeShiftSwift(acc, m, round, rsh) == expected, "acc \(acc) m \(m) shift \(shift)")
        }
        for round in 0..<300_000 {
            let acc = round % 4 == 0 ? special.randomElement(using: &r)!
                : round % 4 == 1 ? Int32.random(in: -5000...5000, using: &r) : Int32.random(in: .min ... .max, using: &r)
            let m = round % 3 == 0 ? multipliers.randomElement(using: &r)! : Int32.random(in: 0 ... .max, using: &r)
            check(acc, m, Int32.random(in: -31...(-1), using: &r))
        }
        // Near the rounding ties of both steps: acc · m close to (n + 1/2) · 2^(31 + r) and to (n + 1/2) · 2^31.
        for _ in 0..<200_000 {
            let shift = Int32.random(in: -31...(-1), using: &r), m = Int32.random(in: (1 << 30) ... .max, using: &r)
            let unit = Int64(1) << (31 - Int64(shift))
            let limit = min(1 << 20, (Int64(1) << 61) / unit)
            let target = Int64.random(in: -limit...limit, using: &r) * unit
                + [0, unit / 2, -unit / 2, 1 << 30, -(1 << 30)].randomElement(using: &r)!
            let acc = target / Int64(m) + Int64.random(in: -2...2, using: &r)
            if acc >= Int64(Int32.min) && acc <= Int64(Int32.max) { check(Int32(acc), m, shift) }
        }
        for m in multipliers { for shift in Int32(-31)...(-1) {
            for acc in special { check(acc, m, shift) }
            for acc in Int32(-600)...600 { check(acc, m, shift) }
        } }
    }

    /// `ConvInt8.scratchSize` (what the quantizer plans) is exactly what the quad path needs: with that many
    /// bytes of garbage, at any alignment, it takes the op, stays inside them and matches the reference; with one
    /// byte less it declines (and `run` falls back to the reference). The layout's regions are in order, each
    /// aligned for what it holds.
    @Test func scratchSizeIsWhatThePathNeeds() {
        var r = SeededRandom(seed: 1234)
        var ran = 0, long = 0
        for index in 0..<300 {
            let c = Case(&r, pool2x2: index % 3 == 0)
            let k = c.shape.kh * c.shape.kw * c.shape.cin, size = c.scratchSize
            guard k <= ConvInt8.quadCapacity else {
                #expect(size == 0)
                continue
            }
            let fast = c.run(scratch: size, misalign: index % 8, ConvInt8.quad)
            #expect(fast == c.reference(), "case \(index): \(c.shape)")
            #expect(c.run(scratch: size - 1, misalign: index % 8, ConvInt8.quad) == nil, "case \(index): \(c.shape)")
            ran += 1
            long += k > 432 ? 1 : 0
        }
        #expect(ran > 200 && long > 5, "\(ran) \(long)")
        for k in 1...ConvInt8.quadCapacity {
            for window in [1, 4, 9] {
                for channels in [1, 3, 64, 200] {
                    let layout = QuadScratchLayout(k: k, channels: channels, window: window)
                    #expect(layout.size <= QuadScratchLayout.largest.size)
                    let starts = [layout.columns, layout.targets, layout.accumulators, layout.biases, layout.offsets,
                                  layout.gathered, layout.sink, layout.firsts, layout.end]
                    #expect(starts == starts.sorted() && layout.targets % 8 == 0 && layout.biases % 4 == 0
                            && layout.offsets % 4 == 0 && layout.accumulators % 4 == 0)
                }
            }
        }
        // Columns too long for the quad path: no scratch.
        #expect(ConvInt8.scratchSize(kernelHeight: 5, kernelWidth: 5, inputChannels: 64, outputChannels: 8, poolHeight: 0,
                                     poolWidth: 0) == 0)
    }

    /// The four-position dot product (C) against its Swift definition.
    @Test func dot4MatchesItsDefinition() {
        var r = SeededRandom(seed: 8)
        for _ in 0..<2000 {
            let groups = Int.random(in: 0...20, using: &r)
            let w = (0..<groups * 4).map { _ in Int8.random(in: .min ... .max, using: &r) }
            let columns = (0..<max(groups, 1) * 4).map { _ in UInt64.random(in: .min ... .max, using: &r) }
            let start = Int32.random(in: .min ... .max, using: &r)
            w.withUnsafeBufferPointer { wp in
                columns.withUnsafeBufferPointer { cp in
                    let base = wp.baseAddress ?? UnsafePointer(bitPattern: 8)!
                    let a = DSP.dot4(base, cp.baseAddress!, groups, start)
                    let b = DSP.dot4Swift(base, cp.baseAddress!, groups, start)
                    #expect(a == b)
                }
            }
            // Six interleaved columns, and the small path (k <= 12 weights against 56 columns at stride 56).
            let columns6 = (0..<max(groups, 1) * 6).map { _ in UInt64.random(in: .min ... .max, using: &r) }
            let columns56 = (0..<168).map { _ in UInt64.random(in: .min ... .max, using: &r) }
            let k = Int.random(in: 1...12, using: &r), count = Int.random(in: 1...56, using: &r)
            let small = (0..<k).map { _ in Int8.random(in: .min ... .max, using: &r) }
            w.withUnsafeBufferPointer { wp in
                columns6.withUnsafeBufferPointer { cp in
                    let base = wp.baseAddress ?? UnsafePointer(bitPattern: 8)!
                    let a = DSP.dot6(base, cp.baseAddress!, groups, start)
                    let b = DSP.dot6Swift(base, cp.baseAddress!, groups, start)
                    #expect(a == b)
                }
            }
            var fast = [Int32](repeating: 0, count: 56), swift = [Int32](repeating: 1, count: 56)
            small.withUnsafeBufferPointer { wp in
                columns56.withUnsafeBufferPointer { cp in
                    DSP.dotSmall(wp.baseAddress!, k, cp.baseAddress!, count, start, &fast)
                    DSP.dotSmallSwift(wp.baseAddress!, k, cp.baseAddress!, count, start, &swift)
                }
            }
            #expect(fast[..<count] == swift[..<count])
            // The small path's interior column (C and Swift) against gathering the values one by one.
            let window = (0..<64).map { _ in Int8.random(in: .min ... .max, using: &r) }
            let offsets = (0..<k).map { _ in Int32.random(in: 0...63, using: &r) }
            var built = [UInt64](repeating: 1, count: 168), builtSwift = [UInt64](repeating: 2, count: 168)
            window.withUnsafeBufferPointer { wp in
                offsets.withUnsafeBufferPointer { op in
                    DSP.smallColumn(wp.baseAddress!, op.baseAddress!, k, &built)
                    DSP.smallColumnSwift(wp.baseAddress!, op.baseAddress!, k, &builtSwift)
                }
            }
            for g in 0..<3 {
                #expect(built[56 * g] == builtSwift[56 * g])
                for slot in 0..<4 {
                    let t = 4 * g + [0, 2, 1, 3][slot]
                    let expected = t < k ? Int16(window[Int(offsets[t])]) : 0
                    #expect(Int16(truncatingIfNeeded: built[56 * g] >> (16 * UInt64(slot))) == expected)
                }
            }
            // Against the plain definition: weights past k are 0.
            for j in 0..<count {
                var a = start
                for t in 0..<k {
                    let pair = columns56[56 * (t / 4) + j]
                    let slot = [0, 2, 1, 3][t % 4]
                    a = a &+ Int32(small[t]) &* Int32(Int16(truncatingIfNeeded: pair >> (16 * UInt64(slot))))
                }
                #expect(fast[j] == a)
            }
        }
    }

    @Test func quadDeclinesColumnsLongerThanItsCapacity() {
        var r = SeededRandom(seed: 3)
        let c = Case(&r)
        let capacity = ConvInt8.quadCapacity
        #expect(capacity >= 3 * 3 * 64)
        // A 3x3 kernel over capacity/9 + 1 channels has a longer column than the path takes.
        let cin = capacity / 9 + 1
        c.x = [Int8](repeating: 1, count: 9 * cin)
        c.w = [Int8](repeating: 1, count: 9 * cin)
        let call = c.run { call in
            var long = call
            long.inputHeight = 3; long.inputWidth = 3; long.inputChannels = cin
            long.kernelHeight = 3; long.kernelWidth = 3; long.outputHeight = 1; long.outputWidth = 1
            long.outputChannels = 1; long.padTop = 0; long.padLeft = 0; long.pool = (0, 0, 0, 0)
            return ConvInt8.quad(long)
        }
        #expect(call == nil)
        #expect(ConvInt8.scratchSize(kernelHeight: 3, kernelWidth: 3, inputChannels: cin, outputChannels: 1, poolHeight: 0,
                                     poolWidth: 0) == 0)
    }

    /// The shorter requantization (C and Swift) against the reference function, on random and extreme values.
    @Test func requantizationMatchesReference() {
        var r = SeededRandom(seed: 99)
        let special: [Int32] = [.min, .min + 1, -1 << 30, -3, -1, 0, 1, 2, 3, 1 << 30, .max - 1, .max]
        var checked = 0
        for round in 0..<200_000 {
            let acc = round % 4 == 0 ? special.randomElement(using: &r)! : Int32.random(in: .min ... .max, using: &r)
            let m = round % 3 == 0 ? special.randomElement(using: &r)! : Int32.random(in: .min ... .max, using: &r)
            let shift = Int32.random(in: -31...30, using: &r)
            let expected = multiplyByQuantizedMultiplier(acc, m, shift)
            #expect(DSP.requantize(acc, m, shift) == expected, "acc \(acc) m \(m) shift \(shift)")
            #expect(DSP.requantizeSwift(acc, m, shift) == expected, "acc \(acc) m \(m) shift \(shift)")
            checked += 1
        }
        for acc in special { for m in special { for shift in Int32(-31)...30 {
            let expected = multiplyByQuantizedMultiplier(acc, m, shift)
            #expect(DSP.requantize(acc, m, shift) == expected)
            #expect(DSP.requantizeSwift(acc, m, shift) == expected)
        } } }
        #expect(checked == 200_000)
    }

    /// The DSP functions (hardware on Cortex-M4/M7, C fallbacks here) against their definitions.
    @Test func dspPrimitivesMatchTheirDefinitions() {
        var r = SeededRandom(seed: 7)
        func half(_ v: UInt32, _ i: Int) -> Int32 { Int32(Int16(truncatingIfNeeded: v >> (16 * i))) }
        func byte(_ v: UInt32, _ i: Int) -> Int32 { Int32(Int8(truncatingIfNeeded: v >> (8 * i))) }
        for _ in 0..<100_000 {
            let a = UInt32.random(in: .min ... .max, using: &r), b = UInt32.random(in: .min ... .max, using: &r)
            let acc = Int32.random(in: .min ... .max, using: &r)
            let lo = DSP.sxtb16(a), hi = DSP.sxtb16ror8(a)
            #expect(half(lo, 0) == byte(a, 0) && half(lo, 1) == byte(a, 2))
            #expect(half(hi, 0) == byte(a, 1) && half(hi, 1) == byte(a, 3))
            let sum = DSP.sadd16(a, b)
            #expect(UInt16(truncatingIfNeeded: sum) == UInt16(truncatingIfNeeded: a) &+ UInt16(truncatingIfNeeded: b))
            #expect(UInt16(truncatingIfNeeded: sum >> 16) == UInt16(truncatingIfNeeded: a >> 16) &+ UInt16(truncatingIfNeeded: b >> 16))
            #expect(DSP.smlad(a, b, acc) == acc &+ half(a, 0) &* half(b, 0) &+ half(a, 1) &* half(b, 1))
        }
    }
}
