/// Why an image file could not be read or written; the description names the file.
public enum ImageFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case noSuchFile(path: String)
    case isDirectory(path: String)
    case unreadable(path: String, reason: String)
    case tooLarge(path: String, limit: Int)
    case invalidPNG(path: String, PNGError)
    case cannotWrite(path: String, reason: String)

    /// The file concerned.
    public var path: String {
        switch self {
        case let .noSuchFile(path), let .isDirectory(path), let .unreadable(path, _), let .tooLarge(path, _),
             let .invalidPNG(path, _), let .cannotWrite(path, _):
            path
        }
    }

    /// One line: `path: problem`.
    public var description: String {
        switch self {
        case let .noSuchFile(path): "\(path): no such file"
        case let .isDirectory(path): "\(path): is a directory"
        case let .unreadable(path, reason): "\(path): cannot be read (\(reason))"
        case let .tooLarge(path, limit): "\(path): larger than \(limit) bytes, too big for a digit image"
        case let .invalidPNG(path, error): "\(path): \(error)"
        case let .cannotWrite(path, reason): "\(path): cannot be written (\(reason))"
        }
    }
}
