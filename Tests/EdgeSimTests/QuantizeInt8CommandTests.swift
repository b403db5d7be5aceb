import Foundation
import Testing

/// `quantize` on a full-integer .tflite: imported as it is, no calibration, the TFLite Micro comparison printed.
@Suite("quantize int8 TFLite")
struct QuantizeInt8CommandTests {
    static let model = "Tests/Fixtures/import/keras_convnet_int8.tflite"

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("quantize-int8-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func convertsWithoutCalibrationAndComparesWithTFLM() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("m.q8").path
        let run = try CommandLineRun.run(CommandLineRun.executable("quantize"), [Self.model, "-o", output, "--board", "nrf52840"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("calibration: none: int8 TFLite"))
        #expect(run.stdout.contains("flash (model data): .tflite 18832 bytes"))
        #expect(run.stdout.contains("instructions on nrf52840: EdgeQuant ~"))
        // The latency at the board's clock says where its cycles come from (boards.json: Firmware-Sim's estimate).
        #expect(run.stdout.contains("latency on nrf52840: EdgeQuant ~") && run.stdout.contains("estimated cycles, zero wait states"))
        #expect(FileManager.default.fileExists(atPath: output))

        let json = try CommandLineRun.run(CommandLineRun.executable("quantize"), [Self.model, "-o", output, "--json"])
        #expect(json.status == 0)
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let tflm = document?["tflm"] as? [String: Any]
        #expect(tflm?["tflite_bytes"] as? Int == 18832)
        #expect(tflm?["q8_bytes"] as? Int == (try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int))
    }

    @Test func calibrationIsRefusedAndNothingWritten() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("m.q8").path
        let run = try CommandLineRun.run(CommandLineRun.executable("quantize"), [Self.model, "-o", output, "--calibration", "Samples/digits"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--calibration does not apply"))
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
