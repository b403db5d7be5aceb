import DigitImage
import Foundation
import Int8Runtime
import ModelImport
import Quantizer
import Testing
import TestSupport

/// Full-integer .tflite files (TFLiteConverter, TFLITE_BUILTINS_INT8) imported as they are: the .q8 the tools
/// write runs to exactly TFLite Micro's output bytes (Tests/Fixtures/import/*_int8.tflite.json, reference kernels)
/// on the first 8 MNIST test images.
@Suite("int8 TFLite import")
struct TFLiteInt8ImportTests {
    struct Expected: Decodable {
        struct InputQuantization: Decodable {
            var scale: Float
            var zero_point: Int32
        }
        struct Samples: Decodable { var pixels_crc32: [UInt32] }
        var input_quantization: InputQuantization
        var int8_inputs_crc32: [UInt32]
        var samples: Samples
        var tflm_outputs_int8: [[Int8]]
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/import")
    static let mnist = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path

    static func crc32(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { Checksum.crc32($0) } }

    @Test(arguments: ["keras_convnet_int8.tflite", "keras_resnet_int8.tflite"])
    func equalsTFLiteMicroByteForByte(file: String) throws {
        let path = Self.fixtures.appendingPathComponent(file).path
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: path + ".json")))
        guard FileManager.default.fileExists(atPath: Self.mnist) else {
            print("SKIPPED \(file): MNIST not found at \(Self.mnist) (TFLite Micro comparison needs the first 8 test images)")
            return
        }
        guard case let .int8(program) = try ModelImporter.load(path: path) else {
            Issue.record("\(file) was not read as an int8 model")
            return
        }
        let loaded = try LoadedQ8(ProgramConversion(program).bytes)
        // The .q8 takes the file's input quantization as it is.
        #expect(loaded.model.input.scale == expected.input_quantization.scale)
        #expect(loaded.model.input.zeroPoint == expected.input_quantization.zero_point)

        let data = try MNISTDataset(directory: Self.mnist, split: .test, limit: 8)
        for k in 0..<8 {
            let pixels = Array(data.images[(k * 784)..<((k + 1) * 784)])
            #expect(Self.crc32(pixels) == expected.samples.pixels_crc32[k], "image \(k) is not the fixture's")
            // TFLite's input rule: q = round(pixel/255 / scale) + zero point, in float32.
            let input = pixels.map { p -> Int8 in
                let q = (Float(p) / 255 / expected.input_quantization.scale).rounded(.toNearestOrAwayFromZero)
                    + Float(expected.input_quantization.zero_point)
                return Int8(min(max(q, -128), 127))
            }
            #expect(Self.crc32(input.map { UInt8(bitPattern: $0) }) == expected.int8_inputs_crc32[k])
            let output = try loaded.run(input)
            #expect(output == expected.tflm_outputs_int8[k], "\(file) image \(k): \(output) vs TFLM \(expected.tflm_outputs_int8[k])")
        }
    }

    /// What the import keeps of each file: the ops in order (PADs folded into the next op's padding, the Flatten's
    /// SHAPE/STRIDED_SLICE/PACK dropped, RESHAPE a view), the file's own scales, the softmax at the end.
    @Test func convnetKeepsTheFilesQuantization() throws {
        let path = Self.fixtures.appendingPathComponent("keras_convnet_int8.tflite").path
        guard case let .int8(program) = try ModelImporter.load(path: path) else {
            Issue.record("not read as int8")
            return
        }
        #expect(program.layers.map(\.opcode) == [.conv2D, .maxPool2D, .conv2D, .maxPool2D, .fullyConnected, .softmax])
        #expect(!program.outputIsLogits)
        #expect(program.tensors[program.output].quantization == ActivationQuantization(scale: 1.0 / 256, zeroPoint: -128))
        #expect(program.tensors[program.input].quantization == ActivationQuantization(scale: 0.003921568859368563, zeroPoint: -128))
    }

    @Test func resnetFoldsItsPads() throws {
        let path = Self.fixtures.appendingPathComponent("keras_resnet_int8.tflite").path
        guard case let .int8(program) = try ModelImporter.load(path: path) else {
            Issue.record("not read as int8")
            return
        }
        #expect(program.layers.map(\.opcode) == [.conv2D, .maxPool2D, .conv2D, .conv2D, .add, .conv2D, .conv2D, .conv2D, .add,
                                                  .conv2D, .conv2D, .conv2D, .add, .mean, .fullyConnected])
        // The stem's 3-pixel PAD before the 7x7 stride-2 conv, the 1-pixel PAD before the 3x3 max pool.
        #expect((program.layers[0].padTop, program.layers[0].padLeft) == (3, 3))
        #expect((program.layers[1].padTop, program.layers[1].padLeft) == (1, 1))
        #expect(program.outputIsLogits)
    }

    /// A float model is not an int8 one.
    @Test func floatTFLiteIsNotInt8() throws {
        let path = Self.fixtures.appendingPathComponent("keras_convnet_float.tflite").path
        #expect(try ModelImporter.int8Program(path: path) == nil)
    }
}

