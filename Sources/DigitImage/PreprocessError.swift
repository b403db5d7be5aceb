/// Why an image cannot be used as a model input as it is.
public enum PreprocessError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `raw` needs an image of exactly 28x28.
    case wrongSize(width: Int, height: Int)

    /// One line naming the problem.
    public var description: String {
        switch self {
        case let .wrongSize(width, height):
            "image is \(width)x\(height) pixels; a raw input must be exactly 28x28"
        }
    }
}
