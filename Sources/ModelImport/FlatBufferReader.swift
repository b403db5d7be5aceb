/// A bounds-checked reader for FlatBuffers binaries (the wire format behind .tflite files).
///
/// Layout, as the FlatBuffers format defines it (all little-endian, no alignment assumed here):
/// - byte 0: `u32` offset from byte 0 to the root table; bytes 4..<8: the optional file identifier.
/// - a table at `t` starts with an `i32` whose value `s` places its vtable at `t - s`.
/// - a vtable: `u16` vtable size in bytes (header included), `u16` size of the table's inline data, then one `u16`
///   per field id: the field's offset from `t`, or 0 (or no slot at all) when the field is absent and so has its
///   schema default.
/// - a reference field (table, vector, string) holds a `u32` offset from the field's own position.
/// - a vector: `u32` element count, then the elements; a vector of tables holds `u32` offsets, each relative to
///   its own position. A string is a byte vector followed by a 0 byte.
/// - a union is two fields: a `u8` type tag (id n) and a table reference (id n + 1).
///
/// Every position is checked against the buffer before it is read, so no input can trap or read out of bounds.
/// Nothing here recurses or loops beyond what a caller asks for: the schema layer walks a fixed depth and bounds
/// every count it iterates. Errors say what was being read and at which byte.
struct FlatBuffer {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var count: Int { bytes.count }

    /// Whether `length` bytes starting at `start` lie inside the buffer (written so that nothing can overflow).
    @inline(__always)
    func contains(_ start: Int, _ length: Int) -> Bool {
        start >= 0 && length >= 0 && start <= bytes.count && length <= bytes.count - start
    }

    func need(_ start: Int, _ length: Int, _ what: @autoclosure () -> String) throws(ImportError) {
        guard contains(start, length) else {
            throw .malformed("\(what()) at byte \(start) (\(length) bytes) lies outside the \(bytes.count)-byte file")
        }
    }

    // Unchecked little-endian loads; callers check the range first.
    @inline(__always) func loadU16(_ p: Int) -> UInt16 { UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8 }
    @inline(__always) func loadU32(_ p: Int) -> UInt32 {
        UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
    }
    @inline(__always) func loadU64(_ p: Int) -> UInt64 { UInt64(loadU32(p)) | UInt64(loadU32(p + 4)) << 32 }

    func u32(at p: Int, _ what: @autoclosure () -> String) throws(ImportError) -> UInt32 {
        try need(p, 4, what())
        return loadU32(p)
    }

    /// The root table, after checking the 4-byte file identifier.
    func root(identifier: [UInt8]) throws(ImportError) -> FBTable {
        guard bytes.count >= 8 else {
            throw .malformed("file is \(bytes.count) bytes, too short for a FlatBuffer header (8 bytes)")
        }
        guard Array(bytes[4..<8]) == identifier else {
            let found = bytes[4..<8].map { ($0 >= 0x20 && $0 < 0x7F) ? String(UnicodeScalar($0)) : "?" }.joined()
            let expected = String(decoding: identifier, as: UTF8.self)
            throw .malformed("file identifier is '\(found)', expected '\(expected)'")
        }
        return try table(at: Int(loadU32(0)), "root table")
    }

    /// The table at absolute position `t`, with its vtable checked.
    func table(at t: Int, _ what: @autoclosure () -> String) throws(ImportError) -> FBTable {
        try need(t, 4, "\(what()) start")
        let soffset = Int(Int32(bitPattern: loadU32(t)))
        let vtable = t - soffset
        try need(vtable, 4, "\(what()) vtable")
        let vtableSize = Int(loadU16(vtable))
        let inlineSize = Int(loadU16(vtable + 2))
        guard vtableSize >= 4, vtableSize % 2 == 0 else {
            throw .malformed("\(what()) vtable at byte \(vtable) has invalid size \(vtableSize)")
        }
        try need(vtable, vtableSize, "\(what()) vtable")
        guard inlineSize >= 4 else {
            throw .malformed("\(what()) at byte \(t) has invalid inline size \(inlineSize)")
        }
        try need(t, inlineSize, "\(what()) data")
        return FBTable(buffer: self, position: t, vtable: vtable, vtableSize: vtableSize, inlineSize: inlineSize)
    }

    /// Follows the `u32` reference stored at `p` and returns the absolute target position.
    func follow(_ p: Int, _ what: @autoclosure () -> String) throws(ImportError) -> Int {
        let target = p + Int(try u32(at: p, what()))
        try need(target, 4, what())
        return target
    }

