import Foundation
import TestSupport
import Testing
import ZIPFoundation
@testable import ModelImport

/// Damaged, hostile and unsupported Keras files: each gives a typed `ImportError` with one line, never a trap or a
/// hang. Zips are built here with ZIPFoundation, HDF5 files are the fixtures with bytes patched.
@Suite("Keras files refused")
struct KerasRejectionTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: KerasFixtureTests.directory.appendingPathComponent(name)))
    }

    static func importError(_ body: () throws -> Void) -> ImportError? {
        do { try body() } catch let error as ImportError { return error } catch { Issue.record("untyped error \(error)") }
        return nil
    }

    static func readKeras(_ bytes: [UInt8], limits: KerasLimits = .default) -> ImportError? {
        importError { _ = try KerasModel(bytes: bytes, limits: limits) }
    }

    static func readConfig(_ json: String, limits: KerasLimits = .default) -> ImportError? {
        importError { _ = try KerasModel(configJSON: Array(json.utf8), limits: limits) }
    }

    /// A zip of the given entries, written by ZIPFoundation (deflated when `deflate`).
    static func zip(_ entries: [(String, [UInt8])], deflate: Bool = false) throws -> [UInt8] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("keras-test-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: url) }
        let archive = try Archive(url: url, accessMode: .create)
        for (name, bytes) in entries {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(bytes.count),
                                 compressionMethod: deflate ? .deflate : .none) { position, size in
                Data(bytes[Int(position)..<Int(position) + size])
            }
        }
        return try [UInt8](Data(contentsOf: url))
    }

    static func entries(of keras: [UInt8]) throws -> [(String, [UInt8])] {
        let archive = try Archive(data: Data(keras), accessMode: .read)
        var out: [(String, [UInt8])] = []
        for entry in archive {
            var bytes: [UInt8] = []
            _ = try archive.extract(entry) { bytes += $0 }
            out.append((entry.path, bytes))
        }
        return out
    }

    static func u32(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24 }
    static func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
    static func put32(_ b: inout [UInt8], _ at: Int, _ v: Int) { for i in 0..<4 { b[at + i] = UInt8((v >> (8 * i)) & 0xFF) } }

    /// Rewrites the uncompressed size `name` declares in its local header, data descriptor and central directory.
    static func declare(_ zip: [UInt8], name: String, size: Int) -> [UInt8] {
        var b = zip
        let nameBytes = Array(name.utf8)
        var i = 0
        while i + 46 <= b.count {
            if b[i] == 0x50, b[i + 1] == 0x4B, b[i + 2] == 1, b[i + 3] == 2 {
                let nameLength = u16(b, i + 28)
                if Array(b[i + 46..<i + 46 + nameLength]) == nameBytes {
                    put32(&b, i + 24, size)
                    let local = u32(b, i + 42)
                    put32(&b, local + 22, size)
                    if u16(b, local + 6) & 8 != 0 {
                        var descriptor = local + 30 + u16(b, local + 26) + u16(b, local + 28) + u32(b, i + 20)
                        if u32(b, descriptor) == 0x0807_4B50 { descriptor += 4 }
                        put32(&b, descriptor + 8, size)
                    }
                }
            }
            i += 1
        }
        return b
    }

    // MARK: zip

    @Test("A zip bomb stops at the declared size, and a huge declared size is refused before extracting")
    func zipBomb() throws {
        let parts = try Self.entries(of: Self.fixture("sequential.keras"))
        let config = try #require(parts.first { $0.0 == "config.json" }).1
        let zeros = [UInt8](repeating: 0, count: 32 << 20)
        let honest = try Self.zip([("config.json", config), ("model.weights.h5", zeros)], deflate: true)
        #expect(honest.count < 200_000, "32 MiB of zeros deflate to \(honest.count) bytes")

        var limits = KerasLimits()
        limits.maxFileBytes = 1 << 20
        let declared = Self.readKeras(honest, limits: limits)
        #expect(declared == .tooLarge(".keras: model.weights.h5 declares 33554432 bytes, the limit is 1048576"))

        let lying = Self.declare(honest, name: "model.weights.h5", size: 4096)
        #expect(Self.readKeras(lying) == .malformed(".keras: model.weights.h5 inflates past its declared 4096 bytes"))
    }

    @Test("Entry paths outside the archive, missing entries, too many entries, not a zip")
    func zipStructure() throws {
        let keras = try Self.fixture("sequential.keras")
        func renamed(_ from: String, _ to: String) -> [UInt8] {
            precondition(from.utf8.count == to.utf8.count)
            var b = keras
            let f = Array(from.utf8), t = Array(to.utf8)
            var i = 0
            while i + f.count <= b.count {
                if Array(b[i..<i + f.count]) == f { b.replaceSubrange(i..<i + f.count, with: t) }
                i += 1
            }
            return b
        }
        #expect(Self.readKeras(renamed("metadata.json", "../adata.json")) == .malformed(".keras: zip entry '../adata.json' points outside the archive"))
        #expect(Self.readKeras(renamed("metadata.json", "/etadata.json")) == .malformed(".keras: zip entry '/etadata.json' has an unsafe path"))
        #expect(Self.readKeras(renamed("config.json", "cxnfig.json")) == .malformed(".keras: no config.json in the zip"))
        #expect(Self.readKeras(renamed("model.weights.h5", "model.weights.h6")) == .malformed(".keras: no model.weights.h5 in the zip"))
        var limits = KerasLimits()
        limits.maxZipEntries = 2
        #expect(Self.readKeras(keras, limits: limits) == .tooLarge(".keras: more than 2 zip entries"))
        #expect(Self.readKeras(Array("PK\u{3}\u{4} not really".utf8)) == .malformed(".keras: not a readable zip archive"))
        #expect(Self.readKeras(Array("GIF89a".utf8)) == .malformed("not a Keras file (neither a .keras zip nor an HDF5 .h5)"))
        // A corrupted stored byte fails the CRC-32.
        var flipped = keras
        let at = try #require(Array(keras).firstRange(of: Array("\"Sequential\"".utf8))).lowerBound + 1
        flipped[at] ^= 0x20
        #expect(Self.readKeras(flipped) == .malformed(".keras: config.json fails its CRC-32 check"))
    }

    @Test("Every truncation of the .keras and .h5 fixtures is a typed error")
    func truncations() throws {
        for name in ["sequential.keras", "functional.keras", "sequential.h5", "functional.h5"] {
            let bytes = try Self.fixture(name)
            var cuts = Array(stride(from: 0, to: bytes.count, by: max(1, bytes.count / 60)))
            cuts += [bytes.count - 1, bytes.count - 22, 8, 9, 100]
            for cut in cuts where cut >= 0 && cut < bytes.count {
                #expect(Self.readKeras(Array(bytes[..<cut])) != nil, "\(name) cut at \(cut) was accepted")
            }
        }
    }

    @Test("Seeded byte corruptions of the fixtures: a model or a typed error, never a trap or a hang")
    func corruptions() throws {
        var random = SeededRandom(seed: 12)
        for name in ["sequential.keras", "sequential.h5", "functional.h5"] {
            let bytes = try Self.fixture(name)
            for _ in 0..<150 {
                var b = bytes
                for _ in 0..<(1 + Int(random.next() % 4)) {
                    b[Int(random.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: random.next())
                }
                _ = Self.readKeras(b)
            }
        }
    }

    // MARK: HDF5

    /// Offset of the dimensions of the dataspace that stores `dims` (as 8-byte little-endian sizes).
    static func dimsOffset(_ bytes: [UInt8], _ dims: [Int]) -> [Int] {
        let pattern = dims.flatMap { d in (0..<8).map { UInt8((d >> (8 * $0)) & 0xFF) } }
        var found: [Int] = []
        var i = 0
        while i + pattern.count <= bytes.count {
            if Array(bytes[i..<i + pattern.count]) == pattern { found.append(i) }
            i += 1
        }
        return found
    }

    @Test("HDF5 datasets with absurd or wrong dimensions are refused before reading")
    func absurdDimensions() throws {
        let h5 = try Self.fixture("sequential.h5")
        // The Dense kernel [24, 10] (and its max dims) in the dataspace message.
        let offsets = Self.dimsOffset(h5, [24, 10])
        try #require(!offsets.isEmpty)
        var huge = h5
        for at in offsets { for i in 0..<2 { Self.put64(&huge, at + 8 * i, 1 << 40) } }
        let error = try #require(Self.readKeras(huge))
        #expect(error.kind == .tooLarge, "\(error)")
        #expect(error.message == "HDF5: model_weights/dense/seq/dense/kernel: dataset dimension 0 is 1099511627776: over 268435456 elements")

        var swapped = h5
        for at in offsets { Self.put64(&swapped, at, 10); Self.put64(&swapped, at + 8, 24) }
        #expect(Self.readKeras(swapped) == .malformed("HDF5: layer 'dense' (Dense): kernel has shape [10, 24], expected [in, 10]"))
    }

    static func put64(_ b: inout [UInt8], _ at: Int, _ v: Int) { for i in 0..<8 { b[at + i] = UInt8((v >> (8 * i)) & 0xFF) } }

    @Test("A global heap object running past its collection (libhdf5 would overflow a buffer) is refused")
    func globalHeapOverflow() throws {
        // Found by the corruption test below: one size byte of a vlen string's heap object raised.
        var h5 = try Self.fixture("sequential.h5")
        let gcol = try #require(h5.firstRange(of: Array("GCOL".utf8))).lowerBound
        let first = gcol + 16
        #expect(Self.u16(h5, first) == 1)
        h5[first + 8 + 5] = 0x60
        #expect(Self.readKeras(h5) == .malformed("HDF5: HDF5 global heap at byte \(gcol) is corrupt (object 1 runs past the end of its collection)"))
    }

    @Test("A global heap that would make libhdf5 loop forever is refused before libhdf5 reads it")
    func globalHeapLoop() throws {
        var h5 = try Self.fixture("sequential.h5")
        let gcol = try #require(h5.firstRange(of: Array("GCOL".utf8))).lowerBound
        // Walk the collection's objects to its free-space entry (index 0) and make that entry's size 0.
        var p = gcol + 16
        while Self.u16(h5, p) != 0 {
            let size = Self.u32(h5, p + 8)
            p += 16 + (size + 7) / 8 * 8
        }
        for i in 0..<8 { h5[p + 8 + i] = 0 }
        let error = Self.readKeras(h5)
        #expect(error == .malformed("HDF5: HDF5 global heap at byte \(gcol) is corrupt (a free-space entry of size 0, on which libhdf5 would loop forever)"))
    }

    @Test("An HDF5 file without model_config (a weights-only file) and a weights file missing a layer")
    func weightsOnly() throws {
        let parts = try Self.entries(of: Self.fixture("functional.keras"))
        let weights = try #require(parts.first { $0.0 == "model.weights.h5" }).1
        #expect(Self.readKeras(weights) == .unsupported("HDF5 file without a 'model_config' attribute: a weights-only file? save the whole model with model.save()"))
        // The sequential model's JSON with the functional model's weights: no group is named after its layers.
        let sequential = try #require(try Self.entries(of: Self.fixture("sequential.keras")).first { $0.0 == "config.json" }).1
        let error = Self.importError { _ = try KerasModel(configJSON: sequential, weightsH5: weights) }
        #expect(error == .malformed("weights.h5: layer 'conv_a' (Conv2D): no weights in the file (no layers/*/vars group named so)"))
    }

    @Test("HDF5 limits: objects visited, total weight values")
    func hdf5Limits() throws {
        let h5 = try Self.fixture("functional.h5")
        var limits = KerasLimits()
        limits.hdf5.maxObjectsVisited = 10
        #expect(Self.readKeras(h5, limits: limits) == .tooLarge("HDF5: more than 10 HDF5 objects looked up"))
        limits = KerasLimits()
        limits.hdf5.maxTotalElements = 500
        #expect(Self.readKeras(h5, limits: limits) == .tooLarge("HDF5: more than 500 weight values in all"))
    }

    // MARK: config

    static func functional(_ layers: String, input: String = "in", output: String = "out") -> String {
        """
        {"class_name": "Functional", "config": {"name": "m", "layers": [\(layers)],
         "input_layers": [["\(input)", 0, 0]], "output_layers": [["\(output)", 0, 0]]}}
        """
    }

    static let inputLayer = #"{"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [null, 4, 4, 1]}, "inbound_nodes": []}"#

    static func layer(_ cls: String, _ name: String, _ inputs: [String], config: String = "") -> String {
        let nodes = inputs.map { #"["\#($0)", 0, 0, {}]"# }.joined(separator: ", ")
        return #"{"class_name": "\#(cls)", "name": "\#(name)", "config": {"name": "\#(name)"\#(config.isEmpty ? "" : ", " + config)}, "inbound_nodes": [[\#(nodes)]]}"#
    }

    @Test("Keras 2 configs: legacy inbound_nodes, a Sequential model without InputLayer")
    func keras2Configs() throws {
        let json = Self.functional([Self.inputLayer,
                                    Self.layer("ReLU", "a", ["in"]),
                                    Self.layer("Activation", "b", ["in"], config: #""activation": "relu6""#),
                                    Self.layer("Add", "out", ["a", "b"])].joined(separator: ", "))
        let model = try KerasModel(configJSON: Array(json.utf8))
        #expect(model.layers.map(\.name) == ["in", "a", "b", "out"])
        #expect(model.layers[3].inputs == ["a", "b"])
        #expect(model.inputShape == [4, 4, 1])

        let sequential = #"""
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "Flatten", "config": {"name": "flatten", "batch_input_shape": [null, 28, 28, 1]}},
          {"class_name": "Dense", "config": {"name": "dense", "units": 10, "activation": "softmax"}}]}}
        """#
        let seq = try KerasModel(configJSON: Array(sequential.utf8))
        #expect(seq.layers.map(\.name) == ["flatten_input", "flatten", "dense"])
        #expect(seq.layers[2].inputs == ["flatten"])
        #expect(seq.inputShape == [28, 28, 1])
    }

    @Test("Cycles, missing and self-referencing inputs, duplicate names, unknown outputs")
    func graphErrors() {
        let cycle = Self.functional([Self.inputLayer,
                                     Self.layer("Add", "a", ["in", "b"]),
                                     Self.layer("ReLU", "b", ["a"]),
                                     Self.layer("ReLU", "out", ["b"])].joined(separator: ", "))
        #expect(Self.readConfig(cycle) == .malformed("config.json: layers form a cycle ('a', 'b', 'out' wait on each other)"))
        let missing = Self.functional([Self.inputLayer, Self.layer("ReLU", "out", ["ghost"])].joined(separator: ", "))
        #expect(Self.readConfig(missing) == .malformed("config.json: layer 'out' takes its input from 'ghost', which is not a layer of the model"))
        let selfLoop = Self.functional([Self.inputLayer, Self.layer("Add", "out", ["in", "out"])].joined(separator: ", "))
        #expect(Self.readConfig(selfLoop) == .malformed("config.json: layer 'out' takes its own output as input"))
        let duplicate = Self.functional([Self.inputLayer, Self.layer("ReLU", "out", ["in"]), Self.layer("ReLU", "out", ["in"])].joined(separator: ", "))
        #expect(Self.readConfig(duplicate) == .malformed("config.json: two layers are named 'out'"))
        let noOutput = Self.functional([Self.inputLayer, Self.layer("ReLU", "x", ["in"])].joined(separator: ", "))
        #expect(Self.readConfig(noOutput) == .malformed("config.json: output_layers names 'out', which is not a layer of the model"))
        let shared = Self.functional([Self.inputLayer,
                                      #"{"class_name": "ReLU", "name": "out", "config": {"name": "out"}, "inbound_nodes": [[["in", 0, 0, {}]], [["in", 0, 0, {}]]]}"#].joined(separator: ", "))
        #expect(Self.readConfig(shared) == .unsupported("config.json: layer 'out' (ReLU): the layer is called 2 times (shared layers are not supported)"))
    }

    @Test("Unsupported layers and attributes name the layer")
    func unsupported() {
        func one(_ cls: String, _ config: String) -> ImportError? {
            Self.readConfig(Self.functional([Self.inputLayer, Self.layer(cls, "out", ["in"], config: config)].joined(separator: ", ")))
        }
        let conv = #""filters": 2, "kernel_size": [3, 3], "padding": "same""#
        #expect(one("Conv2D", conv + #", "dilation_rate": [2, 2]"#) == .unsupported("config.json: layer 'out' (Conv2D): dilation_rate [2, 2] (only 1 is supported)"))
        #expect(one("Conv2D", conv + #", "data_format": "channels_first""#) == .unsupported("config.json: layer 'out' (Conv2D): data_format 'channels_first' (only channels_last)"))
        #expect(one("Conv2D", conv + #", "activation": "tanh""#) == .unsupported("config.json: layer 'out' (Conv2D): activation 'tanh' (linear, relu, relu6 or softmax)"))
        #expect(one("Conv2D", #""filters": 2, "kernel_size": [3, 3], "padding": "causal""#) == .unsupported("config.json: layer 'out' (Conv2D): padding 'causal' (valid or same)"))
        #expect(one("Conv2D", #""filters": 0, "kernel_size": 3, "padding": "same""#) == .malformed("config.json: layer 'out' (Conv2D): filters 0 is not a positive count"))
        #expect(one("LSTM", #""units": 4"#) == .unsupported("config.json: layer 'out' (LSTM): layer class 'LSTM' is not supported"))
        #expect(one("ReLU", #""max_value": 4.0"#) == .unsupported("config.json: layer 'out' (ReLU): max_value 4 (only none or 6, ReLU6)"))
        #expect(one("ReLU", #""negative_slope": 0.1"#) == .unsupported("config.json: layer 'out' (ReLU): negative_slope 0.1 (leaky ReLU is not supported)"))
        #expect(one("BatchNormalization", #""axis": 1, "epsilon": 0.001"#) == .unsupported("config.json: layer 'out' (BatchNormalization): axis 1 (only the channel axis, -1 or 3)"))
        #expect(one("Dense", #""units": 10, "dtype": "float16""#) == .unsupported("config.json: layer 'out' (Dense): dtype 'float16' (only float32)"))
        #expect(one("ZeroPadding2D", #""padding": [[1, 2, 3], [0, 0]]"#) == .malformed("config.json: layer 'out' (ZeroPadding2D): padding [[1, 2, 3], [0, 0]] is not n, [rows, cols] or [[top, bottom], [left, right]]"))
        #expect(one("Softmax", #""axis": 1"#) == .unsupported("config.json: layer 'out' (Softmax): axis 1 (only the last axis)"))
    }

    @Test("Not JSON, deep nesting, wrong types, an oversized config, other model classes")
    func badJSON() {
        #expect(Self.readConfig("{") == .malformed("config.json is not valid JSON"))
        #expect(Self.readConfig(String(repeating: "[", count: 100_000)) == .tooLarge("config.json nests deeper than 100 levels"))
        #expect(Self.readConfig("[]") == .malformed("config.json: the top level is not a JSON object"))
        #expect(Self.readConfig(#"{"class_name": "Sequential", "config": {"layers": 3}}"#) == .malformed("config.json: no 'layers' list in the model config"))
        #expect(Self.readConfig(#"{"class_name": "MyModel", "config": {}}"#) == .unsupported("config.json: model class 'MyModel' is not supported (Sequential or Functional)"))
        var limits = KerasLimits()
        limits.maxConfigBytes = 10
        #expect(Self.readConfig(#"{"class_name": "Sequential"}"#, limits: limits) == .tooLarge("config.json has 28 bytes, the limit is 10"))
        let noShape = #"{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}"#
        #expect(Self.readConfig(noShape) == .malformed("config.json: layer 'd' (Dense): the Sequential model has no input shape"))
        let boolAsInt = Self.functional([Self.inputLayer, Self.layer("Dense", "out", ["in"], config: #""units": true"#)].joined(separator: ", "))
        #expect(Self.readConfig(boolAsInt) == .malformed("config.json: layer 'out' (Dense): units true is not a positive count"))
    }
}
