/// Why a PNG could not be decoded or encoded.
public enum PNGError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data does not start with the PNG signature.
    case notPNG
    /// The data ends before the PNG does.
    case truncated
    /// Width or height is 0 or above `limit`.
    case badDimensions(width: Int, height: Int, limit: Int)
    /// Decoding would take `bytes` of memory, more than `limit` (a decompression bomb, or just too big).
    case tooLarge(width: Int, height: Int, bytes: Int, limit: Int)
    /// libpng or zlib rejected the data; `reason` is libpng's message.
    case corrupt(reason: String)
    /// The image to encode is inconsistent (sample count, bit depth, palette...).
    case invalidImage(reason: String)
    /// Memory ran out.
    case outOfMemory

    /// One line naming the problem.
    public var description: String {
        switch self {
        case .notPNG: "not a PNG file"
        case .truncated: "truncated PNG data"
        case let .badDimensions(width, height, limit):
            "image is \(width)x\(height) pixels; width and height must be 1 to \(limit)"
        case let .tooLarge(width, height, bytes, limit):
            "a \(width)x\(height) image needs \(bytes) bytes to decode, over the limit of \(limit)"
        case let .corrupt(reason): "corrupt PNG data (\(reason))"
        case let .invalidImage(reason): "cannot encode the image: \(reason)"
        case .outOfMemory: "out of memory"
        }
    }
}
