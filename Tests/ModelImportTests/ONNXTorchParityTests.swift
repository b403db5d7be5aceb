import DigitImage
import FloatEngine
import Foundation
import ModelFormat
import Testing
@testable import ModelImport

/// The torch.onnx.export files of Tests/Fixtures/import, and tf2onnx's conversions of the Keras fixtures there,
/// converted to float graphs and run by the float engine on the first 8 MNIST test images: the outputs equal the
/// producing framework's own (stored beside each model) within 1e-4 of the largest |value| of each image.
@Suite("ONNX import: torch.onnx.export and tf2onnx files against torch and Keras")
struct ONNXTorchParityTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/import")

    /// $EDGEQUANT_MNIST, or shared/data/mnist beside the repository.
    static let mnist = ProcessInfo.processInfo.environment["EDGEQUANT_MNIST"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path

    static func record(_ file: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(file + ".json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The first `count` MNIST test images as 784 pixels each, checked against the CRCs the fixture recorded;
    /// nil (and a printed line) when MNIST is absent.
    static func images(checkedAgainst record: [String: Any]) throws -> [[UInt8]]? {
        let samples = try #require(record["samples"] as? [String: Any])
        let crcs = try #require(samples["pixels_crc32"] as? [NSNumber]).map { UInt32($0.int64Value) }
        let dataset: MNISTDataset
        do {
            dataset = try MNISTDataset(directory: mnist, split: .test, limit: crcs.count)
        } catch {
            print("ONNXTorchParityTests: skipped, MNIST is not readable at \(mnist) (\(error)); set EDGEQUANT_MNIST")
            return nil
        }
        let images = (0..<crcs.count).map { Array(dataset.images[($0 * 784)..<(($0 + 1) * 784)]) }
        try #require(images.map { CRC32.checksum($0) } == crcs, "MNIST test images differ from the fixture's")
        return images
    }

    /// An image as the model's input, pixel / 255 (the normalization is the graph's): zero padding as recorded.
    static func input(_ pixels: [UInt8], pad: [Int]) -> [Float] {
        let (top, bottom, left, right) = (pad[0], pad[1], pad[2], pad[3])
        let width = 28 + left + right
        var out = [Float](repeating: 0, count: (28 + top + bottom) * width)
        for y in 0..<28 {
            for x in 0..<28 { out[(y + top) * width + x + left] = Float(pixels[y * 28 + x]) / 255 }
        }
        return out
    }

    @Test("float outputs equal torch's within 1e-4 relative",
          arguments: ["torch_vgg32", "torch_vgg32_legacy", "torch_resnet18"])
    func parity(name: String) throws {
        let record = try Self.record(name + ".onnx")
        let graph = try Self.checkParity(path: Self.fixtures.appendingPathComponent(name + ".onnx").path, record: record)
        #expect(graph.parameterCount == record["parameters"] as! Int || name == "torch_resnet18",
                "the exporter folds ResNet's batch norms into the convolutions, so only VGG keeps torch's count")
    }

    /// tf2onnx's conversions of the Keras fixtures (Tests/Fixtures/onnx/tf2onnx): NHWC input made NCHW by a Reshape
    /// (one channel), Transpose back before the Keras Flatten, BN folded, ZeroPadding2D as Pad, Squeeze after the
    /// global pool. Compared with Keras's own outputs recorded beside the .keras file.
    @Test("tf2onnx files equal Keras within 1e-4 relative", arguments: ["keras_convnet", "keras_resnet"])
    func tf2onnxParity(name: String) throws {
        let record = try Self.record(name + ".keras")
        let path = Self.fixtures.deletingLastPathComponent().appendingPathComponent("onnx/tf2onnx/tf2onnx_\(name).onnx").path
        let graph = try Self.checkParity(path: path, record: record)
        #expect(!graph.nodes.contains { $0.op == .flatten } || name == "keras_convnet")
    }

    /// Converts the file at `path` through `ModelImporter` with the normalization `record` states, runs it on the
    /// first 8 MNIST test images and expects the outputs `record` holds, within 1e-4 of each image's largest |value|.
    @discardableResult
    static func checkParity(path: String, record: [String: Any]) throws -> FloatGraph {
        let file = (path as NSString).lastPathComponent
        let preprocessing = try #require(record["preprocessing"] as? [String: Any])
        let mean = Float(try #require(preprocessing["mean"] as? NSNumber).doubleValue)
        let std = Float(try #require(preprocessing["std"] as? NSNumber).doubleValue)
        let pad = try #require(preprocessing["pad"] as? [Int])
        let options = ImportOptions(inputNormalization: std == 1 && mean == 0 ? nil : InputNormalization(mean: mean, std: std))

        // The tools' entry: detection by content, conversion, validation.
        let graph = try ModelImporter.floatGraph(path: path, options: options)
        let side = 28 + pad[0] + pad[1]
        #expect(graph.tensors[graph.input].shape == [1, side, side, 1])
        #expect(graph.tensors[graph.output].shape == [1, 10])
        #expect(graph.inputNormalization == (options.inputNormalization ?? .identity))

        guard let images = try images(checkedAgainst: record) else { return graph }
        let expected = try #require(record["outputs"] as? [[NSNumber]]).map { $0.map { Float($0.doubleValue) } }
        var interpreter = FloatInterpreter(graph: graph)
        var worst: Float = 0
        for (i, pixels) in images.enumerated() {
            let output = try interpreter.run(input(pixels, pad: pad))
            let scale = expected[i].map(abs).max() ?? 1
            let error = zip(output, expected[i]).map { abs($0 - $1) }.max() ?? .infinity
            worst = max(worst, error / scale)
            #expect(error <= 1e-4 * scale, "\(file) image \(i): max |difference| \(error), largest |value| \(scale)")
            #expect(output.indices.max { output[$0] < output[$1] } == (record["predictions"] as! [Int])[i])
        }
        print("ONNXTorchParityTests: \(file): worst |difference| / largest |value| over \(images.count) images = \(worst)")
        return graph
    }
}
