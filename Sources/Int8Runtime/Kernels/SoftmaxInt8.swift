/// Int8 softmax over the channels of each position, as TFLite Micro's reference int8 Softmax (gemmlowp fixed
/// point): each input's difference to its row's maximum, scaled by `beta · input_scale` (a Q31 multiplier with a
/// left shift: parameters 0 and 1), becomes a Q5.26 value; `exp` of it in Q0.31 (`expOnNegativeValues`), the sum
/// of exps in Q12.19, its reciprocal by Newton-Raphson, and the output in steps of 1/256 from -128. Differences
/// below `diff_min` (parameter 2) give -128 without entering the sum. The output quantization is fixed by the
/// arithmetic (scale 1/256, zero point -128); the validator checks the output tensor records exactly that.
///
/// Only integer operations: no FPU, nothing that can trap for any validated parameters (the validator bounds
/// `|diff_min| · 2^left_shift` below 2^31 and the row length so that the final shift stays below 32).
enum SoftmaxInt8 {
    /// The most channels a softmax row may have: the sum of exps (at most `depth · 2^19` in Q12.19) keeps 4 bits
    /// of headroom, so the output shift `bits over unit + 23` stays within 0...31.
    static let maxDepth = 256

    static func reference(_ c: KernelContext) {
        let depth = c.input.channels, rows = c.input.height * c.input.width
        let multiplier = c.op.parameters.0, leftShift = c.op.parameters.1, diffMin = c.op.parameters.2
        for row in 0..<rows {
            let x = c.x + row * depth, y = c.y + row * depth
            var maxInRow: Int32 = -128
            for i in 0..<depth { maxInRow = max(maxInRow, Int32(x[i])) }

            // Sum of exps in Q12.19.
            var sum: Int32 = 0
            for i in 0..<depth {
                let diff = Int32(x[i]) &- maxInRow
                if diff >= diffMin {
                    let scaled = scaledDifference(diff, multiplier, leftShift)
                    sum = sum &+ roundingDivideByPowerOfTwo(expOnNegativeValues(scaled), 12)
                }
            }
            let (scale, bitsOverUnit) = reciprocal(sum, integerBits: 12)
            for i in 0..<depth {
                let diff = Int32(x[i]) &- maxInRow
                if diff >= diffMin {
                    let exp = expOnNegativeValues(scaledDifference(diff, multiplier, leftShift))
                    let unsaturated = roundingDivideByPowerOfTwo(saturatingRoundingDoublingHighMul(scale, exp), bitsOverUnit &+ 23)
                    y[i] = clampToInt8(unsaturated &- 128, -128, 127)
                } else {
                    y[i] = -128
                }
            }
        }
    }

    /// `diff · 2^leftShift · multiplier / 2^31` (TFLite's MultiplyByQuantizedMultiplierGreaterThanOne); the
    /// validator guarantees the shifted difference fits 32 bits for every `diff >= diff_min`.
    @inline(__always)
    static func scaledDifference(_ diff: Int32, _ multiplier: Int32, _ leftShift: Int32) -> Int32 {
        saturatingRoundingDoublingHighMul(diff &<< leftShift, multiplier)
    }

    /// gemmlowp's `exp_on_negative_values` for a Q5.26 input `a <= 0`, result in Q0.31.
    static func expOnNegativeValues(_ a: Int32) -> Int32 {
        let oneQuarter: Int32 = 1 << 24
        let mask = oneQuarter &- 1
        let aModQuarterMinusOneQuarter = (a & mask) &- oneQuarter
        // Rescale from Q5.26 to Q0.31: a saturating left shift by 5 (the value lies in [-1/4, 0), so it never saturates).
        var result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(saturatingShiftLeft(aModQuarterMinusOneQuarter, 5))
        let remainder = aModQuarterMinusOneQuarter &- a
        // exp(-2^k) for k = -2...4, applied for each bit of the remainder (the barrel shifter).
        let multipliers: (Int32, Int32, Int32, Int32, Int32, Int32, Int32) =
            (1_672_461_947, 1_302_514_674, 790_015_084, 290_630_308, 39_332_535, 720_401, 242)
        if remainder & (1 << 24) != 0 { result = saturatingRoundingDoublingHighMul(result, multipliers.0) }
        if remainder & (1 << 25) != 0 { result = saturatingRoundingDoublingHighMul(result, multipliers.1) }
        if remainder & (1 << 26) != 0 { result = saturatingRoundingDoublingHighMul(result, multipliers.2) }
        if remainder & (1 << 27) != 0 { result = saturatingRoundingDoublingHighMul(result, multipliers.3) }
        if remainder & (1 << 28) != 0 { result = saturatingRoundingDoublingHighMul(result, multipliers.4) }
        if remainder & (1 << 29) != 0 { result = saturatingRoundingDoublingHighMul(result, multipliers.5) }
        if remainder & (1 << 30) != 0 { result = saturatingRoundingDoublingHighMul(result, multipliers.6) }
        return a == 0 ? Int32.max : result
    }

