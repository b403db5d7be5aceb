import Foundation
import Testing

/// An int8 .tflite goes to every int8 tool as it is: `edge-sim run` on the file gives exactly what it gives on
/// the .q8 that `quantize` writes from it (the same in-memory conversion, no calibration).
@Suite("edge-sim on an int8 .tflite")
struct Int8TFLiteRunTests {
    @Test(arguments: ["keras_convnet_int8.tflite", "keras_resnet_int8.tflite"])
    func runOnTheFileEqualsRunOnItsQ8(file: String) throws {
        let tflite = "Tests/Fixtures/import/" + file
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("int8-tflite-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let q8 = folder.appendingPathComponent("m.q8").path
        let quantize = try CommandLineRun.run(CommandLineRun.executable("quantize"), [tflite, "-o", q8])
        #expect(quantize.status == 0, "stderr: \(quantize.stderr)")
        let samples = try RunCommandTests.samples()
        let direct = try CommandLineRun.edgeSim(["run", "--model", tflite, "--json"] + samples)
        let viaQ8 = try CommandLineRun.edgeSim(["run", "--model", q8, "--json"] + samples)
        #expect(direct.status == 0 && viaQ8.status == 0, "stderr: \(direct.stderr) \(viaQ8.stderr)")
        // Same predictions and scores; only the model's path differs in the output.
        #expect(direct.stdout.replacingOccurrences(of: tflite, with: "M") == viaQ8.stdout.replacingOccurrences(of: q8, with: "M"))
        #expect(direct.stdout.contains("\"digit\""))
    }
}
