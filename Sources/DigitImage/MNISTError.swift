/// Why an MNIST folder could not be read; the description names the folder or file and the problem.
public enum MNISTError: Error, Equatable, Sendable, CustomStringConvertible {
    case noSuchFolder(String)
    case notAFolder(String)
    /// Neither `name` nor `name.gz` is in `folder`.
    case missingFile(folder: String, name: String)
    case unreadable(file: String, reason: String)
    /// The file does not start with the IDX magic number expected.
    case notIDX(file: String, magic: UInt32, expected: UInt32)
    case badDimensions(file: String, rows: Int, cols: Int)
    /// The file ends before its header says it should.
    case truncated(file: String, bytes: Int, expected: Int)
    /// The file goes on after its header says it should end.
    case trailingBytes(file: String, bytes: Int, expected: Int)
    /// The image and label files disagree on the number of items.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    /// A label is not a digit 0 to 9.
    case badLabel(file: String, index: Int, value: UInt8)

    /// One line: `path: problem`.
    public var description: String {
        switch self {
        case let .noSuchFolder(folder): "\(folder): no such folder"
        case let .notAFolder(folder): "\(folder): is not a folder"
        case let .missingFile(folder, name): "\(folder)/\(name): no such file (nor \(name).gz)"
        case let .unreadable(file, reason): "\(file): \(reason)"
        case let .notIDX(file, magic, expected):
            "\(file): not an IDX \(expected == IDXFile.imagesMagic ? "image" : "label") file (magic number \(magic), expected \(expected))"
        case let .badDimensions(file, rows, cols): "\(file): images of \(rows)x\(cols) pixels are not supported"
        case let .truncated(file, bytes, expected): "\(file): truncated: \(bytes) bytes where the header needs \(expected)"
        case let .trailingBytes(file, bytes, expected): "\(file): \(bytes - expected) unexpected bytes after the last item (\(bytes), header says \(expected))"
        case let .countMismatch(images, imageCount, labels, labelCount):
            "\(labels): \(labelCount) labels, but \(images) holds \(imageCount) images"
        case let .badLabel(file, index, value): "\(file): label \(value) at index \(index) is not a digit 0 to 9"
        }
    }
}