    /// The vector whose length prefix is at `v`, elements `elementSize` bytes each, checked to fit the buffer.
    func vector(at v: Int, elementSize: Int, _ what: @autoclosure () -> String) throws(ImportError) -> FBVector {
        let length = Int(try u32(at: v, "\(what()) length"))
        let start = v + 4
        // Divide rather than multiply: a huge declared length cannot overflow the check.
        guard length <= (bytes.count - start) / elementSize else {
            throw .malformed("\(what()) at byte \(v) declares \(length) elements of \(elementSize) bytes, "
                + "more than the \(bytes.count - start) bytes left in the file")
        }
        return FBVector(buffer: self, start: start, count: length, elementSize: elementSize)
    }
}

/// One table of a `FlatBuffer`; fields are read by id with their schema defaults.
struct FBTable {
    let buffer: FlatBuffer
    let position: Int
    let vtable: Int
    let vtableSize: Int
    let inlineSize: Int

    /// The absolute position of field `id` (`size` bytes), or nil when the field is absent.
    func field(_ id: Int, size: Int) throws(ImportError) -> Int? {
        let slot = 4 + 2 * id
        guard slot + 2 <= vtableSize else { return nil }
        let offset = Int(buffer.loadU16(vtable + slot))
        guard offset != 0 else { return nil }
        guard offset >= 4, offset <= inlineSize - size else {
            throw .malformed("field \(id) of the table at byte \(position) has offset \(offset), "
                + "outside the table's \(inlineSize) bytes")
        }
        return position + offset
    }

    func u8(_ id: Int, default value: UInt8 = 0) throws(ImportError) -> UInt8 {
        guard let p = try field(id, size: 1) else { return value }
        return buffer.bytes[p]
    }

    func i8(_ id: Int, default value: Int8 = 0) throws(ImportError) -> Int8 {
        Int8(bitPattern: try u8(id, default: UInt8(bitPattern: value)))
    }

    func bool(_ id: Int, default value: Bool = false) throws(ImportError) -> Bool {
        try u8(id, default: value ? 1 : 0) != 0
    }

    func u32(_ id: Int, default value: UInt32 = 0) throws(ImportError) -> UInt32 {
        guard let p = try field(id, size: 4) else { return value }
        return buffer.loadU32(p)
    }

    func i32(_ id: Int, default value: Int32 = 0) throws(ImportError) -> Int32 {
        Int32(bitPattern: try u32(id, default: UInt32(bitPattern: value)))
    }

    func u64(_ id: Int, default value: UInt64 = 0) throws(ImportError) -> UInt64 {
        guard let p = try field(id, size: 8) else { return value }
        return buffer.loadU64(p)
    }

    func f32(_ id: Int, default value: Float = 0) throws(ImportError) -> Float {
        Float(bitPattern: try u32(id, default: value.bitPattern))
    }

    func table(_ id: Int, _ what: @autoclosure () -> String) throws(ImportError) -> FBTable? {
        guard let p = try field(id, size: 4) else { return nil }
        return try buffer.table(at: try buffer.follow(p, what()), what())
    }

    func vector(_ id: Int, elementSize: Int, _ what: @autoclosure () -> String) throws(ImportError) -> FBVector? {
        guard let p = try field(id, size: 4) else { return nil }
        return try buffer.vector(at: try buffer.follow(p, what()), elementSize: elementSize, what())
    }

    /// A string field, checked to be inside the buffer and 0-terminated; invalid UTF-8 is replaced, not trapped on.
    func string(_ id: Int, _ what: @autoclosure () -> String) throws(ImportError) -> String? {
        guard let v = try vector(id, elementSize: 1, what()) else { return nil }
        guard v.start + v.count < buffer.count, buffer.bytes[v.start + v.count] == 0 else {
            throw .malformed("\(what()) at byte \(v.start - 4) is not 0-terminated")
        }
        return String(decoding: buffer.bytes[v.start..<(v.start + v.count)], as: UTF8.self)
    }
}

/// A vector of a `FlatBuffer`, already checked to lie inside it: element reads need no further range checks.
struct FBVector {
    let buffer: FlatBuffer
    let start: Int
    let count: Int
    let elementSize: Int

    var byteRange: Range<Int> { start..<(start + count * elementSize) }

    func u8(_ i: Int) -> UInt8 { buffer.bytes[start + i] }
    func i32(_ i: Int) -> Int32 { Int32(bitPattern: buffer.loadU32(start + 4 * i)) }
    func f32(_ i: Int) -> Float { Float(bitPattern: buffer.loadU32(start + 4 * i)) }
    func i64(_ i: Int) -> Int64 { Int64(bitPattern: buffer.loadU64(start + 8 * i)) }

    /// Element `i` of a vector of tables.
    func table(_ i: Int, _ what: @autoclosure () -> String) throws(ImportError) -> FBTable {
        let p = start + 4 * i
        return try buffer.table(at: try buffer.follow(p, what()), what())
    }
}
