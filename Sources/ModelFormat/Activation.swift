/// An activation fused into the op that produces a tensor (Keras's `activation=` argument).
public enum Activation: String, Sendable, Equatable {
    case none
    case relu
    case relu6

    /// The largest output the activation lets through (`nil` for no upper bound).
    public var upperBound: Float? {
        switch self {
        case .none, .relu: nil
        case .relu6: 6
        }
    }
}
