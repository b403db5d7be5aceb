import Foundation
import Int8Runtime
import Testing

/// The committed hostile .q8 suite (Tests/Fixtures/hostile, made by Tools/hostile/make_hostile.py): each file is the
/// valid base.q8 with one kind of damage and a recomputed CRC, and the loader must refuse it with exactly the
/// Q8Error the manifest names. Firmware-Sim/run --expect-refused runs the same files on Cortex-M.
@Suite("hostile .q8 suite")
struct HostileSuiteTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/hostile")

    /// file name -> expected error, as the firmware prints it (`badOp(3)`).
    static func manifest() throws -> [String: String] {
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let files = try #require(json["files"] as? [String: [String: String]])
        return try files.mapValues { try #require($0["error"]) }
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// What `Q8Model(validating:)` says about `bytes`, held 16-byte aligned as in flash: "accepted", or the error.
    static func outcome(_ bytes: [UInt8]) -> String {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        defer { storage.deallocate() }
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        do {
            _ = try Q8Model(validating: UnsafeRawBufferPointer(rebasing: storage[0..<bytes.count]))
            return "accepted"
        } catch {
            return describe(error)
        }
    }

    /// The firmware's spelling: name, then the associated values in parentheses.
    static func describe(_ error: Q8Error) -> String {
        let name = error.name.description, values = error.values
        switch values.count {
        case 0: return name
        case 1: return "\(name)(\(values.first))"
        default: return "\(name)(\(values.first),\(values.second))"
        }
    }

    @Test func theSuiteIsWhatTheManifestLists() throws {
        let listed = Set(try Self.manifest().keys)
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".q8") })
        #expect(listed == present)
        #expect(listed.count >= 40)
    }

    @Test func theBaseModelIsAccepted() throws {
        #expect(Self.outcome(try Self.bytes("base/base.q8")) == "accepted")
    }

    @Test func everyHostileFileIsRefusedWithTheManifestsError() throws {
        let manifest = try Self.manifest()
        var wrong: [String] = []
        for (name, expected) in manifest.sorted(by: { $0.key < $1.key }) {
            let got = Self.outcome(try Self.bytes(name))
            if got != expected { wrong.append("\(name): \(got), expected \(expected)") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(manifest.count):\n\(wrong.joined(separator: "\n"))")
    }

    /// The damage is what makes each file fail: its CRC is right (else every file would be a CRC mismatch).
    @Test func everyHostileFileHasAValidCRC() throws {
        for name in try Self.manifest().keys where !name.hasPrefix("header-file-size") {
            let bytes = try Self.bytes(name)
            let stored = bytes.suffix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let crc = bytes.withUnsafeBytes { Checksum.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<(bytes.count - 4)])) }
            #expect(crc == stored, "\(name)")
        }
    }
}
