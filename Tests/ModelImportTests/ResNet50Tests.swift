import Foundation
import ModelFormat
import Testing
@testable import ModelImport

/// The seed tutorial's ResNet50 (ResNet50Keras: 23.6 M parameters, 94 MB) generated from a seed as a Keras 3
/// .keras, read back, imported and converted data-free. Correctness only: time and memory are measured by
/// Tools/bench/resnet50.sh (docs/BENCHMARKS.md), which keeps the generated file through EDGEQUANT_RESNET50_KERAS.
@Suite("ResNet50 .keras from a seed", .serialized)
struct ResNet50Tests {
    static let seed: UInt64 = 50

    /// Generates the file once per test process: at EDGEQUANT_RESNET50_KERAS when set (kept), otherwise in a
    /// temporary folder removed at exit.
    static let file: Result<URL, any Error> = Result {
        let url: URL
        if let path = ProcessInfo.processInfo.environment["EDGEQUANT_RESNET50_KERAS"] {
            url = URL(fileURLWithPath: path)
        } else {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edgequant-resnet50-\(getpid())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            url = folder.appendingPathComponent("resnet50.keras")
            atexit { try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("edgequant-resnet50-\(getpid())")) }
        }
        try ResNet50Keras.writeKeras(to: url, seed: seed)
        return url
    }

    @Test("The generator's architecture: 177 layers, 23,601,930 parameters, 28x28x1 down to 1x1x2048")
    func architecture() {
        let layers = ResNet50Keras.layers()
        #expect(layers.count == ResNet50Keras.layerCount)
        #expect(layers.reduce(0) { $0 + $1.weights.reduce(0) { $0 + $1.reduce(1, *) } } == ResNet50Keras.parameterCount)
        #expect(layers.first { $0.name == "conv1_conv" }?.shape == [14, 14, 64])
        #expect(layers.first { $0.name == "pool1_pool" }?.shape == [7, 7, 64])
        #expect(layers.first { $0.name == "conv5_block3_out" }?.shape == [1, 1, 2048])
        #expect(layers.filter { $0.className == "Add" }.count == 16)
    }

    @Test("The generated .keras reads back: every layer, its inputs and its weights as generated")
    func readsBack() throws {
        let url = try Self.file.get()
        let model = try KerasModel(contentsOf: url)
        let expected = ResNet50Keras.layers()
        #expect(model.kind == .functional)
        #expect(model.inputShape == [28, 28, 1])
        // The reader orders layers by their inputs (each after the layers it takes), not as the JSON lists them.
        #expect(model.layers.map(\.name).sorted() == expected.map(\.name).sorted())
        #expect(model.output == "predictions")
        let wanted = Dictionary(uniqueKeysWithValues: expected.map { ($0.name, $0) })
        var parameters = 0
        for layer in model.layers {
            guard let want = wanted[layer.name] else { continue }
            #expect(layer.className == want.className, "\(layer.name)")
            #expect(layer.inputs == want.inbound, "\(layer.name)")
            #expect(layer.weights.map(\.shape) == want.weights, "\(layer.name)")
            parameters += layer.weights.reduce(0) { $0 + $1.values.count }
        }
        #expect(parameters == ResNet50Keras.parameterCount)
        // Spot checks, value for value: the stem, a 3x3 conv deep inside, a BatchNormalization, the Dense bias.
        for (name, index) in [("conv1_conv", 0), ("conv4_block5_2_conv", 0), ("conv5_block3_3_bn", 3), ("predictions", 1)] {
            let layer = try #require(model.layers.first { $0.name == name })
            let want = try #require(expected.first { $0.name == name })
            #expect(layer.weights[index].values == ResNet50Keras.values(want, weight: index, seed: Self.seed), "\(name) weight \(index)")
        }
    }

    @Test("ModelImporter takes it and quantize converts it data-free")
    func importsAndConverts() throws {
        let url = try Self.file.get()
        var imported: FloatGraph?
        var failure = ""
        do { imported = try ModelImporter.floatGraph(path: url.path) } catch { failure = error.description }
        if failure.contains("not yet converted") {
            // Until the Keras -> float graph mapping is merged (issue 12): the reader is tested above.
            print("ResNet50Tests: skipped the import and conversion: \(failure)")
            return
        }
        let graph = try #require(imported, "\(failure)")
        let parameters = graph.tensors.reduce(0) { $0 + ($1.data?.count ?? 0) }
        #expect(parameters >= ResNet50Keras.parameterCount - 2048 * 10 && parameters <= ResNet50Keras.parameterCount,
                "\(parameters) constant values")
        let quantize = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("quantize")
        try #require(FileManager.default.isExecutableFile(atPath: quantize.path), "no quantize beside the tests (swift build --build-tests)")
        let output = url.deletingLastPathComponent().appendingPathComponent("resnet50-\(getpid()).q8")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = quantize
        process.arguments = [url.path, "-o", output.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "quantize: \(message)")
        #expect(FileManager.default.fileExists(atPath: output.path))
    }
}
