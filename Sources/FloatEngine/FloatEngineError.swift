/// Why a float inference could not run.
public enum FloatEngineError: Error, Equatable, CustomStringConvertible {
    /// The input holds `actual` values, the graph input needs `expected`.
    case inputSize(expected: Int, actual: Int)

    public var description: String {
        switch self {
        case let .inputSize(expected, actual):
            return "the model expects \(expected) input values, got \(actual)"
        }
    }
}
