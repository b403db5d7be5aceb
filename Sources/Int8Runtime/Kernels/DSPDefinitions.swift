/// The Swift definitions of the DSP bridge's compound operations (DSP.swift): what each C function in
/// cint8dsp.h must equal (the tests compare them on random and extreme values), and the bodies the bridge uses when
/// CInt8DSP is absent (a plain swiftc build of these sources). Built from the four primitives, so they wrap
/// modulo 2^32 exactly like the instructions.
extension DSP {
    /// The small path's column of an interior position: value t < k <= 12 is base[offsets[t]]; group g (values
    /// 4g ... 4g + 3 as the halfword pairs (v0, v2), (v1, v3), zeros past k) goes to to[56 g].
    @inline(__always) static func smallColumnSwift(_ base: UnsafePointer<Int8>, _ offsets: UnsafePointer<Int32>,
                                                   _ k: Int, _ to: UnsafeMutablePointer<UInt64>) {
        var words: (UInt32, UInt32, UInt32) = (0, 0, 0)
        for t in 0..<k {
            let byte = UInt32(UInt8(bitPattern: base[Int(offsets[t])])) &<< UInt32(8 * (t & 3))
            switch t >> 2 {
            case 0: words.0 |= byte
            case 1: words.1 |= byte
            default: words.2 |= byte
            }
        }
        to[0] = UInt64(sxtb16(words.0)) | UInt64(sxtb16ror8(words.0)) &<< 32
        to[56] = UInt64(sxtb16(words.1)) | UInt64(sxtb16ror8(words.1)) &<< 32
        to[112] = UInt64(sxtb16(words.2)) | UInt64(sxtb16ror8(words.2)) &<< 32
    }

    /// One output channel at six positions (group g of position j is columns[6g + j]).
    @inline(__always) static func dot6Swift(_ w: UnsafePointer<Int8>, _ columns: UnsafePointer<UInt64>, _ groups: Int,
                                            _ start: Int32) -> (Int32, Int32, Int32, Int32, Int32, Int32) {
        var a = (start, start, start, start, start, start)
        var wp = UnsafeRawPointer(w)
        var cp = columns
        for _ in 0..<groups {
            let x = wp.loadUnaligned(as: UInt32.self)
            @inline(__always) func step(_ acc: Int32, _ pair: UInt64) -> Int32 {
                smlad(sxtb16ror8(x), UInt32(truncatingIfNeeded: pair &>> 32), smlad(sxtb16(x), UInt32(truncatingIfNeeded: pair), acc))
            }
            a = (step(a.0, cp[0]), step(a.1, cp[1]), step(a.2, cp[2]), step(a.3, cp[3]), step(a.4, cp[4]), step(a.5, cp[5]))
            wp += 4
            cp += 6
        }
        return a
    }

    /// One channel of k <= 12 weights at `count` positions: acc[j] = start + Σ w · column j, where group g of
    /// column j (4 values as the halfword pairs (v0, v2), (v1, v3), zeros past k) is columns[56 g + j].
    @inline(__always) static func dotSmallSwift(_ w: UnsafePointer<Int8>, _ k: Int, _ columns: UnsafePointer<UInt64>,
                                                _ count: Int, _ start: Int32, _ acc: UnsafeMutablePointer<Int32>) {
        var words: (UInt32, UInt32, UInt32) = (0, 0, 0)
        for t in 0..<k {
            let byte = UInt32(UInt8(bitPattern: w[t])) &<< UInt32(8 * (t & 3))
            switch t >> 2 {
            case 0: words.0 |= byte
            case 1: words.1 |= byte
            default: words.2 |= byte
            }
        }
        @inline(__always) func group(_ a: Int32, _ word: UInt32, _ pair: UInt64) -> Int32 {
            smlad(sxtb16ror8(word), UInt32(truncatingIfNeeded: pair &>> 32), smlad(sxtb16(word), UInt32(truncatingIfNeeded: pair), a))
        }
        for j in 0..<count {
            acc[j] = group(group(group(start, words.0, columns[j]), words.1, columns[56 &+ j]), words.2, columns[112 &+ j])
        }
    }

