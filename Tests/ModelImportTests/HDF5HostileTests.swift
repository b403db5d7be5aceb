import Foundation
import Testing
@testable import ModelImport

/// HDF5 inputs on which libhdf5 1.10.8 itself misbehaves, refused by HDF5Precheck before libhdf5 decodes them
/// (docs/importing.md, "libhdf5 on hostile files"). These run without AddressSanitizer: they prove the refusal;
/// the `hdf5` fuzz target (Tools/fuzz/run.sh, ASan) proves libhdf5 no longer reads out of bounds on them.
@Suite("HDF5 files libhdf5 mishandles")
struct HDF5HostileTests {
    static func fixture(_ path: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: KerasFixtureTests.directory.appendingPathComponent(path)))
    }

    static func refusal(_ bytes: [UInt8]) -> ImportError? {
        do { _ = try KerasModel(bytes: bytes) } catch { return error }
        return nil
    }

    /// Where the attribute message named `name` starts in `bytes` (its 8-byte message header), for a version 1
    /// attribute message in a version 1 object header as h5py writes them.
    static func attributeMessage(_ bytes: [UInt8], name: String, occurrence: Int = 0) throws -> Int {
        let needle = Array(name.utf8) + [0]
        var found: [Int] = []
        var i = 16
        while i + needle.count <= bytes.count {
            // Message header (type 0x000C), then version 1, reserved, name size = needle.count, then the name.
            if Array(bytes[i..<(i + needle.count)]) == needle, i >= 16, bytes[i - 16] == 0x0C, bytes[i - 15] == 0,
               bytes[i - 8] == 1, Int(bytes[i - 6]) | Int(bytes[i - 5]) << 8 == needle.count {
                found.append(i - 16)
            }
            i += 1
        }
        try #require(found.count > occurrence, "no attribute message '\(name)'")
        return found[occurrence]
    }

    @Test("The fuzz input whose attribute value runs past its message (libhdf5 read 8 bytes past a heap buffer)")
    func attributeValuePastMessage() throws {
        let bytes = try Self.fixture("libhdf5-hostile/heap-overflow-attribute-message.h5")
        let error = try #require(Self.refusal(bytes))
        #expect(error.kind == .malformed)
        #expect(error.message == "HDF5: model_weights/pool_a: HDF5 object header at byte 32136: an attribute value of 8 bytes runs past its message (0 bytes left)")
        #expect(!error.message.contains("\n"))
    }

    @Test("The fuzz input whose variable-length datatype declares 24 bytes (libhdf5 copied 24 per element, 16 are stored)")
    func variableLengthSizePastMessage() throws {
        let bytes = try Self.fixture("libhdf5-hostile/heap-overflow-vlen-size.h5")
        let error = try #require(Self.refusal(bytes))
        #expect(error.kind == .malformed)
        #expect(error.message.hasSuffix("a variable-length datatype of size 24 (its elements are 16 bytes on disk)"), "\(error.message)")
        #expect(!error.message.contains("\n"))
    }

    @Test("Attribute messages patched in sequential.h5: value, name, datatype, dataspace, sharing")
    func patchedAttributes() throws {
        let good = try Self.fixture("sequential.h5")
        #expect(Self.refusal(good) == nil)
        // weight_names of a layer without weights: an empty float64 array (rank 1, dims [0]), 0 value bytes.
        let message = try Self.attributeMessage(good, name: "weight_names")
        let data = message + 8
        let nameSize = 16, typeAt = data + 8 + nameSize
        let typeSize = Int(good[data + 4]) | Int(good[data + 5]) << 8
        let spaceAt = typeAt + (typeSize + 7) / 8 * 8
        try #require(good[typeAt] & 0x0F == 1 && good[spaceAt] == 1 && good[spaceAt + 1] == 1)
        func patched(_ edit: (inout [UInt8]) -> Void) -> [UInt8] {
            var bytes = good
            edit(&bytes)
            return bytes
        }
        let cases: [(String, [UInt8], String)] = [
            // dims [1]: one float64 (8 bytes) where the message holds none.
            ("one element", patched { $0[spaceAt + 8] = 1 }, "attribute value of 8 bytes runs past its message"),
            // dims [2^61] x 8 bytes wraps to 0 in 64 bits: libhdf5 would compute a 0-byte value.
            ("wrapping size", patched { $0[spaceAt + 15] = 0x20 }, "attribute value of impossible size"),
            ("rank 40", patched { $0[spaceAt + 1] = 40 }, "attribute dataspace of rank 40"),
            ("no terminator", patched { for k in 0..<nameSize { $0[data + 8 + k] = 0x41 } },
             "attribute name that is not terminated"),
            ("compound type", patched { $0[typeAt] = 0x16 }, "attribute of datatype class 6"),
            ("shared message", patched { $0[message + 4] = 0x02 }, "shared attribute message"),
            ("datatype past message", patched { $0[data + 4] = 0xFF; $0[data + 5] = 0x0F }, "attribute datatype that runs past its message"),
        ]
        for (what, bytes, needle) in cases {
            let error = Self.refusal(bytes)
            #expect(error?.message.contains(needle) == true, "\(what): \(String(describing: error))")
            #expect(error?.message.contains("HDF5 object header at byte") == true, "\(what): \(String(describing: error))")
        }
    }

    @Test("A dataset declaring more values than the file holds is refused before memory is taken for it")
    func datasetLargerThanFile() throws {
        let good = try Self.fixture("sequential.h5")
        // The Dense kernel [24, 10] (and its max dims) declared [1,048,576, 10]: 40 MiB of float32 in a 35 KB file,
        // under the element limits.
        let offsets = KerasRejectionTests.dimsOffset(good, [24, 10])
        try #require(!offsets.isEmpty)
        var bytes = good
        for at in offsets { KerasRejectionTests.put64(&bytes, at, 1 << 20) }
        let error = try #require(Self.refusal(bytes))
        #expect(error.kind == .tooLarge, "\(error)")
        #expect(error.message == "HDF5: model_weights/dense/seq/dense/kernel declares 10485760 values of 4 bytes, more than the file's 35832 bytes (compressed weights are not read)")
    }

    @Test("A global heap free-space entry past its collection (libhdf5 parsed memory outside it) is refused")
    func globalHeapFreeSpace() throws {
        var bytes = try Self.fixture("sequential.h5")
        let collection = try #require((0..<(bytes.count - 4)).first { Array(bytes[$0..<($0 + 4)]) == Array("GCOL".utf8) })
        // Objects (index, references, reserved, size) after the 16-byte collection header, up to index 0.
        var at = collection + 16
        while Int(bytes[at]) | Int(bytes[at + 1]) << 8 != 0 {
            let size = (0..<8).reduce(0) { $0 | Int(bytes[at + 8 + $1]) << (8 * $1) }
            at += 16 + (size + 7) / 8 * 8
        }
        for (k, byte) in [0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF].enumerated() { bytes[at + 8 + k] = UInt8(byte) }
        let error = try #require(Self.refusal(bytes))
        #expect(error.message == "HDF5: HDF5 global heap at byte \(collection) is corrupt (its free space runs past the end of its collection)")
    }

    @Test("Variable-length values naming absent global heap objects (libhdf5 read through a wild pointer) are refused")
    func variableLengthReferences() throws {
        let good = try Self.fixture("sequential.h5")
        // model_config: a scalar variable-length string, its value (length, heap address, index) after the padded
        // name (13 -> 16 bytes), datatype and dataspace.
        let message = try Self.attributeMessage(good, name: "model_config")
        let data = message + 8
        let typeSize = Int(good[data + 4]) | Int(good[data + 5]) << 8, spaceSize = Int(good[data + 6]) | Int(good[data + 7]) << 8
        let value = data + 8 + 16 + (typeSize + 7) / 8 * 8 + (spaceSize + 7) / 8 * 8
        try #require(good[data + 8 + 16] & 0x0F == 9)
        func patched(_ at: Int, _ bytes: [UInt8]) -> [UInt8] {
            var copy = good
            for (k, byte) in bytes.enumerated() { copy[at + k] = byte }
            return copy
        }
        let length = Int(good[value]) | Int(good[value + 1]) << 8 | Int(good[value + 2]) << 16
        let cases: [(String, [UInt8], String)] = [
            ("absent object", patched(value + 12, [100, 0, 0, 0]), "naming object 100 of the global heap at byte"),
            ("longer", patched(value, [UInt8((length + 1) & 0xFF), UInt8(((length + 1) >> 8) & 0xFF), UInt8((length + 1) >> 16)]),
             "of \(length + 1) elements of 1 bytes stored in a global heap object of \(length) bytes"),
            ("no heap there", patched(value + 4, [8, 0, 0, 0, 0, 0, 0, 0]), "in a global heap at byte 8, where there is none"),
            ("no address", patched(value + 4, [0, 0, 0, 0, 0, 0, 0, 0]), "of \(length) elements without data"),
        ]
        for (what, bytes, needle) in cases {
            let error = Self.refusal(bytes)
            #expect(error?.message.contains(needle) == true, "\(what): \(String(describing: error))")
        }
    }

    @Test("A base address other than 0 is refused")
    func baseAddress() throws {
        var bytes = try Self.fixture("sequential.h5")
        try #require(bytes[8] == 0)
        bytes[24] = 0x10
        let error = try #require(Self.refusal(bytes))
        #expect(error.message.contains("base address is not 0"), "\(error)")
    }
}
