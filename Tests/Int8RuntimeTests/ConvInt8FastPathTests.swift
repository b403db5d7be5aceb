import CInt8DSP
@testable import Int8Runtime
import Testing
import TestSupport

/// Every faster Conv2D variant against the plain reference loops (ConvInt8.reference / withMaxPool), byte for
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

        init(_ r: inout SeededRandom, pointwise: Bool = false) {
            while true {
                let h = Int.random(in: 1...9, using: &r), wd = Int.random(in: 1...9, using: &r)
                let cin = [1, 2, 3, 4, 5, 7, 8, 12, 16, 24, 33, 64].randomElement(using: &r)!
                let cout = Int.random(in: 1...9, using: &r)
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
                if !pointwise && Bool.random(using: &r) {
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
                shifts = (0..<cout).map { _ in Int32.random(in: -14...3, using: &r) }
                return
            }
        }

        var outputCount: Int { shape.oh * shape.ow * shape.cout }

        /// Runs `kernel` on this case and returns the output bytes (pre-filled with garbage).
        func run(_ kernel: (ConvolutionCall) -> Bool) -> [Int8]? {
            var y = [Int8](repeating: 77, count: outputCount)
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
                                        pool: s.pool))
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

    @Test func columnsMatchReferenceOnRandomShapes() {
        var r = SeededRandom(seed: 2026)
        var pooled = 0, oddChannels = 0, declined = 0
        for index in 0..<400 {
            let c = Case(&r)
            let fits = c.shape.kh * c.shape.kw * c.shape.cin <= ConvInt8.columnCapacity
            guard let fast = c.run(ConvInt8.columns) else {
                #expect(!fits, "case \(index): the column path declined \(c.shape)")
                declined += 1
                continue
            }
            #expect(fits)
            #expect(fast == c.reference(), "case \(index): \(c.shape)")
            pooled += c.shape.pool.0 != 0 ? 1 : 0
            oddChannels += c.shape.cout % 2 == 1 && c.shape.cin % 4 != 0 ? 1 : 0
        }
        #expect(pooled > 100 && oddChannels > 50 && declined < 40, "\(pooled) \(oddChannels) \(declined)")
    }

    @Test func pointwiseMatchesReferenceOn1x1Shapes() {
        var r = SeededRandom(seed: 11)
        for index in 0..<200 {
            let c = Case(&r, pointwise: true)
            guard let fast = c.run(ConvInt8.pointwise) else {
                Issue.record("case \(index): the 1x1 path declined \(c.shape)")
                continue
            }
            #expect(fast == c.reference(), "case \(index): \(c.shape)")
            #expect(c.run(ConvInt8.columns) == fast)
        }
    }

    @Test func pointwiseDeclinesOtherShapes() {
        var r = SeededRandom(seed: 5)
        for _ in 0..<100 {
            let c = Case(&r)
            let eligible = c.shape.kh == 1 && c.shape.kw == 1 && c.shape.pt == 0 && c.shape.pl == 0 && c.shape.pool.0 == 0
            if !eligible { #expect(c.run(ConvInt8.pointwise) == nil) }
        }
    }

    @Test func columnsDeclineColumnsLongerThanTheirCapacity() {
        var r = SeededRandom(seed: 3)
        let c = Case(&r)
        let capacity = ConvInt8.columnCapacity
        #expect(capacity >= 3 * 3 * 64)
        // A 3x3 kernel over capacity/9 + 1 channels needs a longer column than the stack holds.
        let cin = capacity / 9 + 1
        c.x = [Int8](repeating: 1, count: 9 * cin)
        c.w = [Int8](repeating: 1, count: 9 * cin)
        let call = c.run { call in
            var long = call
            long.inputHeight = 3; long.inputWidth = 3; long.inputChannels = cin
            long.kernelHeight = 3; long.kernelWidth = 3; long.outputHeight = 1; long.outputWidth = 1
            long.outputChannels = 1; long.padTop = 0; long.padLeft = 0; long.pool = (0, 0, 0, 0)
            return ConvInt8.columns(long)
        }
        #expect(call == nil)
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
