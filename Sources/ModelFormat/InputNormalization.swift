/// How a pixel becomes the value a model's first op reads: `(pixel / 255 - mean) / std`, per the PyTorch MNIST
/// convention (mean 0.1307, std 0.3081). Callers always feed pixel / 255 in [0, 1]; the float engine applies
/// this, the quantizer folds it into the input's quantization, and a .q8 records it, so firmware still takes
/// pixels. The identity (mean 0, std 1) is every model.bin's convention.
public struct InputNormalization: Sendable, Equatable, CustomStringConvertible {
    public var mean: Float
    public var std: Float

    public init(mean: Float, std: Float) {
        self.mean = mean
        self.std = std
    }

    public static let identity = InputNormalization(mean: 0, std: 1)

    /// Finite mean, finite positive std.
    public var isValid: Bool { mean.isFinite && std.isFinite && std > 0 }

    /// The model input for `pixel01`, a pixel / 255.
    @inline(__always)
    public func apply(_ pixel01: Float) -> Float { (pixel01 - mean) / std }

    /// This normalization followed by `x * scale + offset` (a Keras Rescaling layer at the input), as one
    /// normalization: `((p - m) / s) * a + b = (p - (m - b·s/a)) / (s/a)`. `nil` when `scale` is not positive.
    public func then(scale: Float, offset: Float) -> InputNormalization? {
        guard scale > 0, scale.isFinite, offset.isFinite else { return nil }
        return InputNormalization(mean: mean - offset * std / scale, std: std / scale)
    }

    public var description: String { "mean \(mean), std \(std)" }
}
