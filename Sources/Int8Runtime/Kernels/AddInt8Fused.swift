/// The Add's table path with the output requantization fused into three instructions (SMMLAR, ASR, SSAT on
/// Cortex-M4/M7, `DSP.addTables`), taken when it is exact for the call; `AddInt8.addWithTables` decides.
extension AddInt8 {
    /// `(c, r)` for `DSP.addTables`, or nil when the fused form is not exact for `a`: the output shift must be
    /// negative (r = -shift in 1 ... 31), the activation bounds inside int8, `maxAbsSum` (the largest |first[x] +
    /// second[z]| the tables can give) below 2^30, and every intermediate inside 32 bits.
    ///
    /// Why it is the reference: with acc = first[x] + second[z] (the tables hold the reference's rescaled inputs)
    /// and m = the output multiplier (>= 0, the loader checks), the reference computes
    /// clamp(offset + RDBPOT(h, r)), h = SRDHM(acc, m).
    /// 1. SRDHM(acc, m) = floor((acc · m + 2^30) / 2^31) (`DSP.requantizeSwift`; the saturating case needs m < 0)
    ///    = floor((2acc · m + 2^31) / 2^32): SMMLAR of s2 = 2acc (the doubled tables) and m, whose accumulator Ra is
    ///    added to the high word, so SMMLAR(s2, m, Ra) = Ra + h whenever that fits 32 bits.
    /// 2. RDBPOT(h, r) = floor((h + 2^(r-1) - [h < 0]) / 2^r) (TFLite: remainder > 2^(r-1) - 1 + [h < 0] adds 1).
    ///    [acc < 0] may replace [h < 0]: acc >= 0 gives h >= 0; acc < 0 gives h <= 0, and where h = 0 both
    ///    numerators, 2^(r-1) - 1 and 2^(r-1), lie in [0, 2^r), so both floors are 0.
    /// 3. offset + floor(X / 2^r) = floor((X + offset · 2^r) / 2^r).
    /// So the output is clamp((Ra + h) >> r) with Ra = c - [s2 < 0], c = 2^(r-1) + offset · 2^r; saturating to
    /// int8 first (SSAT) changes nothing when low >= -128 and high <= 127. Bounds: |s2| <= 2 · maxAbsSum < 2^31,
    /// |h| <= |acc| + 1 (m < 2^31), so |Ra + h| <= |c| + 2 + maxAbsSum, required <= Int32.max.
    static func fusedParameters(_ a: AddCall, maxAbsSum: Int64) -> (c: Int32, r: Int32)? {
        guard a.outputShift < 0, a.outputMultiplier >= 0, a.activationMin >= -128, a.activationMax <= 127,
              a.activationMin <= a.activationMax, maxAbsSum >= 0, maxAbsSum < 1 << 30 else { return nil }
        let r = 0 &- a.outputShift
        let c = (Int64(1) << (r - 1)) + Int64(a.outputOffset) * (Int64(1) << r)
        guard Swift.max(c, 0 &- c) + 2 + maxAbsSum <= Int64(Int32.max) else { return nil }
        return (Int32(truncatingIfNeeded: c), r)
    }

    /// Runs the fused path on tables already filled with the rescaled inputs (256 entries each, `first` and
    /// `second` pointing at the value 0's; `maxAbsSum` the largest |first[x]| plus the largest |second[z]|): doubles
    /// them in place and calls `DSP.addTables`. False, with the tables untouched, when `fusedParameters` declines.
    static func addFused(_ a: AddCall, _ first: UnsafeMutablePointer<Int32>, _ second: UnsafeMutablePointer<Int32>,
                         maxAbsSum: Int64) -> Bool {
        guard let fused = fusedParameters(a, maxAbsSum: maxAbsSum) else { return false }
        for v in -128...127 {
            first[v] = first[v] &* 2
            second[v] = second[v] &* 2
        }
        DSP.addTables(a.x, a.z, a.y, a.count, first, second, a.outputMultiplier, fused.c, fused.r,
                      a.activationMin, a.activationMax)
        return true
    }
}
