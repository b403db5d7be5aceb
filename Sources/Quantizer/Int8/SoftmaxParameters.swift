import Foundation

/// TFLite Micro's int8 SOFTMAX parameters (its Prepare: PreprocessSoftmaxScaling and CalculateInputRadius with 5
/// integer bits for the scaled difference): `beta · input_scale · 2^26`, capped at 2^31 − 1, as a Q31 multiplier
/// and a left shift (QuantizeMultiplierGreaterThanOne: frexp, the fraction rounded to Q31, no clamping of the
/// shift), and `diff_min = −floor(31 · 2^26 / 2^left_shift)`, below which an input gives exactly 0.
/// `nil` when TFLite would refuse the scale (the real multiplier must exceed 1).
public func softmaxParameters(beta: Float, inputScale: Float) -> (multiplier: Int32, leftShift: Int32, diffMin: Int32)? {
    let real = min(Double(beta) * Double(inputScale) * Double(1 << 26), Double((1 << 31) - 1))
    guard real > 1, real.isFinite else { return nil }
    var fraction = (real.significand / 2 * Double(1 << 31)).rounded(.toNearestOrAwayFromZero)
    var shift = Int32(real.exponent + 1)
    if fraction == Double(1 << 31) {
        fraction /= 2
        shift += 1
    }
    guard shift >= 0, shift <= 31 else { return nil }
    let radius = (Double(31) * Double(1 << 26) / Double(UInt64(1) << UInt64(shift))).rounded(.down)
    return (Int32(fraction), shift, -Int32(radius))
}
