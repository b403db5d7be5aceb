/// Why an image cannot be used as a model input as it is.
public enum PreprocessError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `raw` needs an image of exactly 28x28.
    case wrongSize(width: Int, height: Int)
    /// For a model of another shape, `raw` takes 28x28 (adapted) or exactly the model's height and width.
    case wrongSizeForModel(width: Int, height: Int, model: DigitInputShape)

    /// One line naming the problem.
    public var description: String {
        switch self {
        case let .wrongSize(width, height):
            "image is \(width)x\(height) pixels; a raw input must be exactly 28x28"
        case let .wrongSizeForModel(width, height, model):
            "image is \(width)x\(height) pixels; a raw input for this \(model) model must be 28x28 (MNIST-like, "
                + "adapted as MNIST is) or exactly \(model.width)x\(model.height)"
        }
    }
}
