/// The two halves of MNIST.
public enum MNISTSplit: String, Sendable, CaseIterable {
    /// 60,000 training images.
    case train
    /// 10,000 test images.
    case test

    /// The image file's name without `.gz`.
    public var imagesFile: String {
        switch self {
        case .train: "train-images-idx3-ubyte"
        case .test: "t10k-images-idx3-ubyte"
        }
    }

    /// The label file's name without `.gz`.
    public var labelsFile: String {
        switch self {
        case .train: "train-labels-idx1-ubyte"
        case .test: "t10k-labels-idx1-ubyte"
        }
    }
}
