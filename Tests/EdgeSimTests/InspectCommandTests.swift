import Foundation
import Int8Runtime
import ModelFormat
import Quantizer
import Testing
import TestSupport

/// `edge-sim inspect`: what Firmware-Sim reads instead of parsing .q8 bytes, and its raw-input runs.
@Suite("edge-sim inspect")
struct InspectCommandTests {
    struct Report: Decodable {
        struct Layer: Decodable { var step: Int; var op: String; var outputs: UInt64; var macs: UInt64; var work: UInt64 }
        struct Run: Decodable { var output_int8: [Int8] }
        var macs: UInt64
        var layers: [Layer]
        var runs: [Run]?
    }

    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString)-\(name)").path
    }

    /// The JSON's work per op is Q8OpWork's, and the outputs of raw int8 inputs are the runtime's, byte for byte.
    @Test func reportsWorkAndRunsRawInputs() throws {
        let graph = try ModelFile.load(path: CommandLineRun.repository.appendingPathComponent("Models/resnet-mnist.bin").path)
        let bytes = try Conversion(graph: graph, calibration: .dataFree).bytes
        let loaded = try LoadedQ8(bytes)
        let model = loaded.model
        let q8 = Self.temporary("resnet.q8"), inputs = Self.temporary("inputs.bin")
        defer { for path in [q8, inputs] { try? FileManager.default.removeItem(atPath: path) } }
        try Data(bytes).write(to: URL(fileURLWithPath: q8))
        var random = SeededRandom(seed: 11)
        let tensors = (0..<3).map { _ in (0..<model.input.size).map { _ in Int8(truncatingIfNeeded: random.next()) } }
        try Data(tensors.flatMap { $0.map { UInt8(bitPattern: $0) } }).write(to: URL(fileURLWithPath: inputs))

        let run = try CommandLineRun.edgeSim(["inspect", "--json", q8, "--inputs", inputs])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        #expect(report.layers.count == model.opCount)
        for layer in report.layers {
            let work = try #require(model.work(layer.step))
            #expect(layer.outputs == work.outputs && layer.macs == work.macs && layer.work == work.work, "step \(layer.step)")
        }
        #expect(report.macs == UInt64(model.macs))
        #expect(report.runs?.map(\.output_int8) == (try tensors.map { try loaded.run($0) }))
    }

    /// An inputs file that is not a whole number of input tensors is refused in one line naming the file.
    @Test func refusesAPartialInputTensor() throws {
        let graph = try ModelFile.load(path: CommandLineRun.repository.appendingPathComponent("Models/vgg-mnist.bin").path)
        let q8 = Self.temporary("vgg.q8"), inputs = Self.temporary("short.bin")
        defer { for path in [q8, inputs] { try? FileManager.default.removeItem(atPath: path) } }
        try Data(try Conversion(graph: graph, calibration: .dataFree).bytes).write(to: URL(fileURLWithPath: q8))
        try Data(repeating: 0, count: 28 * 28 + 5).write(to: URL(fileURLWithPath: inputs))
        let run = try CommandLineRun.edgeSim(["inspect", q8, "--inputs", inputs])
        #expect(run.status == 1)
        #expect(run.errorLines == ["Error: \(inputs): 789 bytes is not a whole number of 784-byte int8 input tensors"])
    }
}