    /// gemmlowp's `exp_on_interval_between_negative_one_quarter_and_0_excl`: a Taylor expansion around -1/8, Q0.31.
    static func expOnIntervalBetweenNegativeOneQuarterAnd0Excl(_ a: Int32) -> Int32 {
        let constantTerm: Int32 = 1_895_147_668  // exp(-1/8)
        let oneThird: Int32 = 715_827_883
        let x = a &+ (1 << 28)  // a + 1/8
        let x2 = saturatingRoundingDoublingHighMul(x, x)
        let x3 = saturatingRoundingDoublingHighMul(x2, x)
        let x4 = saturatingRoundingDoublingHighMul(x2, x2)
        let x4Over4 = roundingDivideByPowerOfTwo(x4, 2)
        let polynomial = roundingDivideByPowerOfTwo(
            saturatingRoundingDoublingHighMul(x4Over4 &+ x3, oneThird) &+ x2, 1)
        return constantTerm &+ saturatingRoundingDoublingHighMul(constantTerm, x &+ polynomial)
    }

    /// TFLite's GetReciprocal: `1 / x` for a positive Qn.(31-n) `x` (n = `integerBits`), as a Q0.31 scale and the
    /// number of bits by which `x` exceeds 1.
    static func reciprocal(_ x: Int32, integerBits: Int32) -> (scale: Int32, bitsOverUnit: Int32) {
        let headroomPlusOne = Int32(UInt32(bitPattern: x).leadingZeroBitCount)
        let bitsOverUnit = integerBits &- headroomPlusOne
        let shiftedSumMinusOne = Int32(bitPattern: (UInt32(bitPattern: x) &<< UInt32(headroomPlusOne)) &- (1 << 31))
        return (oneOverOnePlusX(shiftedSumMinusOne), bitsOverUnit)
    }

    /// gemmlowp's `one_over_one_plus_x_for_x_in_0_1` (Newton-Raphson in Q2.29), result in Q0.31.
    static func oneOverOnePlusX(_ a: Int32) -> Int32 {
        // RoundingHalfSum(a, One) in 64 bits.
        let sum = Int64(a) + Int64(Int32.max)
        let halfDenominator = Int32(truncatingIfNeeded: (sum + (sum >= 0 ? 1 : -1)) / 2)
        let constant48Over17: Int32 = 1_515_870_810
        let constantNeg32Over17: Int32 = -1_010_580_540
        var x = constant48Over17 &+ saturatingRoundingDoublingHighMul(halfDenominator, constantNeg32Over17)
        let one: Int32 = 1 << 29  // 1.0 in Q2.29
        for _ in 0..<3 {
            let halfDenominatorTimesX = saturatingRoundingDoublingHighMul(halfDenominator, x)
            let oneMinus = one &- halfDenominatorTimesX
            x = x &+ saturatingShiftLeft(saturatingRoundingDoublingHighMul(x, oneMinus), 2)
        }
        // x / 2 in Q1.30 rescaled to Q0.31: a saturating left shift by 1.
        return saturatingShiftLeft(x, 1)
    }

    /// gemmlowp's SaturatingRoundingMultiplyByPOT for a positive exponent: `x · 2^exponent`, saturated.
    @inline(__always)
    static func saturatingShiftLeft(_ x: Int32, _ exponent: Int32) -> Int32 {
        let threshold = (Int32(1) << (31 &- exponent)) &- 1
        if x > threshold { return .max }
        if x < -threshold { return .min }
        return x &<< exponent
    }
}
