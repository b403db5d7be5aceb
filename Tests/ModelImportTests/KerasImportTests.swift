import DigitImage
import FloatEngine
import Foundation
import ModelFormat
import Testing
@testable import ModelImport

/// Keras files made by Keras itself (Tests/Fixtures/import, Tools/import-fixtures) run through the float graph
/// give Keras's own outputs on the first 8 MNIST test images, and map to the graph the docs describe.
@Suite("Keras files as float graphs")
struct KerasImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/import")

    /// Where the real MNIST files are: $EDGEQUANT_MNIST, or shared/data/mnist beside the repository.
    enum MNIST {
        static let directory = ProcessInfo.processInfo.environment["EDGEQUANT_MNIST"]
            ?? fixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path
        static let present = ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"].allSatisfy { name in
            [name, name + ".gz"].contains { FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent($0)) }
        }
        static let skipMessage = "MNIST is not at \(directory) (set EDGEQUANT_MNIST): skipping the Keras output comparison"
    }

    struct Expected: Decodable {
        struct Samples: Decodable {
            var pixels_crc32: [UInt32]
            var all_pixels_crc32: UInt32
            var labels: [Int]
        }
        var samples: Samples
        var outputs: [[Double]]
    }

    static func path(_ file: String) -> String { fixtures.appendingPathComponent(file).path }

    static func expected(_ file: String) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixtures.appendingPathComponent(file + ".json")))
    }

    @Test("Float outputs equal Keras's within 1e-4 of the largest |output| on the first 8 MNIST test images",
          .enabled(if: MNIST.present, Comment(rawValue: MNIST.skipMessage)),
          arguments: ["keras_convnet.keras", "keras_convnet.h5", "keras_resnet.keras", "keras_resnet.h5"])
    func outputsEqualKeras(file: String) throws {
        let expected = try Self.expected(file)
        let count = expected.outputs.count
        try #require(count == 8 && expected.samples.pixels_crc32.count == count)
        let mnist = try MNISTDataset(directory: MNIST.directory, split: .test, limit: count)
        let pixels = Array(mnist.images.prefix(count * 784))
        try #require(CRC32.checksum(pixels) == expected.samples.all_pixels_crc32, "these are not the images the fixture was made on")

        let graph = try ModelImporter.floatGraph(path: Self.path(file))
        var interpreter = FloatInterpreter(graph: graph)
        var worst = 0.0
        for index in 0..<count {
            let image = Array(pixels[(index * 784)..<((index + 1) * 784)])
            #expect(CRC32.checksum(image) == expected.samples.pixels_crc32[index])
            let output = try interpreter.run(image.map { Float($0) / 255 }).map(Double.init)
            let want = expected.outputs[index]
            try #require(output.count == want.count, "\(file): \(output.count) outputs, Keras has \(want.count)")
            let largest = want.map(abs).max() ?? 0
            let error = zip(output, want).map { abs($0 - $1) }.max() ?? 0
            worst = worst.isNaN || error.isNaN ? .nan : max(worst, error / largest)
            #expect(error <= 1e-4 * largest, "\(file) image \(index): max |difference| \(error), largest |output| \(largest)")
            #expect(output.indices.max { output[$0] < output[$1] } == expected.samples.labels[index], "\(file) image \(index)")
        }
        print("\(file): largest |float - Keras| / largest |Keras output| over \(count) images: \(String(format: "%.2e", worst))")
    }

    /// Tests/Fixtures/keras (make_fixtures.py there): untrained seeded models and Keras's output on one seeded input.
    struct Seeded: Decodable {
        struct Layer: Decodable {
            struct Weight: Decodable { var path: String; var sum: Double }
            var name: String
            var weights: [Weight]
        }
        var input: [Float]
        var output: [Double]
        var layers: [Layer]
    }

    @Test("The reader's seeded fixtures give Keras's output: 'same' average pooling, Reshape, Softmax, keepdims, Rescaling and Normalization",
          arguments: [("sequential", Float(1)), ("functional", 1), ("normalized", 255), ("normalized_seq", 1)])
    func seededOutputs(name: String, pixelScale: Float) throws {
        let directory = KerasFixtureTests.directory
        let expected = try JSONDecoder().decode(Seeded.self, from: Data(contentsOf: directory.appendingPathComponent(name + ".json")))
        for file in [name + ".keras", name + ".h5"] {
            let graph = try ModelImporter.floatGraph(path: directory.appendingPathComponent(file).path)
            var interpreter = FloatInterpreter(graph: graph)
            // Callers feed pixel / 255; `normalized` takes pixels 0...255 (its Rescaling), the others [0, 1].
            let output = try interpreter.run(expected.input.map { $0 / pixelScale }).map(Double.init)
            let largest = expected.output.map(abs).max() ?? 0
            let error = zip(output, expected.output).map { abs($0 - $1) }.max() ?? .nan
            #expect(output.count == expected.output.count)
            #expect(error <= 1e-4 * largest, "\(file): max |difference| \(error), largest |output| \(largest)")
            print("\(file): largest |float - Keras| / largest |Keras output|: \(String(format: "%.2e", error / largest))")
        }
    }

    @Test("Rescaling(1/255) and an adapted Normalization fold into the input normalization; a configured one too")
    func normalizationFolded() throws {
        let directory = KerasFixtureTests.directory
        let graph = try ModelImporter.floatGraph(path: directory.appendingPathComponent("normalized.keras").path)
        let expected = try JSONDecoder().decode(Seeded.self, from: Data(contentsOf: directory.appendingPathComponent("normalized.json")))
        let norm = try #require(expected.layers.first { $0.name == "norm" })
        let mean = try #require(norm.weights.first { $0.path.hasSuffix("/mean") }).sum
        let variance = try #require(norm.weights.first { $0.path.hasSuffix("/variance") }).sum
        // pixel / 255 -> pixel (the model takes 0...255) -> Rescaling -> pixel / 255 -> (x - mean) / std.
        #expect(abs(Double(graph.inputNormalization.mean) - mean) < 1e-6, "\(graph.inputNormalization)")
        #expect(abs(Double(graph.inputNormalization.std) - variance.squareRoot()) < 1e-6, "\(graph.inputNormalization)")
        #expect(graph.nodes.map(\.name) == ["conv", "avg", "gap", "flat", "logits"])
        #expect(graph.nodes[0].inputs[0] == graph.input)
        // 'same' stride 2: 6 (even) -> 3, 7 (odd) -> 4.
        #expect(graph.tensors[graph.nodes[0].outputs[0]].shape == [1, 3, 4, 3])

        let configured = try ModelImporter.floatGraph(path: directory.appendingPathComponent("normalized_seq.h5").path)
        #expect(abs(configured.inputNormalization.mean - 0.1307) < 1e-6 && abs(configured.inputNormalization.std - 0.3081) < 1e-6,
                "\(configured.inputNormalization)")
        // The option says what the model's input is; the file's Normalization is applied after it.
        let both = try ModelImporter.floatGraph(path: directory.appendingPathComponent("normalized_seq.keras").path,
                                                options: ImportOptions(inputNormalization: InputNormalization(mean: 0.5, std: 0.5)))
        #expect(abs(both.inputNormalization.mean - (0.5 + 0.1307 * 0.5)) < 1e-6 && abs(both.inputNormalization.std - 0.3081 * 0.5) < 1e-6,
                "\(both.inputNormalization)")
    }

    @Test("The same model from .keras and .h5 gives the same graph", arguments: ["keras_convnet", "keras_resnet"])
    func kerasEqualsH5(name: String) throws {
        #expect(try ModelImporter.floatGraph(path: Self.path(name + ".keras")) == ModelImporter.floatGraph(path: Self.path(name + ".h5")))
    }

    static func summary(_ graph: FloatGraph) -> [String] {
        graph.nodes.map { node in
            "\(node.name) \(node.op) \(graph.tensors[node.outputs[0]].shape)"
        }
    }

    @Test("The Sequential convnet: fused ReLUs, Flatten in Keras's order, Dropout kept, softmax split out after Dense")
    func convnetStructure() throws {
        let graph = try ModelImporter.floatGraph(path: Self.path("keras_convnet.keras"))
        #expect(Self.summary(graph) == [
            "conv2d conv2D(strideY: 1, strideX: 1, padding: ModelFormat.Padding.valid, activation: ModelFormat.Activation.relu) [1, 26, 26, 16]",
            "max_pooling2d maxPool2D(ModelFormat.Window2D(height: 2, width: 2, strideY: 2, strideX: 2, padding: ModelFormat.Padding.valid)) [1, 13, 13, 16]",
            "conv2d_1 conv2D(strideY: 1, strideX: 1, padding: ModelFormat.Padding.valid, activation: ModelFormat.Activation.relu) [1, 11, 11, 32]",
            "max_pooling2d_1 maxPool2D(ModelFormat.Window2D(height: 2, width: 2, strideY: 2, strideX: 2, padding: ModelFormat.Padding.valid)) [1, 5, 5, 32]",
            "flatten flatten [1, 800]",
            "dropout dropout(rate: 0.5) [1, 800]",
            "dense dense(activation: ModelFormat.Activation.none) [1, 10]",
            "dense/softmax softmax [1, 10]",
        ])
        #expect(graph.tensors[graph.input].shape == [1, 28, 28, 1])
        #expect(graph.tensors[graph.logits].name == "dense:0")
        #expect(graph.inputNormalization == .identity)
        #expect(graph.parameterCount == 12810)
        #expect(graph.tensors.filter(\.isConstant).map(\.name) == ["conv2d/kernel", "conv2d/bias", "conv2d_1/kernel", "conv2d_1/bias", "dense/kernel", "dense/bias"])
    }

    @Test("The functional ResNet: ZeroPadding2D stem as Pad, 'same' stride 2 on odd and even inputs, projection shortcuts")
    func resnetStructure() throws {
        let graph = try ModelImporter.floatGraph(path: Self.path("keras_resnet.keras"))
        let byName = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.name, $0) })
        func shape(_ node: String) -> [Int]? { byName[node].map { graph.tensors[$0.outputs[0]].shape } }
        #expect(graph.nodes.first?.name == "stem_pad")
        #expect(byName["stem_pad"]?.op == .pad(top: 3, bottom: 3, left: 3, right: 3))
        #expect(shape("stem_pad") == [1, 34, 34, 1])
        #expect(byName["stem_conv"]?.op == .conv2D(strideY: 2, strideX: 2, padding: .valid))
        #expect(byName["stem_conv"]?.inputs.count == 2, "use_bias=False: no bias input")
        #expect(byName["pool_pad"]?.op == .pad(top: 1, bottom: 1, left: 1, right: 1))
        #expect(byName["stem_pool"]?.op == .maxPool2D(Window2D(height: 3, width: 3, strideY: 2, strideX: 2, padding: .valid)))
        #expect(shape("stem_pool") == [1, 7, 7, 8])
        // 'same' with stride 2: 7 (odd) -> 4, 4 (even) -> 2, as TensorFlow does it.
        #expect(byName["s2_conv1"]?.op == .conv2D(strideY: 2, strideX: 2, padding: .same))
        #expect(shape("s2_conv1") == [1, 4, 4, 16])
        #expect(shape("s2_proj") == [1, 4, 4, 16])
        #expect(shape("s3_conv1") == [1, 2, 2, 24])
        #expect(byName["s1_add"]?.op == .add())
        #expect(byName["s1_add"].map { $0.inputs.map { graph.tensors[$0].name } } == ["s1_bn2:0", "stem_pool:0"])
        #expect(byName["s2_add"].map { $0.inputs.map { graph.tensors[$0].name } } == ["s2_bn2:0", "s2_proj_bn:0"])
        #expect(byName["s1_out"]?.op == .relu)
        #expect(byName["stem_relu"]?.op == .relu)
        #expect(byName["gap"]?.op == .globalAveragePool)
        #expect(byName["logits"]?.op == .dense())
        #expect(graph.tensors[graph.output].name == "logits:0")
        #expect(graph.tensors[graph.output].shape == [1, 10])
        #expect(graph.parameterCount == 14978, "Keras's count_params, each BatchNormalization's 4 vectors included")
        #expect(graph.nodes.filter { if case .batchNormalization = $0.op { true } else { false } }.count == 9)
    }
}
