/// The operations a float graph may contain, with their typed attributes (docs/model-format.md, "Ops").
public enum Op: Sendable, Equatable {
    /// 2-D convolution; the kernel size comes from the kernel tensor `[kh, kw, Cin, Cout]`.
    case conv2D(strideY: Int, strideX: Int, padding: Padding)
    case dense
    case batchNormalization(epsilon: Float)
    case relu
    case relu6
    case maxPool2D(Window2D)
    case averagePool2D(Window2D)
    case globalAveragePool
    case add
    case flatten
    case softmax
    /// Identity at inference; the rate is kept so that a round trip loses nothing.
    case dropout(rate: Float)

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
        }
    }
}
