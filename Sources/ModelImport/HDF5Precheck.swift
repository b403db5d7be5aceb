/// Checks on an HDF5 file's raw bytes for inputs that make libhdf5 itself loop forever, done before libhdf5
/// sees them. Known case (libhdf5 1.10.8, Debian 12): a global heap collection ("GCOL") holding an object with
/// index 0 and size 0 makes its collection parser stop advancing (H5HG__cache_heap_deserialize), so reading any
/// variable-length string stored there never returns; an object whose size runs past the end of its collection
/// makes H5HG_read copy that many bytes (a heap overflow, then a crash); a free-space entry larger than what is
/// left of its collection makes the parser continue in memory outside the collection (a crash). Found by the hdf5
/// fuzz target and the seeded corruption test (docs/importing.md). libhdf5 has other unchecked paths: this is not a guarantee.
enum HDF5Precheck {
    /// Throws when a global heap collection anywhere in `bytes` would make libhdf5's parser stop advancing.
    /// Every occurrence of the signature is checked, whether or not it is a real collection: libhdf5 parses
    /// whatever a (possibly corrupt) heap address points at, once its signature and version match.
    @discardableResult
    static func check(_ bytes: [UInt8], what: String) throws(ImportError) -> GlobalHeaps {
        var heaps: GlobalHeaps = [:]
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
            var objects: [UInt16: UInt64] = [:]
            defer { heaps[UInt64(at)] = objects }
            while p < end {
                if p + UInt64(headerSize) > end { break }
                let index = UInt16(bytes[Int(p)]) | UInt16(bytes[Int(p) + 1]) << 8
                let objectSize = readLength(bytes, at: Int(p) + 8, size: lengthSize)
                let need: UInt64
                if index > 0 {
                    objects[index] = objectSize
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
                    // libhdf5 moves its pointer by the free space's size unchecked: past the collection (or,
                    // wrapping, before it) it parses whatever memory lies there (a crash found by the hdf5 target).
                    if need > end - p {
                        throw .malformed("\(what): HDF5 global heap at byte \(at) is corrupt (its free space runs past the end of its collection)")
                    }
                }
                if need == 0 {
                    throw .malformed("\(what): HDF5 global heap at byte \(at) is corrupt (a free-space entry of size 0, on which libhdf5 would loop forever)")
                }
                let (next, overflow) = p.addingReportingOverflow(need)
                if overflow { throw .malformed("\(what): HDF5 global heap at byte \(at) has an object of impossible size") }
                p = next
            }
        }
        return heaps
    }

    /// The global heap collections `check` walked: byte offset -> object index -> object size. A variable-length
    /// value may only point at an object listed here (see `checkVariableLength`).
    typealias GlobalHeaps = [UInt64: [UInt16: UInt64]]

    /// Where the fields of the superblock that the checks below need are.
    struct Superblock {
        var sizeOfOffsets: Int
        var sizeOfLengths: Int
    }

    /// Reads the superblock at byte 0 (the shim opens nothing else) and refuses a base address other than 0,
    /// which no Keras file has and which would make libhdf5's addresses differ from byte offsets in `bytes`.
    static func superblock(_ bytes: [UInt8], what: String) throws(ImportError) -> Superblock {
        guard bytes.count >= 16 else { throw .malformed("\(what): HDF5 superblock truncated") }
        let version = bytes[8]
        let offsets = version <= 1 ? Int(bytes[13]) : Int(bytes[9])
        let lengths = version <= 1 ? Int(bytes[14]) : Int(bytes[10])
        guard [2, 4, 8].contains(offsets), [2, 4, 8].contains(lengths) else {
            throw .malformed("\(what): HDF5 superblock has offsets of \(offsets) bytes and lengths of \(lengths) bytes")
        }
        // v0: base address after 16 bytes of versions and sizes, 2 + 2 of B-tree K and 4 of flags; v1 adds 4.
        let base = version == 0 ? 24 : version == 1 ? 28 : 12
        guard base + offsets <= bytes.count else { throw .malformed("\(what): HDF5 superblock truncated") }
        if readLength(bytes, at: base, size: offsets) != 0 {
            throw .unsupported("\(what): HDF5 base address is not 0 (not as Keras writes files)")
        }
        return Superblock(sizeOfOffsets: offsets, sizeOfLengths: lengths)
    }

    /// Checks every attribute message of the object header at `address` (and its continuation chunks) before
    /// libhdf5 decodes them: libhdf5 1.10.8 (H5O_attr_decode) copies an attribute's value, whose size it
    /// computes from the attribute's own dataspace and datatype, checking it only against the whole message's
    /// size, not against what is left after the name, datatype and dataspace; a value that runs past its message
    /// is read from past the header's buffer (an 8-byte heap over-read found by the hdf5 fuzz target; input in
    /// Tests/Fixtures/keras/libhdf5-hostile/). It also takes the name with strdup. So each attribute must have a
    /// terminated name, a datatype and dataspace whose encodings fit their declared sizes, and a value within
    /// its message; attribute types are the ones Keras writes (integer, float, string, variable-length), none
    /// shared. `path` names the object in messages.
    static func checkAttributes(_ bytes: [UInt8], header address: UInt64, superblock: Superblock, heaps: GlobalHeaps,
                                what: String, path: String) throws(ImportError) {
        func fail(_ problem: String) -> ImportError {
            .malformed("\(what): \(path): HDF5 object header at byte \(address): \(problem)")
        }
        guard address < UInt64(bytes.count) else { throw fail("outside the file") }
        let at = Int(address)
        var chunks: [(start: Int, end: Int, version: Int)] = []
        var creationOrder = false
        if at + 4 <= bytes.count, Array(bytes[at..<(at + 4)]) == Array("OHDR".utf8) {
            guard at + 6 <= bytes.count, bytes[at + 4] == 2 else { throw fail("unknown version") }
            let flags = bytes[at + 5]
            creationOrder = flags & 0x04 != 0
            var p = at + 6 + (flags & 0x20 != 0 ? 16 : 0) + (flags & 0x10 != 0 ? 4 : 0)
            let sizeBytes = 1 << Int(flags & 0x03)
            guard p + sizeBytes <= bytes.count else { throw fail("truncated") }
            let size = readLength(bytes, at: p, size: sizeBytes)
            p += sizeBytes
            guard size <= UInt64(bytes.count - p) else { throw fail("chunk runs past the end of the file") }
            chunks.append((p, p + Int(size), 2))
        } else {
            guard at + 16 <= bytes.count, bytes[at] == 1 else { throw fail("unknown version") }
            let size = UInt64(bytes[at + 8]) | UInt64(bytes[at + 9]) << 8 | UInt64(bytes[at + 10]) << 16 | UInt64(bytes[at + 11]) << 24
            guard size <= UInt64(bytes.count - at - 16) else { throw fail("chunk runs past the end of the file") }
            chunks.append((at + 16, at + 16 + Int(size), 1))
        }
        var seen: Set<Int> = [chunks[0].start]
        var index = 0
        while index < chunks.count {
            let chunk = chunks[index]
            index += 1
            var p = chunk.start
            let headerSize = chunk.version == 1 ? 8 : 4 + (creationOrder ? 2 : 0)
            while p + headerSize <= chunk.end {
                let type = chunk.version == 1 ? Int(bytes[p]) | Int(bytes[p + 1]) << 8 : Int(bytes[p])
                let sizeAt = chunk.version == 1 ? p + 2 : p + 1
                let size = Int(bytes[sizeAt]) | Int(bytes[sizeAt + 1]) << 8
                let flags = chunk.version == 1 ? bytes[p + 4] : bytes[p + 3]
                let data = p + headerSize
                guard size <= chunk.end - data else { throw fail("a message runs past its chunk") }
                switch type {
                case 0x0C:
                    guard flags & 0x02 == 0 else { throw fail("a shared attribute message (not as Keras writes files)") }
                    try checkAttribute(bytes, data..<(data + size), superblock: superblock, heaps: heaps, fail: fail)
                case 0x10:
                    // Continuation: another chunk at (offset, length); version 2 chunks start "OCHK" and end
                    // with a checksum.
                    let o = superblock.sizeOfOffsets, l = superblock.sizeOfLengths
                    guard size >= o + l else { throw fail("a continuation message too short") }
                    let start = readLength(bytes, at: data, size: o)
                    let length = readLength(bytes, at: data + o, size: l)
                    guard start < UInt64(bytes.count), length <= UInt64(bytes.count) - start else {
                        throw fail("a continuation chunk outside the file")
                    }
                    var first = Int(start), last = Int(start) + Int(length)
                    if chunk.version == 2 {
                        guard length >= 8, Array(bytes[first..<(first + 4)]) == Array("OCHK".utf8) else {
                            throw fail("a continuation chunk without its signature")
                        }
                        first += 4
                        last -= 4
                    }
                    guard seen.insert(first).inserted else { throw fail("continuation chunks in a cycle") }
                    guard chunks.count < 1_000 else { throw fail("more than 1000 continuation chunks") }
                    chunks.append((first, last, chunk.version))
                default:
                    break
                }
                p = data + size
            }
        }
    }

    /// One attribute message, in `range` of `bytes` (versions 1-3, H5Oattr.c's layout).
    private static func checkAttribute(_ bytes: [UInt8], _ range: Range<Int>, superblock: Superblock,
                                       heaps: GlobalHeaps, fail: (String) -> ImportError) throws(ImportError) {
        let end = range.upperBound
        var q = range.lowerBound
        guard end - q >= 8 else { throw fail("an attribute message too short") }
        let version = bytes[q]
        let nameSize = Int(bytes[q + 2]) | Int(bytes[q + 3]) << 8
        let typeSize = Int(bytes[q + 4]) | Int(bytes[q + 5]) << 8
        let spaceSize = Int(bytes[q + 6]) | Int(bytes[q + 7]) << 8
        // Version 1 pads the name, datatype and dataspace each to a multiple of 8.
        func padded(_ n: Int) -> Int { version == 1 ? (n + 7) / 8 * 8 : n }
        switch version {
        case 1: q += 8
        case 2, 3:
            guard bytes[q + 1] & 0x03 == 0 else { throw fail("an attribute with a shared datatype or dataspace (not as Keras writes files)") }
            q += version == 3 ? 9 : 8
        default: throw fail("an attribute message of version \(version)")
        }
        guard nameSize >= 1, padded(nameSize) <= end - q, bytes[q..<(q + nameSize)].contains(0) else {
            throw fail("an attribute name that is not terminated within its message")
        }
        q += padded(nameSize)
        guard padded(typeSize) <= end - q else { throw fail("an attribute datatype that runs past its message") }
        let (elementSize, baseSize) = try datatypeSize(bytes, q..<(q + typeSize), superblock: superblock, nested: false, fail: fail)
        q += padded(typeSize)
        guard padded(spaceSize) <= end - q else { throw fail("an attribute dataspace that runs past its message") }
        let elements = try dataspaceElements(bytes, q..<(q + spaceSize), superblock: superblock, fail: fail)
        q += padded(spaceSize)
        let (valueSize, overflow) = elements.multipliedReportingOverflow(by: UInt64(elementSize))
        guard !overflow, valueSize <= UInt64(end - q) else {
            throw fail("an attribute value of \(overflow ? "impossible size" : "\(valueSize) bytes") runs past its message (\(end - q) bytes left)")
        }
        if let baseSize {
            for element in 0..<Int(elements) {
                try checkVariableLength(bytes, at: q + element * elementSize, baseSize: baseSize, superblock: superblock,
                                        heaps: heaps, fail: fail)
            }
        }
    }

    /// One variable-length element as stored (length, global heap collection address, object index): libhdf5
    /// 1.10.8 reads object `index` of that collection without checking that it exists (H5HG_read: an index past
    /// the collection's table or of an absent object is a wild read, found by the hdf5 fuzz target), copies the
    /// object's whole size into a buffer of `length` elements, and converts `length` elements (4 G elements for a
    /// damaged length). So the collection must be one `check` walked, the object must be in it, and its size must
    /// be `length` elements exactly, as h5py writes them; no address means no elements.
    private static func checkVariableLength(_ bytes: [UInt8], at offset: Int, baseSize: Int, superblock: Superblock,
                                            heaps: GlobalHeaps, fail: (String) -> ImportError) throws(ImportError) {
        let length = readLength(bytes, at: offset, size: 4)
        let address = readLength(bytes, at: offset + 4, size: superblock.sizeOfOffsets)
        let index = readLength(bytes, at: offset + 4 + superblock.sizeOfOffsets, size: 4)
        if address == 0 {
            guard length == 0 else { throw fail("a variable-length attribute value of \(length) elements without data") }
            return
        }
        guard let objects = heaps[address] else {
            throw fail("a variable-length attribute value in a global heap at byte \(address), where there is none")
        }
        guard index <= UInt64(UInt16.max), let size = objects[UInt16(index)] else {
            throw fail("a variable-length attribute value naming object \(index) of the global heap at byte \(address), which has no such object")
        }
        guard size == length * UInt64(baseSize) else {
            throw fail("a variable-length attribute value of \(length) elements of \(baseSize) bytes stored in a global heap object of \(size) bytes")
        }
    }

    /// The size libhdf5 gives one element of the datatype encoded in `range`, and for a variable-length type the
    /// size of one of its elements: the classes Keras writes in attributes (integer, float, string;
    /// variable-length of integers or floats, strings included).
    private static func datatypeSize(_ bytes: [UInt8], _ range: Range<Int>, superblock: Superblock, nested: Bool,
                                     fail: (String) -> ImportError) throws(ImportError) -> (Int, base: Int?) {
        guard range.count >= 8 else { throw fail("an attribute datatype too short") }
        let at = range.lowerBound
        let typeClass = bytes[at] & 0x0F
        let size = Int(bytes[at + 4]) | Int(bytes[at + 5]) << 8 | Int(bytes[at + 6]) << 16 | Int(bytes[at + 7]) << 24
        // Bytes of properties libhdf5 reads after the 8-byte header (H5Odtype.c).
        switch typeClass {
        case 0: guard range.count >= 12 else { throw fail("an integer datatype too short") }
        case 1: guard range.count >= 20 else { throw fail("a float datatype too short") }
        case 3 where !nested: break
        case 9 where !nested:
            let (base, _) = try datatypeSize(bytes, (at + 8)..<range.upperBound, superblock: superblock, nested: true, fail: fail)
            guard base >= 1 else { throw fail("a variable-length attribute of elements of 0 bytes") }
            // On disk a variable-length element is a length, a global heap address and an index. libhdf5 1.10.8
            // copies the value with the size the datatype declares, so that size must be exactly this (as h5py
            // writes it): a larger one read past the header's buffer (found by the import-h5 fuzz target).
            let diskSize = 4 + superblock.sizeOfOffsets + 4
            guard size == diskSize else {
                throw fail("a variable-length datatype of size \(size) (its elements are \(diskSize) bytes on disk)")
            }
            return (diskSize, base)
        default:
            throw fail("an attribute of datatype class \(typeClass) (Keras writes integers, floats and strings)")
        }
        return (size, nil)
    }

    /// The number of elements of the dataspace encoded in `range` (H5Osdspace.c: version 1 or 2).
    private static func dataspaceElements(_ bytes: [UInt8], _ range: Range<Int>, superblock: Superblock,
                                          fail: (String) -> ImportError) throws(ImportError) -> UInt64 {
        guard range.count >= 4 else { throw fail("an attribute dataspace too short") }
        let at = range.lowerBound
        let version = bytes[at], rank = Int(bytes[at + 1]), flags = bytes[at + 2]
        guard rank <= 32 else { throw fail("an attribute dataspace of rank \(rank)") }
        let dims: Int
        var kind: UInt8 = rank > 0 ? 1 : 0
        switch version {
        case 1: dims = at + 8
        case 2:
            dims = at + 4
            kind = bytes[at + 3]
        default: throw fail("an attribute dataspace of version \(version)")
        }
        let l = superblock.sizeOfLengths
        guard dims <= range.upperBound, rank * l * (flags & 0x01 != 0 ? 2 : 1) <= range.upperBound - dims else {
            throw fail("an attribute dataspace that runs past its declared size")
        }
        switch kind {
        case 0: return 1
        case 2: return 0
        case 1:
            var elements: UInt64 = 1
            for i in 0..<rank {
                let (product, overflow) = elements.multipliedReportingOverflow(by: readLength(bytes, at: dims + i * l, size: l))
                guard !overflow else { throw fail("an attribute dataspace of impossible size") }
                elements = product
            }
            return elements
        default: throw fail("an attribute dataspace of type \(kind)")
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
