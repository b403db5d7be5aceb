import CHDF5

/// Sizes the HDF5 reader accepts; anything larger is refused with `ImportError.Kind.tooLarge` before it is read.
public struct HDF5Limits: Sendable {
    /// Objects (groups, datasets, attributes) one file may have looked up: a bound on work, whatever the file says.
    public var maxObjectsVisited = 200_000
    /// Links in one group (a Keras file has one per layer).
    public var maxGroupLinks = 20_000
    public var maxNameBytes = 1_024
    /// Strings in one attribute, and their bytes together (the model's JSON is one string).
    public var maxStrings = 20_000
    public var maxStringBytes = 1 << 24
    public var maxRank = 4
    /// Elements of one dataset, and of all datasets read from the file (ResNet50 has 23.6 M weights).
    public var maxElements = 1 << 28
    public var maxTotalElements = 1 << 28

    public init() {}
    public static let `default` = HDF5Limits()
}

/// A dataset's shape and element type, as stored.
struct HDF5DatasetInfo: Equatable {
    var shape: [Int]
    /// "float32", "float64", "int32", ... for messages and checks.
    var typeName: String
    var isFloat: Bool
    var byteSize: Int
    var isLittleEndian: Bool
    var elementCount: Int { shape.reduce(1, *) }
}

/// An HDF5 file opened from memory with libhdf5 (through the CHDF5 shim), read-only. Paths are '/'-separated
/// from the root and must consist of hard links. Every lookup counts towards `limits.maxObjectsVisited`, and
/// every read towards `limits.maxTotalElements`, so a hostile file cannot make reading it unbounded.
/// `what` names the file in messages ("model.weights.h5").
final class HDF5File {
    private let handle: Int64
    let what: String
    let limits: HDF5Limits
    private var visited = 0
    private var elementsRead = 0
    /// The image as given, for checking object headers before libhdf5 decodes their attributes (HDF5Precheck).
    private let bytes: [UInt8]
    private let superblock: HDF5Precheck.Superblock
    private let heaps: HDF5Precheck.GlobalHeaps
    /// Object headers whose attribute messages have been checked.
    private var checkedHeaders: Set<UInt64> = []

    init(bytes source: [UInt8], what: String, limits: HDF5Limits = .default) throws(ImportError) {
        self.what = what
        self.limits = limits
        heaps = try HDF5Precheck.check(source, what: what)
        superblock = try HDF5Precheck.superblock(source, what: what)
        bytes = source
        // libhdf5 copies the image when it opens it.
        var status = chdf5_status()
        let handle = source.withUnsafeBufferPointer { chdf5_open_image($0.baseAddress, $0.count, &status) }
        if handle <= 0 { throw ImportError.malformed("\(what): \(HDF5File.message(status))") }
        self.handle = handle
    }

    deinit {
        chdf5_close(handle)
    }

