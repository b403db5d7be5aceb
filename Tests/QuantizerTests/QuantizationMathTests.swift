import Int8Runtime
import Quantizer
import Testing

/// The int8 scheme's numbers against values worked out by hand from TFLite's definitions.
@Suite("quantization math")
struct QuantizationMathTests {
    @Test func multiplierDecomposition() {
        #expect(QuantizedMultiplier(0.5) == QuantizedMultiplier(multiplier: 1 << 30, shift: 0))
        #expect(QuantizedMultiplier(1.0) == QuantizedMultiplier(multiplier: 1 << 30, shift: 1))
        #expect(QuantizedMultiplier(0.25) == QuantizedMultiplier(multiplier: 1 << 30, shift: -1))
        // 0.75 = 0.75 · 2^0: round(0.75 · 2^31) = 1610612736.
        #expect(QuantizedMultiplier(0.75) == QuantizedMultiplier(multiplier: 1_610_612_736, shift: 0))
        // 0.003 = 0.768 · 2^-8: round(0.768 · 2^31) = 1649267442 (0.768 · 2147483648 = 1649267441.66).
        #expect(QuantizedMultiplier(0.003) == QuantizedMultiplier(multiplier: 1_649_267_442, shift: -8))
        // A fraction that rounds up to 1.0 is halved and the shift raised: 1 − 2^-40 → 2^30 at shift 1.
        #expect(QuantizedMultiplier(1 - 0x1p-40) == QuantizedMultiplier(multiplier: 1 << 30, shift: 1))
        #expect(QuantizedMultiplier(1e-12) == QuantizedMultiplier(multiplier: 0, shift: 0))
        #expect(QuantizedMultiplier(0) == QuantizedMultiplier(multiplier: 0, shift: 0))
    }

    @Test func fixedPointFollowsTFLM() {
        #expect(saturatingRoundingDoublingHighMul(.min, .min) == .max)
        #expect(saturatingRoundingDoublingHighMul(100, 1 << 30) == 50)
        // (−3 · 2^30 + (1 − 2^30)) / 2^31 = −1.9999…, truncated toward zero as C does: −1.
        #expect(saturatingRoundingDoublingHighMul(-3, 1 << 30) == -1)
        #expect(saturatingRoundingDoublingHighMul(3, 1 << 30) == 2)
        #expect(roundingDivideByPowerOfTwo(5, 1) == 3)
        #expect(roundingDivideByPowerOfTwo(-5, 1) == -3)
        #expect(roundingDivideByPowerOfTwo(4, 2) == 1)
        #expect(roundingDivideByPowerOfTwo(-6, 2) == -2)
        #expect(roundingDivideByPowerOfTwo(-2, 2) == -1)
        #expect(roundingDivideByPowerOfTwo(7, 0) == 7)
        // 1000 · 0.75 / 4 = 187.5 → 188 (away from zero).
        #expect(multiplyByQuantizedMultiplier(1000, 1_610_612_736, -2) == 188)
        #expect(multiplyByQuantizedMultiplier(-1000, 1_610_612_736, -2) == -188)
        // Positive shifts go left first: 3 · 2 · 0.5 = 3.
        #expect(multiplyByQuantizedMultiplier(3, 1 << 30, 1) == 3)
    }

    @Test func activationParameters() {
        let unit = ActivationQuantization(min: 0, max: 1)
        #expect(unit.scale == Float(1) / 255 && unit.zeroPoint == -128)
        #expect(unit.quantize(1) == 127 && unit.quantize(0) == -128)
        // −128 − (−1) / (2/255) = −0.5 → −1 (away from zero).
        let symmetric = ActivationQuantization(min: -1, max: 1)
        #expect(symmetric.scale == Float(2) / 255 && symmetric.zeroPoint == -1)
        // The range always includes zero.
        let positive = ActivationQuantization(min: 2, max: 4)
        #expect(positive.zeroPoint == -128 && positive.scale == Float(4) / 255)
        #expect(positive.clampRange(.relu6) == (-128, positive.quantize(6)))
        #expect(ActivationQuantization(min: 0, max: 0) == ActivationQuantization(scale: 1, zeroPoint: 0))
    }

    @Test func perChannelWeights() {
        // Keras layout: the output channel is the last axis, so channel 0 is [0.5, 0.25], channel 1 is [−1, 2].
        let q = ChannelQuantizedWeights(weights: [0.5, -1.0, 0.25, 2.0], channels: 2)
        #expect(q.scales == [0.5 / 127, 2 / 127])
        // 0.25 / (0.5/127) = 63.5 → 64 and −1 / (2/127) = −63.5 → −64 (away from zero).
        #expect(q.values == [127, -64, 64, 127])
        let zero = ChannelQuantizedWeights(weights: [0, 0], channels: 1)
        #expect(zero.scales == [1] && zero.values == [0, 0])
    }
}
