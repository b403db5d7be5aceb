import Foundation
import Testing

/// Every hostile model file of Tests/Fixtures/hostile-import (zip bombs, HDF5 with absurd dimensions, protobuf
/// with huge declared lengths, FlatBuffers with offsets out of range, truncations; Tools/hostile/make_hostile.py)
/// through `quantize FILE -o out.q8`: one line on stderr naming the file, a status from 1 to 100, nothing on
/// stdout, no hang, and nothing left behind: no out.q8, no temporary file beside it, none in TMPDIR (the Keras
/// reader copies a .keras held in memory to a temporary file).
@Suite("hostile model files through quantize")
struct HostileImportCommandTests {
    static let folder = "Tests/Fixtures/hostile-import"

    @Test func everyFileGivesOneLineAndLeavesNothingBehind() throws {
        let data = try Data(contentsOf: CommandLineRun.repository.appendingPathComponent("\(Self.folder)/manifest.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let files = try #require(json["files"] as? [String: [String: String]])
        #expect(files.count >= 16)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("edgequant-hostile-import-\(UUID().uuidString)")
        let output = scratch.appendingPathComponent("out")
        let temporary = scratch.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = output.appendingPathComponent("out.q8").path
        for name in files.keys.sorted() {
            let path = "\(Self.folder)/\(name)"
            let run = try CommandLineRun.run(CommandLineRun.executable("quantize"), [path, "-o", model], timeout: 120,
                                             environment: ["TMPDIR": temporary.path])
            #expect(run.status >= 1 && run.status <= 100, "\(name): status \(run.status); stderr: \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(name): stdout: \(run.stdout)")
            #expect(run.errorLines.count == 1 && run.errorLines.first?.contains(path) == true, "\(name): \(run.stderr)")
            let left = (try FileManager.default.contentsOfDirectory(atPath: output.path))
                + (try FileManager.default.contentsOfDirectory(atPath: temporary.path))
            #expect(left.isEmpty, "\(name) left \(left) behind")
            for file in left {
                try? FileManager.default.removeItem(at: output.appendingPathComponent(file))
                try? FileManager.default.removeItem(at: temporary.appendingPathComponent(file))
            }
        }
    }
}
