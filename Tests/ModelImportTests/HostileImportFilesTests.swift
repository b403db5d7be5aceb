import Foundation
import Testing
@testable import ModelImport

/// The hostile model files of Tests/Fixtures/hostile-import (written by Tools/hostile/make_hostile.py: zip bombs,
/// HDF5 with absurd dimensions, protobuf with huge declared lengths, FlatBuffers with offsets out of range,
/// truncations): each is detected as the format it damages, and that format's reader refuses it with one line
/// containing what the manifest says. Tests/EdgeSimTests/HostileImportCommandTests.swift runs each through
/// `quantize`.
@Suite("hostile model files through the readers")
struct HostileImportFilesTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/hostile-import")

    struct Entry: Decodable {
        var format: String
        var damage: String
        var reader: String
    }

    static func manifest() throws -> [String: Entry] {
        struct Manifest: Decodable { var files: [String: Entry] }
        return try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: folder.appendingPathComponent("manifest.json"))).files
    }

    static func read(_ bytes: [UInt8], as format: String) -> ImportError? {
        do {
            switch format {
            case "keras", "h5": _ = try KerasModel(bytes: bytes)
            case "onnx": _ = try ONNXModel(bytes: bytes)
            case "tflite": _ = try TFLiteModel(bytes: bytes)
            default: Issue.record("unknown format \(format)")
            }
        } catch {
            return error
        }
        return nil
    }

    @Test func everyFileIsRefusedByItsReader() throws {
        let files = try Self.manifest()
        #expect(files.count >= 16)
        let formats: [String: ModelFileFormat] = ["keras": .keras, "h5": .kerasH5, "onnx": .onnx, "tflite": .tflite]
        #expect(Set(files.values.map(\.format)) == Set(formats.keys))
        for (name, entry) in files.sorted(by: { $0.key < $1.key }) {
            let bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(name)))
            #expect(ModelFileFormat.detect(bytes) == formats[entry.format], "\(name): detected as \(String(describing: ModelFileFormat.detect(bytes)))")
            let started = Date()
            let error = Self.read(bytes, as: entry.format)
            #expect(error != nil, "\(name) (\(entry.damage)) was read")
            guard let error else { continue }
            #expect(error.message.contains(entry.reader), "\(name): \(error.message)")
            #expect(!error.message.contains("\n"), "\(name): \(error.message)")
            #expect(Date().timeIntervalSince(started) < 30, "\(name) took \(Date().timeIntervalSince(started)) s")
        }
    }
}
