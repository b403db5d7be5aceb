/// The operations a float graph may contain, with their typed attributes (docs/model-format.md, "Ops").
public enum Op: Sendable, Equatable {
    /// 2-D convolution; the kernel size comes from the kernel tensor `[kh, kw, Cin, Cout]`.
    case conv2D(strideY: Int, strideX: Int, padding: Padding, activation: Activation = .none)
    case dense(activation: Activation = .none)
    case batchNormalization(epsilon: Float)
    case relu
    case relu6
    case maxPool2D(Window2D)
    case averagePool2D(Window2D)
    case globalAveragePool
    case add(activation: Activation = .none)
    case flatten
    case softmax
    /// Identity at inference; the rate is kept so that a round trip loses nothing.
    case dropout(rate: Float)
    /// Zero padding of a feature map's height and width (ONNX Pad with constant 0, TFLite PAD, Keras
    /// ZeroPadding2D). The quantizer folds it into the next Conv2D's (or max pool's, after a ReLU) padding where
    /// that is exact.
    case pad(top: Int, bottom: Int, left: Int, right: Int)

    /// The op's name in model.bin.
    public var name: String {
        switch self {
        case .conv2D: "Conv2D"
        case .dense: "Dense"
        case .batchNormalization: "BatchNormalization"
        case .relu: "ReLU"
        case .relu6: "ReLU6"
        case .maxPool2D: "MaxPool2D"
        case .averagePool2D: "AveragePool2D"
        case .globalAveragePool: "GlobalAveragePool"
        case .add: "Add"
        case .flatten: "Flatten"
        case .softmax: "Softmax"
        case .dropout: "Dropout"
        case .pad: "Pad"
        }
    }
}

extension Op {
    /// The activation fused into this op, `.none` for ops that cannot carry one.
    public var fusedActivation: Activation {
        switch self {
        case let .conv2D(_, _, _, activation), let .dense(activation), let .add(activation): activation
        default: .none
        }
    }

    /// This op with `activation` fused in, or `nil` when the op cannot carry an activation.
    public func fusing(_ activation: Activation) -> Op? {
        switch self {
        case let .conv2D(strideY, strideX, padding, _): .conv2D(strideY: strideY, strideX: strideX, padding: padding, activation: activation)
        case .dense: .dense(activation: activation)
        case .add: .add(activation: activation)
        default: nil
        }
    }
}
