/// A fixed-size little-endian byte image written field by field at known offsets.
struct ByteImage {
    private(set) var bytes: [UInt8]

    init(count: Int) {
        bytes = [UInt8](repeating: 0, count: count)
    }

    mutating func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (k, byte) in raw.enumerated() { bytes[offset + k] = byte }
        }
    }

    mutating func put(_ value: Float, at offset: Int) {
        put(value.bitPattern, at: offset)
    }

    mutating func put<T: FixedWidthInteger>(array values: [T], at offset: Int) {
        for (k, value) in values.enumerated() { put(value, at: offset + k * MemoryLayout<T>.size) }
    }
}

func align(_ value: Int, to alignment: Int) -> Int {
    (value + alignment - 1) / alignment * alignment
}
