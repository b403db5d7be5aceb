import Quantizer
import Testing
import TestSupport

/// `QuantizedMultiplier` against two references that share none of its code: a table computed by TFLite's own
/// QuantizeMultiplier algorithm in Python (`math.frexp`, `floor(|q|·2^31 + 0.5)`, the 2^31 overflow fix, shift
/// below −31 → 0, above 30 → (2^31 − 1, 30)), and exact integer arithmetic on the double's bits.
@Suite("quantized multiplier references")
struct MultiplierReferenceTests {
    /// TFLite's QuantizeMultiplier on the exact value of `real`, from its bits: real = M · 2^e with M the 53-bit
    /// significand (bit 52 set after normalizing subnormals), so frexp's fraction is M / 2^53 and
    /// round(fraction · 2^31) = ⌊(M + 2^21) / 2^22⌋, ties away from zero.
    static func exact(_ real: Double) -> (multiplier: Int64, shift: Int64) {
        let bits = real.bitPattern
        let storedExponent = Int64((bits >> 52) & 0x7ff), fractionBits = bits & ((1 << 52) - 1)
        guard bits >> 63 == 0, storedExponent != 0x7ff, storedExponent != 0 || fractionBits != 0 else { return (0, 0) }
        var significand = storedExponent == 0 ? fractionBits : fractionBits | (1 << 52)
        var exponent = storedExponent == 0 ? Int64(-1074) : storedExponent - 1075 // real = significand · 2^exponent
        while significand < (1 << 52) {
            significand <<= 1
            exponent -= 1
        }
        var q = Int64((significand + (1 << 21)) >> 22), shift = exponent + 53 // fraction · 2^shift, fraction in [0.5, 1)
        if q == 1 << 31 {
            q = 1 << 30
            shift += 1
        }
        if shift < -31 { return (0, 0) }
        if shift > 30 { return (Int64(Int32.max), 30) }
        return (q, shift)
    }

    static func matches(_ real: Double) -> Bool {
        let ours = QuantizedMultiplier(real), reference = exact(real)
        return Int64(ours.multiplier) == reference.multiplier && Int64(ours.shift) == reference.shift
    }

    /// TFLite's algorithm in Python agrees with every row: `python3 Tests/Fixtures/quantize_multiplier.py`.
    static let table: [(real: Double, multiplier: Int32, shift: Int32)] = [
        (0x1p-1, 1_073_741_824, 0), // 0.5
        (0x1p+0, 1_073_741_824, 1), // 1.0
        (0x1.8p-1, 1_610_612_736, 0), // 0.75
        (0x1.89374bc6a7efap-9, 1_649_267_442, -8), // 0.003
        (0x1.94bb09b0df3cap-11, 1_697_563_244, -10), // LoweringTests' channel 0
        (0x1.edd2f1a9fbe77p+6, 2_071_247_978, 7), // 123.456
        // m near 1: the fraction rounds up to 2^31 and is halved with the shift raised, down to 1 − 2^-32 (a tie)
        (0x1.fffffffffe000p-1, 1_073_741_824, 1), // 1 − 2^-40
        (0x1.ffffffff00000p-1, 1_073_741_824, 1), // 1 − 2^-33
        (0x1.fffffffe00000p-1, 1_073_741_824, 1), // 1 − 2^-32: q = 2^31 − 0.5 rounds away from zero to 2^31
        (0x1.fffffffc00000p-1, 2_147_483_647, 0), // 1 − 2^-31: q = 2^31 − 1 exactly
        (0x1.fffffff768fa1p-1, 2_147_483_646, 0), // 0.999999999
        (0x1.fffffffc0c730p-2, 2_147_483_647, -1), // 0.49999999977
        (0x1.0000000200000p-1, 1_073_741_825, 0), // 0.5 + 2^-32: q = 2^30 + 0.5, a tie, away from zero
        (0x1.0000000100000p-1, 1_073_741_824, 0), // 0.5 + 2^-33: q = 2^30 + 0.25
        (0x1.ffffffff00000p-2, 1_073_741_824, 0), // 0.5 − 2^-34: rounds up to exactly 0.5
        // tiny m: a shift of −31 is the last one kept
        (0x1p-31, 1_073_741_824, -30),
        (0x1p-32, 1_073_741_824, -31),
        (0x1.8p-32, 1_610_612_736, -31),
        (0x1.ffffe00000000p-33, 0, 0),
        (0x1p-33, 0, 0),
        (0x1.19799812dea11p-40, 0, 0), // 1e-12
        (0x0.0000000000001p-1022, 0, 0), // the smallest subnormal
        // huge m: saturated at shift 30
        (0x1p+30, 2_147_483_647, 30),
        (0x1p+31, 2_147_483_647, 30),
        (0x1.2a05f2p+33, 2_147_483_647, 30), // 1e10
    ]

    @Test func tfliteTable() {
        for row in Self.table {
            #expect(QuantizedMultiplier(row.real) == QuantizedMultiplier(multiplier: row.multiplier, shift: row.shift),
                    "\(row.real)")
            #expect(Self.exact(row.real) == (Int64(row.multiplier), Int64(row.shift)), "exact reference on \(row.real)")
        }
        #expect(QuantizedMultiplier(0) == QuantizedMultiplier(multiplier: 0, shift: 0))
    }

    /// 20,000 random multipliers over every shift the format uses and beyond, and 20,000 exact ties
    /// (k + 0.5) · 2^(s − 31), where rounding half away from zero is what decides the answer.
    @Test func exactArithmeticSweep() {
        var random = SeededRandom(seed: 2024)
        var mismatches: [Double] = []
        for _ in 0..<20000 {
            let real = Double(sign: .plus, exponent: Int.random(in: -40...34, using: &random),
                              significand: Double.random(in: 1..<2, using: &random))
            if !Self.matches(real) { mismatches.append(real) }
        }
        for _ in 0..<20000 {
            let k = Double(Int64.random(in: (1 << 30)..<(1 << 31), using: &random))
            let real = (k + 0.5) * Double(sign: .plus, exponent: Int.random(in: -33...30, using: &random) - 31, significand: 1)
            if !Self.matches(real) { mismatches.append(real) }
        }
        #expect(mismatches.count == 0, "first mismatches: \(mismatches.prefix(5).map { "\($0) (\(QuantizedMultiplier($0)) vs \(Self.exact($0)))" })")
    }
}
