/// How a sliding window treats the borders, with TensorFlow's semantics.
public enum Padding: String, Sendable, Equatable {
    /// No padding: the window stays inside the input.
    case valid
    /// Zero padding so that the output size is `ceil(input / stride)`; the odd extra pixel goes after.
    case same

    /// The output length and the padding before the first element for one spatial axis,
    /// or `nil` when the window does not fit (`valid` with `input < window`).
    public func output(input: Int, window: Int, stride: Int) -> (size: Int, padBefore: Int)? {
        guard input > 0, window > 0, stride > 0 else { return nil }
        switch self {
        case .valid:
            guard input >= window else { return nil }
            return ((input - window) / stride + 1, 0)
        case .same:
            let size = (input + stride - 1) / stride
            let total = max((size - 1) * stride + window - input, 0)
            return (size, total / 2)
        }
    }
}
