import Foundation
import ModelFormat

/// A real multiplier as TFLite stores it: a Q31 fixed-point fraction and a power-of-two shift, so that
/// `real ≈ multiplier / 2^31 · 2^shift`.
public struct QuantizedMultiplier: Equatable, Sendable {
    public var multiplier: Int32
    public var shift: Int32

    public init(multiplier: Int32, shift: Int32) {
        self.multiplier = multiplier
        self.shift = shift
    }

    /// Decomposes `real` (≥ 0) like TFLite's QuantizeMultiplier: `frexp` into a fraction in [0.5, 1) and an
    /// exponent, the fraction rounded to Q31; a fraction that rounds up to 1.0 is halved with the exponent
    /// raised; multipliers too small for a shift of −31 become zero.
    public init(_ real: Double) {
        guard real > 0, real.isFinite else {
            self.init(multiplier: 0, shift: 0)
            return
        }
        let (fraction, exponent) = (real.significand / 2, Int32(real.exponent + 1))
        var q = (fraction * Double(1 << 31)).rounded(.toNearestOrAwayFromZero)
        var shift = exponent
        if q == Double(1 << 31) {
            q /= 2
            shift += 1
        }
        if shift < -31 {
            self.init(multiplier: 0, shift: 0)
        } else if shift > 30 {
            // Larger factors never occur for sane scales; saturate instead of overflowing.
            self.init(multiplier: Int32.max, shift: 30)
        } else {
            self.init(multiplier: Int32(q), shift: shift)
        }
    }

    /// The real value this multiplier stands for.
    public var real: Double { Double(multiplier) / Double(1 << 31) * pow(2, Double(shift)) }
}

/// Scale and zero point of an asymmetric int8 tensor: `real = (q − zeroPoint) · scale`.
public struct ActivationQuantization: Equatable, Sendable {
    public var scale: Float
    public var zeroPoint: Int32

    public init(scale: Float, zeroPoint: Int32) {
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// The parameters covering `[min, max]` widened to include 0 (so that zero padding is exact), over the 256
    /// int8 levels, as TFLite chooses them.
    public init(min: Float, max: Float) {
        let low = Swift.min(min, 0), high = Swift.max(max, 0)
        guard high > low else {
            self.init(scale: 1, zeroPoint: 0)
            return
        }
        let scale = (high - low) / 255
        let zeroPoint = (-128 - Double(low) / Double(scale)).rounded(.toNearestOrAwayFromZero)
        self.init(scale: scale, zeroPoint: Int32(Swift.min(Swift.max(zeroPoint, -128), 127)))
    }

    /// The int8 value nearest to `real`, computed in float as TFLite's `Quantize` does
    /// (`zero_point + round(real / scale)`), so clamp bounds match TFLite Micro's exactly.
    public func quantize(_ real: Float) -> Int8 {
        let q = Int32((real / scale).rounded(.toNearestOrAwayFromZero)) + zeroPoint
        return Int8(Swift.min(Swift.max(q, -128), 127))
    }

    public func dequantize(_ q: Int8) -> Float {
        Float(Int32(q) - zeroPoint) * scale
    }

    /// The int8 range a fused activation clamps to, in this quantization (TFLite's
    /// CalculateActivationRangeQuantized).
    public func clampRange(_ activation: Activation) -> (min: Int8, max: Int8) {
        switch activation {
        case .none: return (-128, 127)
        case .relu: return (quantize(0), 127)
        case .relu6: return (quantize(0), quantize(6))
        }
    }
}

/// Per-output-channel symmetric int8 weights: `w ≈ q · scale[c]`, `q` in [−127, 127].
public struct ChannelQuantizedWeights: Equatable, Sendable {
    public var values: [Int8]
    public var scales: [Float]

    /// Quantizes `weights` whose last axis (of length `channels`) is the output channel, as Keras stores them.
    public init(weights: [Float], channels: Int) {
        var maxima = [Float](repeating: 0, count: channels)
        for (i, w) in weights.enumerated() { maxima[i % channels] = Swift.max(maxima[i % channels], abs(w)) }
        // An all-zero channel keeps scale 1 so that nothing divides by zero; its weights stay 0.
        let scales = maxima.map { $0 > 0 ? $0 / 127 : 1 }
        values = weights.enumerated().map { i, w in
            Int8(Swift.min(Swift.max((w / scales[i % channels]).rounded(.toNearestOrAwayFromZero), -127), 127))
        }
        self.scales = scales
    }
}
