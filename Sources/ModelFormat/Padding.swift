/// How a sliding window treats the borders.
public enum Padding: Sendable, Equatable {
    /// No padding: the window stays inside the input.
    case valid
    /// TensorFlow's zero padding so that the output size is `ceil(input / stride)`; the odd extra pixel goes after
    /// (ONNX `SAME_UPPER`).
    case same
    /// Zero pads given per side (ONNX `pads`, `SAME_LOWER`, a folded Pad or ZeroPadding2D, MaxPool `ceil_mode`).
    /// Each is below the window's size on its axis, so every window sees at least one real pixel.
    case explicit(top: Int, bottom: Int, left: Int, right: Int)

    /// The name written in model.bin's `padding` attribute.
    public var name: String {
        switch self {
        case .valid: "valid"
        case .same: "same"
        case .explicit: "explicit"
        }
    }

    /// The output length and the padding before the first element along one axis, or `nil` when the window does
    /// not fit. `before` and `after` are the explicit pads of that axis (ignored for `valid` and `same`).
    public func output(input: Int, window: Int, stride: Int, before: Int = 0, after: Int = 0) -> (size: Int, padBefore: Int)? {
        guard input > 0, window > 0, stride > 0 else { return nil }
        switch self {
        case .valid:
            guard input >= window else { return nil }
            return ((input - window) / stride + 1, 0)
        case .same:
            let size = (input + stride - 1) / stride
            let total = max((size - 1) * stride + window - input, 0)
            return (size, total / 2)
        case .explicit:
            // Pads of a window's size or more would give windows that see only padding.
            guard before >= 0, after >= 0, before < window, after < window, input + before + after >= window else { return nil }
            return ((input + before + after - window) / stride + 1, before)
        }
    }
}