    private static func message(_ status: chdf5_status) -> String {
        var copy = status.message
        return withUnsafeBytes(of: &copy) { raw in
            let chars = raw.bindMemory(to: UInt8.self)
            let end = chars.firstIndex(of: 0) ?? chars.count
            // The shim's own text plus libhdf5's descriptions: made safe for one line.
            return String(String(decoding: chars[..<end], as: UTF8.self).unicodeScalars.map {
                $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0)
            })
        }
    }

    private func error(_ status: chdf5_status, at path: String) -> ImportError {
        let text = "\(what): \(path): \(HDF5File.message(status))"
        switch Int(status.code) {
        case Int(CHDF5_TOO_LARGE.rawValue): return .tooLarge(text)
        case Int(CHDF5_UNSUPPORTED_TYPE.rawValue): return .unsupported(text)
        default: return .malformed(text)
        }
    }

    private func visit(_ path: String) throws(ImportError) {
        visited += 1
        if visited > limits.maxObjectsVisited {
            throw .tooLarge("\(what): more than \(limits.maxObjectsVisited) HDF5 objects looked up")
        }
        if path.utf8.count > 3_000 { throw .tooLarge("\(what): an HDF5 path of \(path.utf8.count) bytes") }
    }

    enum Kind { case group, dataset, other }

    /// What is at `path`, or nil when nothing is.
    func kind(_ path: String) throws(ImportError) -> Kind? {
        try visit(path)
        var status = chdf5_status()
        var kind: CInt = 0
        let code = chdf5_object_kind(handle, path, &kind, &status)
        if code == CHDF5_NOT_FOUND.rawValue { return nil }
        if code != 0 { throw error(status, at: path) }
        return kind == 1 ? .group : kind == 2 ? .dataset : .other
    }

    /// The names of the links in the group at `path`, in name order.
    func children(_ path: String) throws(ImportError) -> [String] {
        try visit(path)
        var status = chdf5_status()
        var count: UInt64 = 0
        if chdf5_group_count(handle, path, UInt64(limits.maxGroupLinks), &count, &status) != 0 {
            throw error(status, at: path)
        }
        var names: [String] = []
        var buffer = [CChar](repeating: 0, count: limits.maxNameBytes + 1)
        for index in 0..<count {
            try visit(path)
            if chdf5_group_link_name(handle, path, index, &buffer, buffer.count, &status) != 0 {
                throw error(status, at: path)
            }
            let end = buffer.firstIndex(of: 0) ?? buffer.count
            names.append(String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    /// The strings of attribute `name` on the object at `path` ("." for the root); nil when there is no such
    /// attribute. An empty attribute of any type gives [].
    func strings(_ name: String, at path: String) throws(ImportError) -> [String]? {
        try visit(path)
        var status = chdf5_status()
        // Looking an attribute up makes libhdf5 decode every attribute message of the object: check them first.
        var address: UInt64 = 0
        let located = chdf5_object_address(handle, path, &address, &status)
        if located != 0 { throw error(status, at: path == "." ? "attribute '\(name)'" : "\(path) attribute '\(name)'") }
        if !checkedHeaders.contains(address) {
            try HDF5Precheck.checkAttributes(bytes, header: address, superblock: superblock, heaps: heaps, what: what, path: path)
            checkedHeaders.insert(address)
        }
        var out = chdf5_strings()
        let code = chdf5_read_strings(handle, path, name, UInt64(limits.maxStrings), UInt64(limits.maxStringBytes),
                                      &out, &status)
        if code == CHDF5_NOT_FOUND.rawValue && HDF5File.message(status).hasPrefix("no attribute") {
            return nil
        }
        if code != 0 { throw error(status, at: path == "." ? "attribute '\(name)'" : "\(path) attribute '\(name)'") }
        defer { chdf5_free(out.bytes) }
        guard let base = out.bytes, out.size > 0 else { return [] }
        let raw = UnsafeRawBufferPointer(start: base, count: out.size).bindMemory(to: UInt8.self)
        var result: [String] = []
        result.reserveCapacity(Int(out.count))
        var start = 0
        for index in 0..<raw.count where raw[index] == 0 {
            let slice = raw[start..<index]
            guard let text = String(validating: slice, as: UTF8.self) else {
                throw .malformed("\(what): \(path) attribute '\(name)' is not UTF-8")
            }
            result.append(text)
            start = index + 1
        }
        return result
    }

    func datasetInfo(_ path: String) throws(ImportError) -> HDF5DatasetInfo {
        try visit(path)
        var status = chdf5_status()
        var info = chdf5_dataset_info()
        if chdf5_dataset_info_at(handle, path, CInt(limits.maxRank), UInt64(limits.maxElements), &info, &status) != 0 {
            throw error(status, at: path)
        }
        let dims = withUnsafeBytes(of: info.dims) { Array($0.bindMemory(to: UInt64.self)) }
        let shape = dims.prefix(Int(info.rank)).map { Int($0) }
        let size = Int(info.type_size)
        let typeName: String = switch info.type_class {
        case 1: "float\(size * 8)"
        case 2: "int\(size * 8)"
        default: "a non-numeric type"
        }
        return HDF5DatasetInfo(shape: shape, typeName: typeName, isFloat: info.type_class == 1, byteSize: size,
                               isLittleEndian: info.little_endian != 0)
    }

    /// The dataset's values as float32 (little-endian float32 as stored, or float64 rounded), with its shape.
    func floats(_ path: String) throws(ImportError) -> (shape: [Int], values: [Float]) {
        let info = try datasetInfo(path)
        guard info.isFloat, info.isLittleEndian, info.byteSize == 4 || info.byteSize == 8 else {
            let order = info.isLittleEndian ? "" : " big-endian"
            throw .unsupported("\(what): \(path) holds\(order) \(info.typeName) values; weights must be little-endian float32 (or float64)")
        }
        let count = info.elementCount
        if count > limits.maxTotalElements - elementsRead {
            throw .tooLarge("\(what): more than \(limits.maxTotalElements) weight values in all")
        }
        // Keras stores weights uncompressed: values the file cannot hold are refused before any memory is
        // taken for them (a small file declaring 2^28 values would otherwise cost 1 GiB first).
        if count > bytes.count / info.byteSize {
            throw .tooLarge("\(what): \(path) declares \(count) values of \(info.byteSize) bytes, more than the file's \(bytes.count) bytes (compressed weights are not read)")
        }
        elementsRead += count
        var status = chdf5_status()
        var failed = false
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if chdf5_read_float32(handle, path, buffer.baseAddress, UInt64(count), &status) != 0 {
                buffer.initialize(repeating: 0)
                failed = true
            }
            initialized = count
        }
        if failed { throw error(status, at: path) }
        return (info.shape, values)
    }
}