    /// `multiplyByQuantizedMultiplier(acc, multiplier, shift)` for shift = -(rsh + 1) <= -1 and multiplier >= 0,
    /// given `round` = 2^30 + 2^(31 + rsh) as (low word, high word) from `negativeShiftRound`.
    ///
    /// Why it is equal: with p = acc · multiplier, TFLite computes h = floor((p + 2^30) / 2^31) (its nudge and
    /// truncation; see `requantizeSwift`), then rounds h / 2^r half away from zero (r = rsh + 1), which is
    /// floor((h + 2^(r-1) - [h < 0]) / 2^r). Nested floors of divisions by powers of 2 collapse into one:
    /// floor((p + 2^30 + 2^(30+r) - [h < 0] · 2^31) / 2^(31+r)). h < 0 iff p < -2^30. Using [acc < 0] (equal to
    /// [p < 0] when multiplier > 0) instead changes the sum only where -2^30 <= p <= 0 with acc < 0; there h = 0
    /// and both sums lie in [2^30 + 2^(30+r) - 2^31, 2^30 + 2^(30+r)], inside [0, 2^(31+r)), so both floors are 0.
    /// Every term fits 64 bits (|p| < 2^62, round <= 2^61 + 2^30); the floor is the high word of the sum
    /// shifted right by r - 1 = rsh. Tested against the reference on random and extreme values.
    @inline(__always) static func requantizeNegativeShiftSwift(_ acc: Int32, _ multiplier: Int32,
                                                               _ round: (UInt32, Int32), _ rsh: Int32) -> Int32 {
        let constant = Int64(round.1) &<< 32 | Int64(round.0)
        let v = Int64(acc) &* Int64(multiplier) &+ constant &+ (Int64(acc &>> 31) &<< 31)
        return Int32(truncatingIfNeeded: v &>> 32) &>> rsh
    }

    /// One output channel at four positions: for each group g of 4 int8 weights, the 64-bit words
    /// columns[4g + j] hold position j's 4 int16 values as the halfword pairs (v0, v2), (v1, v3).
    @inline(__always) static func dot4Swift(_ w: UnsafePointer<Int8>, _ columns: UnsafePointer<UInt64>,
                                            _ groups: Int, _ start: Int32) -> (Int32, Int32, Int32, Int32) {
        var a0 = start, a1 = start, a2 = start, a3 = start
        var wp = UnsafeRawPointer(w)
        var cp = columns
        var n = groups
        while n > 0 {
            let x = wp.loadUnaligned(as: UInt32.self)
            let lo = sxtb16(x), hi = sxtb16ror8(x)
            let p0 = cp[0], p1 = cp[1], p2 = cp[2], p3 = cp[3]
            a0 = smlad(hi, UInt32(truncatingIfNeeded: p0 &>> 32), smlad(lo, UInt32(truncatingIfNeeded: p0), a0))
            a1 = smlad(hi, UInt32(truncatingIfNeeded: p1 &>> 32), smlad(lo, UInt32(truncatingIfNeeded: p1), a1))
            a2 = smlad(hi, UInt32(truncatingIfNeeded: p2 &>> 32), smlad(lo, UInt32(truncatingIfNeeded: p2), a2))
            a3 = smlad(hi, UInt32(truncatingIfNeeded: p3 &>> 32), smlad(lo, UInt32(truncatingIfNeeded: p3), a3))
            wp += 4
            cp += 4
            n &-= 1
        }
        return (a0, a1, a2, a3)
    }

    /// TFLite Micro's requantization (`multiplyByQuantizedMultiplier`) with fewer instructions: the doubling high
    /// multiply as one rounding shift of the 64-bit product p, `(p + 2^30) >> 31`. For p >= 0 that is TFLite's
    /// `(p + 2^30) / 2^31`. For p < 0 TFLite computes trunc((p + 1 - 2^30) / 2^31) = -floor((-p + 2^30 - 1) / 2^31),
    /// and floor((p + 2^30) / 2^31) = -ceil((-p - 2^30) / 2^31) = -floor((-p - 2^30 + 2^31 - 1) / 2^31): the same
    /// integer. The one saturating case (both Int32.min) is kept. `shift` in -31 ... 30 (the loader checks it).
    @inline(__always) static func requantizeSwift(_ acc: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
        let x = shift > 0 ? acc &<< shift : acc
        let high = x == .min && multiplier == .min
            ? Int32.max : Int32(truncatingIfNeeded: (Int64(x) &* Int64(multiplier) &+ (1 << 30)) &>> 31)
        let right = shift > 0 ? 0 : 0 &- shift
        let mask = Int32(bitPattern: (UInt32(1) &<< UInt32(right)) &- 1)
        let remainder = high & mask
        let threshold = (mask &>> 1) &+ (high < 0 ? 1 : 0)
        return (high &>> right) &+ (remainder > threshold ? 1 : 0)
    }
}

// The non-conv kernels' operations (DSP.swift's last extension).
extension DSP {
    /// One Add output from the doubled table sum `s2` (`dsp_add_output`): clamp(sat8((c - [s2 < 0] + h) >> r), low,
    /// high), h = (s2 · multiplier + 2^31) >> 32 (SMMLAR's rounded high word), all wrapping as the instructions.
    @inline(__always) static func addOutputSwift(_ s2: Int32, _ multiplier: Int32, _ c: Int32, _ r: Int32,
                                                 _ low: Int32, _ high: Int32) -> Int32 {
        let ra = c &+ (s2 &>> 31)
        let sum = (UInt64(UInt32(bitPattern: ra)) &<< 32) &+ UInt64(bitPattern: Int64(s2) &* Int64(multiplier))
            &+ 0x8000_0000
        let h = Int32(truncatingIfNeeded: sum &>> 32)
        let v = Swift.min(Swift.max(h &>> r, -128), 127)
        return Swift.min(Swift.max(v, low), high)
    }

