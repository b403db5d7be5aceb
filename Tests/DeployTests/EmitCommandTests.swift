import Boards
import Foundation
import Testing

/// The `quantize` executable with --emit: the folder and the .q8 both written, or, on a refusal, neither; one error
/// line. Runs the binary SwiftPM builds beside the test bundle, from the repository root.
@Suite("quantize --emit command", .serialized)
struct EmitCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func quantize(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("quantize")
        process.arguments = arguments
        process.currentDirectoryURL = repository
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("quantize-out-\(UUID().uuidString)")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("quantize-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    @Test func emitsTheFolderAndTheQ8() throws {
        let (parent, dir) = try EmitTests.destination()
        defer { try? FileManager.default.removeItem(at: parent) }
        let q8 = parent.appendingPathComponent("resnet.q8").path
        let run = try Self.quantize(["Models/resnet-mnist.bin", "-o", q8, "--emit", dir.path, "--board", "nrf52840"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("emitted \(dir.path) for cortex-m4f: model "))
        #expect(FileManager.default.fileExists(atPath: q8))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: q8))) == Array(try Data(contentsOf: dir.appendingPathComponent("model/model.q8"))))
        #expect(try String(contentsOf: dir.appendingPathComponent("README.md"), encoding: .utf8).contains("fits nrf52840"))

        // An existing .q8 is emitted as it is (same bytes); without --emit it is refused in one line.
        let again = parent.appendingPathComponent("again")
        let fromQ8 = try Self.quantize([q8, "--emit", again.path, "--target", "cortex-m0"])
        #expect(fromQ8.status == 0, "\(fromQ8.stderr)")
        #expect(try Data(contentsOf: again.appendingPathComponent("model/model.q8")) == Data(contentsOf: URL(fileURLWithPath: q8)))
        let plain = try Self.quantize([q8])
        #expect(plain.status != 0)
        #expect(plain.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1)
    }

    /// A board too small: refused with its numbers, and neither the folder nor the .q8 exists afterwards.
    @Test func refusalWritesNothing() throws {
        let (parent, dir) = try EmitTests.destination()
        defer { try? FileManager.default.removeItem(at: parent) }
        var catalog = try BoardCatalog.shipped()
        var tiny = try catalog.board(named: "nrf52840")
        tiny.name = "tiny"
        tiny.sramBytes = 16 * 1024
        catalog.boards = [tiny]
        let catalogPath = parent.appendingPathComponent("boards.json")
        try JSONEncoder().encode(catalog).write(to: catalogPath)
        let q8 = parent.appendingPathComponent("resnet.q8").path
        let run = try Self.quantize(["Models/resnet-mnist.bin", "-o", q8, "--emit", dir.path, "--boards", catalogPath.path, "--board", "tiny"])
        #expect(run.status != 0)
        let lines = run.stderr.trimmingCharacters(in: .newlines).split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("does NOT fit tiny: over SRAM by"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: q8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["boards.json"])
    }

    /// Without -o, --emit writes the .q8 only inside the folder: nothing lands beside the user's model.
    @Test func emitWithoutOutputWritesNothingBesideTheModel() throws {
        let (parent, dir) = try EmitTests.destination()
        let model = parent.appendingPathComponent("vgg.bin")
        try FileManager.default.copyItem(at: Self.repository.appendingPathComponent("Models/vgg-mnist.bin"), to: model)
        let run = try Self.quantize([model.path, "--emit", dir.path, "--target", "cortex-m4f"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("model/model.q8").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).sorted() == [dir.lastPathComponent, "vgg.bin"].sorted())
    }
}
