// Integer requantization exactly as TFLite Micro's reference kernels do it ("double rounding").

/// `round(a · b / 2^31)` with ties away from zero, saturating the one overflowing case (`min · min`).
@inline(__always)
public func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
    if a == b && a == .min { return .max }
    let product = Int64(a) * Int64(b)
    let nudged = product + (product >= 0 ? (1 << 30) : (1 - (1 << 30)))
    // C's division truncates toward zero; a shift of the magnitude does the same without a 64-bit divide
    // (which a Cortex-M would call a library routine for).
    let quotient = nudged >= 0 ? nudged >> 31 : -((-nudged) >> 31)
    return Int32(truncatingIfNeeded: quotient)
}

/// `x / 2^exponent` rounded half away from zero, for `exponent` in 0...31.
@inline(__always)
public func roundingDivideByPowerOfTwo(_ x: Int32, _ exponent: Int32) -> Int32 {
    let mask = (Int32(1) << exponent) &- 1
    let remainder = x & mask
    let threshold = (mask >> 1) &+ (x < 0 ? 1 : 0)
    return (x >> exponent) &+ (remainder > threshold ? 1 : 0)
}

/// `x · multiplier · 2^shift / 2^31`: the requantization of an int32 accumulator by a Q31 multiplier and a
/// power-of-two shift (positive shifts go left before the multiply, negative ones right after it).
@inline(__always)
public func multiplyByQuantizedMultiplier(_ x: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
    let left = shift > 0 ? shift : 0
    let right = shift > 0 ? 0 : -shift
    return roundingDivideByPowerOfTwo(saturatingRoundingDoublingHighMul(x &* (1 << left), multiplier), right)
}

/// Clamps an int32 to `[low, high]` and narrows it to int8.
@inline(__always)
func clampToInt8(_ value: Int32, _ low: Int32, _ high: Int32) -> Int8 {
    Int8(truncatingIfNeeded: min(max(value, low), high))
}