    /// Element-wise Add from two tables of doubled rescaled inputs (`dsp_add_tables`; `first` and `second` point at
    /// the entries of the value 0).
    @inline(__always) static func addTablesSwift(_ x: UnsafePointer<Int8>, _ z: UnsafePointer<Int8>,
                                                 _ y: UnsafeMutablePointer<Int8>, _ count: Int,
                                                 _ first: UnsafePointer<Int32>, _ second: UnsafePointer<Int32>,
                                                 _ multiplier: Int32, _ c: Int32, _ r: Int32, _ low: Int32, _ high: Int32) {
        var i = 0
        while i < count {
            let s2 = first[Int(x[i])] &+ second[Int(z[i])]
            y[i] = Int8(truncatingIfNeeded: addOutputSwift(s2, multiplier, c, r, low, high))
            i &+= 1
        }
    }
}

extension DSP {
    /// The sums of the 4 int8 channels at x ... x + 3 over `rows` x `cols` pixels, pixel (r, q) at
    /// x + r · rowStride + q · pixelStride (`dsp_window_sum4`).
    @inline(__always) static func windowSum4Swift(_ x: UnsafePointer<Int8>, _ rows: Int, _ cols: Int, _ rowStride: Int,
                                                  _ pixelStride: Int) -> (Int32, Int32, Int32, Int32) {
        var s: (Int32, Int32, Int32, Int32) = (0, 0, 0, 0)
        for r in 0..<rows {
            for q in 0..<cols {
                let p = x + (r &* rowStride &+ q &* pixelStride)
                s = (s.0 &+ Int32(p[0]), s.1 &+ Int32(p[1]), s.2 &+ Int32(p[2]), s.3 &+ Int32(p[3]))
            }
        }
        return s
    }

    /// Four rows of a dense layer (row k at w + k · n): Σ_{i < n} w[k · n + i] · (x[i] + offset), wrapping
    /// (`dsp_dense4`).
    @inline(__always) static func dense4Swift(_ w: UnsafePointer<Int8>, _ n: Int, _ x: UnsafePointer<Int8>,
                                              _ offset: Int32) -> (Int32, Int32, Int32, Int32) {
        var a: (Int32, Int32, Int32, Int32) = (0, 0, 0, 0)
        for i in 0..<n {
            let v = Int32(x[i]) &+ offset
            a = (a.0 &+ Int32(w[i]) &* v, a.1 &+ Int32(w[n &+ i]) &* v, a.2 &+ Int32(w[2 &* n &+ i]) &* v,
                 a.3 &+ Int32(w[3 &* n &+ i]) &* v)
        }
        return a
    }
}

extension DSP {
    /// One Add input's table (`dsp_add_table`): t[v + 128] = (SMMLAR(2y, multiplier, Ra)) >> r for v in -128 ... 127,
    /// y = (v + offset) · 2^(leftShift + max(shift, 0)), r = max(-shift, 0), Ra = 2^(r-1) - [y < 0] (0 for r = 0),
    /// wrapping as the instructions; returns the largest |entry|.
    @inline(__always) static func addTableSwift(_ t: UnsafeMutablePointer<Int32>, _ offset: Int32, _ leftShift: Int32,
                                                _ multiplier: Int32, _ shift: Int32) -> UInt32 {
        let k = leftShift &+ (shift > 0 ? shift : 0), r = shift > 0 ? 0 : 0 &- shift
        let c: Int32 = r > 0 ? Int32(bitPattern: UInt32(1) &<< UInt32(r &- 1)) : 0, sign: Int32 = r > 0 ? -1 : 0
        var largest: UInt32 = 0
        for i in 0..<256 {
            let y2 = (offset &- 128 &+ Int32(truncatingIfNeeded: i)) &* Int32(bitPattern: UInt32(2) &<< UInt32(k))
            let ra = c &+ ((y2 &>> 31) & sign)
            let sum = (UInt64(UInt32(bitPattern: ra)) &<< 32) &+ UInt64(bitPattern: Int64(y2) &* Int64(multiplier))
                &+ 0x8000_0000
            let e = Int32(truncatingIfNeeded: sum &>> 32) &>> r
            largest = Swift.max(largest, e.magnitude)
            t[i] = e
        }
        return largest
    }
}
