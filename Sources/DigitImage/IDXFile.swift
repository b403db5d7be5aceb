import CPNG
import Foundation

/// Reads and checks one MNIST IDX file (gzipped or not).
struct IDXFile {
    static let imagesMagic: UInt32 = 2051
    static let labelsMagic: UInt32 = 2049
    /// The decompressed file may be no larger (MNIST's largest is 47 MB).
    static let maxBytes: UInt64 = 256 << 20
    /// Image sides accepted.
    static let sides = 1...1024

    /// Item count from the header.
    var count: Int
    /// Rows and columns per image (1 and 1 for labels).
    var rows: Int
    var cols: Int
    /// The first `limit` items' bytes.
    var items: [UInt8]

    /// Finds `name` or `name.gz` in `folder`, preferring the uncompressed file.
    static func locate(_ name: String, in folder: String) throws(MNISTError) -> String {
        let plain = (folder as NSString).appendingPathComponent(name)
        for path in [plain, plain + ".gz"] where FileManager.default.fileExists(atPath: path) { return path }
        throw .missingFile(folder: folder, name: name)
    }

    /// Reads `path`, checks its magic number, dimensions and exact size, and keeps the first `limit` items.
    init(path: String, magic: UInt32, limit: Int?) throws(MNISTError) {
        let result = cpng_read_file(path, Self.maxBytes)
        defer { cpng_free(result.data) }
        guard result.code == Int32(CPNG_OK.rawValue) else {
            throw .unreadable(file: path, reason: CPNGMessage.text(of: result))
        }
        let bytes = UnsafeBufferPointer(start: result.data, count: result.data == nil ? 0 : result.size)
        let header = magic == Self.imagesMagic ? 16 : 8
        guard bytes.count >= 4 else { throw .truncated(file: path, bytes: bytes.count, expected: header) }
        let found = Self.word(bytes, at: 0)
        guard found == magic else { throw .notIDX(file: path, magic: found, expected: magic) }
        guard bytes.count >= header else { throw .truncated(file: path, bytes: bytes.count, expected: header) }
        count = Int(Self.word(bytes, at: 4))
        if magic == Self.imagesMagic {
            rows = Int(Self.word(bytes, at: 8))
            cols = Int(Self.word(bytes, at: 12))
            guard Self.sides.contains(rows), Self.sides.contains(cols) else {
                throw .badDimensions(file: path, rows: rows, cols: cols)
            }
        } else {
            rows = 1
            cols = 1
        }
        // count < 2^32 and rows * cols <= 2^20, so this fits in Int.
        let itemBytes = rows * cols, expected = header + count * itemBytes
        guard bytes.count >= expected else { throw .truncated(file: path, bytes: bytes.count, expected: expected) }
        guard bytes.count == expected else { throw .trailingBytes(file: path, bytes: bytes.count, expected: expected) }
        let kept = min(count, max(0, limit ?? count))
        items = Array(bytes[header..<(header + kept * itemBytes)])
    }

    private static func word(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }
}
