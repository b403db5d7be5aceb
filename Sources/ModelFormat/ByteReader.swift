/// Reads little-endian values from a byte buffer, throwing `truncated` instead of reading past the end.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws(ModelFormatError) -> Int {
        guard count >= 0, count <= remaining else { throw .truncated(what: what(), offset: offset) }
        defer { offset += count }
        return offset
    }

    mutating func u8(_ what: @autoclosure () -> String) throws(ModelFormatError) -> UInt8 {
        bytes[try take(1, what())]
    }

    mutating func u16(_ what: @autoclosure () -> String) throws(ModelFormatError) -> UInt16 {
        UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(2, what()), as: UInt16.self))
    }

    mutating func u32(_ what: @autoclosure () -> String) throws(ModelFormatError) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4, what()), as: UInt32.self))
    }

    mutating func i64(_ what: @autoclosure () -> String) throws(ModelFormatError) -> Int64 {
        Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(8, what()), as: Int64.self))
    }

    mutating func f32(_ what: @autoclosure () -> String) throws(ModelFormatError) -> Float {
        Float(bitPattern: try u32(what()))
    }

    /// A u16-length-prefixed UTF-8 string of at most `GraphLimits.maxStringBytes` bytes.
    mutating func string(_ what: @autoclosure () -> String) throws(ModelFormatError) -> String {
        let start = offset
        let length = Int(try u16(what()))
        guard length <= GraphLimits.maxStringBytes else { throw .invalidString(what: what(), offset: start) }
        let at = try take(length, what())
        let slice = UnsafeRawBufferPointer(rebasing: bytes[at..<(at + length)])
        guard let text = String(validating: slice, as: UTF8.self) else { throw .invalidString(what: what(), offset: start) }
        return text
    }

    /// `count` float32 values, checked against the bytes left before anything is allocated.
    mutating func floats(_ count: Int, _ what: @autoclosure () -> String) throws(ModelFormatError) -> [Float] {
        guard count <= remaining / 4 else { throw .truncated(what: what(), offset: offset) }
        let at = try take(count * 4, what())
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let source = UnsafeRawBufferPointer(rebasing: bytes[at..<(at + count * 4)])
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            #if _endian(big)
            for i in 0..<count { buffer[i] = Float(bitPattern: UInt32(littleEndian: buffer[i].bitPattern)) }
            #endif
            initialized = count
        }
    }
}
