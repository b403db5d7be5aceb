/// Checks on an HDF5 file's raw bytes for inputs that make libhdf5 itself loop forever, done before libhdf5
/// sees them. Known case (libhdf5 1.10.8, Debian 12): a global heap collection ("GCOL") holding an object with
/// index 0 and size 0 makes its collection parser stop advancing (H5HG__cache_heap_deserialize), so reading any
/// variable-length string stored there never returns; an object whose size runs past the end of its collection
/// makes H5HG_read copy that many bytes (a heap overflow, then a crash). Found by the hdf5 fuzz target and the
/// seeded corruption test (docs/importing.md). libhdf5 has other unchecked paths: this is not a guarantee.
enum HDF5Precheck {
    /// Throws when a global heap collection anywhere in `bytes` would make libhdf5's parser stop advancing.
    /// Every occurrence of the signature is checked, whether or not it is a real collection: libhdf5 parses
    /// whatever a (possibly corrupt) heap address points at, once its signature and version match.
    static func check(_ bytes: [UInt8], what: String) throws(ImportError) {
        let lengthSize = sizeOfLengths(bytes)
        let headerSize = 2 + 2 + 4 + lengthSize
        var start = 0
        let signature: [UInt8] = Array("GCOL".utf8)
        while let at = find(signature, in: bytes, from: start) {
            start = at + 1
            // Version 1, then 3 reserved bytes, then the collection size.
            guard at + 8 + lengthSize <= bytes.count, bytes[at + 4] == 1 else { continue }
            let size = readLength(bytes, at: at + 8, size: lengthSize)
            let end = UInt64(at) &+ size
            guard size >= UInt64(8 + lengthSize), end >= UInt64(at), end <= UInt64(bytes.count) else { continue }
            var p = UInt64(at + 8 + lengthSize)
            while p < end {
                if p + UInt64(headerSize) > end { break }
                let index = UInt16(bytes[Int(p)]) | UInt16(bytes[Int(p) + 1]) << 8
                let objectSize = readLength(bytes, at: Int(p) + 8, size: lengthSize)
                let need: UInt64
                if index > 0 {
                    // The header plus the size rounded up to 8; an overflow would wrap libhdf5's pointer.
                    guard objectSize <= UInt64.max - 16 - UInt64(headerSize) else {
                        throw .malformed("\(what): HDF5 global heap at byte \(at) has an object of impossible size")
                    }
                    need = UInt64(headerSize) + (objectSize + 7) / 8 * 8
                    if need > end - p {
                        throw .malformed("\(what): HDF5 global heap at byte \(at) is corrupt (object \(index) runs past the end of its collection)")
                    }
                } else {
                    need = objectSize
                }
                if need == 0 {
                    throw .malformed("\(what): HDF5 global heap at byte \(at) is corrupt (a free-space entry of size 0, on which libhdf5 would loop forever)")
                }
                let (next, overflow) = p.addingReportingOverflow(need)
                if overflow { throw .malformed("\(what): HDF5 global heap at byte \(at) has an object of impossible size") }
                p = next
            }
        }
    }

    /// Size of lengths from the superblock (8 when it cannot be read: what h5py and Keras write).
    private static func sizeOfLengths(_ bytes: [UInt8]) -> Int {
        guard bytes.count > 14 else { return 8 }
        let version = bytes[8]
        let size = version <= 1 ? Int(bytes[14]) : Int(bytes[10])
        return [2, 4, 8].contains(size) ? size : 8
    }

    private static func readLength(_ bytes: [UInt8], at offset: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<size where offset + i < bytes.count { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        return value
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        var i = start
        let first = needle[0]
        while i <= haystack.count - needle.count {
            if haystack[i] == first && haystack[i + 1] == needle[1] && haystack[i + 2] == needle[2] && haystack[i + 3] == needle[3] {
                return i
            }
            i += 1
        }
        return nil
    }
}
