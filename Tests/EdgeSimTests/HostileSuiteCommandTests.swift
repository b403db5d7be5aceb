import Foundation
@testable import EdgeSim
import Int8Runtime
import Testing

/// Every file of the hostile .q8 suite (Tests/Fixtures/hostile) through `edge-sim run`: one line on stderr naming
/// the file and the very problem the manifest records, a status from 1 to 100, nothing on stdout, no crash or hang.
@Suite("hostile .q8 suite through edge-sim run")
struct HostileSuiteCommandTests {
    static let folder = "Tests/Fixtures/hostile"

    /// "badOp(3)" -> .badOp(index: 3): the manifest's spelling (the firmware's) back to the error.
    static func error(_ text: String) throws -> Q8Error {
        let name = String(text.prefix { $0 != "(" })
        let values = text.drop { $0 != "(" }.dropFirst().dropLast().split(separator: ",").compactMap { Int($0) }
        let v = values + [0, 0]
        switch name {
        case "badMagic": return .badMagic
        case "unsupportedVersion": return .unsupportedVersion
        case "sizeMismatch": return .sizeMismatch
        case "crcMismatch": return .crcMismatch
        case "misaligned": return .misaligned
        case "countOutOfRange": return .countOutOfRange
        case "outOfBounds": return .outOfBounds
        case "badTensor": return .badTensor(index: v[0])
        case "badOp": return .badOp(index: v[0])
        case "badHeader": return .badHeader(offset: v[0])
        case "tensorsOverlap": return .tensorsOverlap(first: v[0], second: v[1])
        case "scratchOverlaps": return .scratchOverlaps(op: v[0], tensor: v[1])
        default: throw ParseError(text: text)
        }
    }

    struct ParseError: Error { var text: String }

    @Test func everyHostileFileGivesOneLineNamingFileAndProblem() throws {
        let data = try Data(contentsOf: CommandLineRun.repository.appendingPathComponent("\(Self.folder)/manifest.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let files = try #require(json["files"] as? [String: [String: String]])
        #expect(files.count >= 40)
        for (name, entry) in files.sorted(by: { $0.key < $1.key }) {
            let error = try Self.error(try #require(entry["error"]))
            // edge-sim tells a file with an unknown magic from a model.bin itself, before the .q8 loader.
            let problem = error == .badMagic ? "not a model file EdgeQuant reads (.q8, model.bin, .keras, .h5, .onnx or .tflite, told by content)" : Q8ErrorText.describe(error)
            let path = "\(Self.folder)/\(name)"
            let run = try CommandLineRun.run(CommandLineRun.executable("edge-sim"),
                                             ["run", "--model", path, "Samples/digits/2-bilevel-gray1-96x96.png"], timeout: 60)
            #expect(run.status >= 1 && run.status <= 100, "\(name): status \(run.status); stderr: \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(name): stdout: \(run.stdout)")
            #expect(run.errorLines == ["Error: \(path): \(problem)"], "\(name): \(run.stderr)")
        }
    }
}
