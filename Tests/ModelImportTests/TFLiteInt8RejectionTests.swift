import Foundation
@testable import ModelImport
import Quantizer
import TestSupport
import Int8Runtime
import Testing

/// Int8 .tflite files the import refuses: one line naming the operator index and the op, nothing half-built.
@Suite("int8 TFLite refusals")
struct TFLiteInt8RejectionTests {
    typealias T = TestTFLite.TensorSpec
    typealias O = TestTFLite.OpSpec

    /// An int8 activation [1, h, w, c] at scale 0.1 and zero point `zp`.
    static func act(_ name: String, _ shape: [Int32], zp: Int64 = -128, scale: Float = 0.1) -> T {
        T(name: name, shape: shape, type: 9, scales: [scale], zeroPoints: [zp])
    }

    static func refusal(_ m: TestTFLite) throws -> String {
        let model = try TFLiteModel(bytes: m.bytes())
        do {
            _ = try TFLiteInt8Import.program(model)
        } catch {
            return error.description
        }
        return "accepted"
    }

    typealias P = TFLiteSchema.Pool2DOptions
    static var pool2x2: [Int: FBField] { [P.padding: .u8(1), P.strideW: .i32(2), P.strideH: .i32(2), P.filterWidth: .i32(2), P.filterHeight: .i32(2)] }

    /// input -> PAD (1 each side) -> pool 2x2/2 -> output.
    static func padThenPool(average: Bool, zp: Int64) -> TestTFLite {
        var m = TestTFLite()
        m.codes = [(34, 34), (average ? 1 : 17, nil)]
        m.buffers = [[], TestTFLite.ints([0, 0, 1, 1, 1, 1, 0, 0])]
        m.tensors = [act("input", [1, 4, 4, 1], zp: zp), T(name: "paddings", shape: [4, 2], type: 2, buffer: 1),
                     act("padded", [1, 6, 6, 1], zp: zp), act("pooled", [1, 3, 3, 1], zp: zp)]
        m.ops = [O(opcodeIndex: 0, inputs: [0, 1], outputs: [2]), O(opcodeIndex: 1, inputs: [2], outputs: [3], optionsTag: 5, options: pool2x2)]
        m.inputs = [0]
        m.outputs = [3]
        return m
    }

    /// A PAD folds into a max pool only when its fill (the zero point) is -128, which never wins a max; elsewhere
    /// (another zero point, an average pool, which would count the padded values) it is the int8 Pad op.
    @Test func padBeforePoolFoldsOnlyWhereExactOtherwiseIsAPadOp() throws {
        func opcodes(_ m: TestTFLite) throws -> [Q8Opcode] {
            try TFLiteInt8Import.program(TFLiteModel(bytes: m.bytes())).program.layers.map(\.opcode)
        }
        #expect(try opcodes(Self.padThenPool(average: false, zp: -128)) == [.maxPool2D])
        #expect(try opcodes(Self.padThenPool(average: false, zp: -5)) == [.pad, .maxPool2D])
        #expect(try opcodes(Self.padThenPool(average: true, zp: -128)) == [.pad, .averagePool2D])
        let layer = try TFLiteInt8Import.program(TFLiteModel(bytes: Self.padThenPool(average: true, zp: -128).bytes())).program.layers[0]
        #expect(layer.padTop == 1 && layer.padLeft == 1)
    }

    @Test func standaloneReluIsRefused() throws {
        var m = TestTFLite()
        m.codes = [(19, 19)]
        m.tensors = [Self.act("input", [1, 2, 2, 1]), Self.act("relu", [1, 2, 2, 1])]
        m.ops = [O(opcodeIndex: 0, inputs: [0], outputs: [1])]
        m.outputs = [1]
        #expect(try Self.refusal(m).hasPrefix("operator 0 (RELU): a standalone RELU is not supported"))
    }

    /// TFLite Micro truncates the average when input and output quantization are equal; the runtime rounds.
    @Test func meanWithEqualQuantizationIsRefused() throws {
        var m = TestTFLite()
        m.codes = [(40, 40)]
        m.buffers = [[], TestTFLite.ints([1, 2])]
        m.tensors = [Self.act("input", [1, 2, 2, 3]), T(name: "axes", shape: [2], type: 2, buffer: 1), Self.act("mean", [1, 3])]
        m.ops = [O(opcodeIndex: 0, inputs: [0, 1], outputs: [2], optionsTag: 27, options: [:])]
        m.outputs = [2]
        #expect(try Self.refusal(m).hasPrefix("operator 0 (MEAN): a MEAN with equal input and output quantization"))
        m.tensors[2] = Self.act("mean", [1, 3], scale: 0.05)
        #expect(try Self.refusal(m) == "accepted")
    }

    /// SOFTMAX's output must be TFLite's fixed 1/256, -128.
    @Test func softmaxOutputQuantizationIsChecked() throws {
        var m = TestTFLite()
        m.codes = [(25, 25)]
        m.tensors = [Self.act("logits", [1, 10], zp: 3), Self.act("probabilities", [1, 10], zp: -128, scale: 1.0 / 256)]
        m.ops = [O(opcodeIndex: 0, inputs: [0], outputs: [1], optionsTag: 9, options: [0: .f32(1)])]
        m.outputs = [1]
        #expect(try Self.refusal(m) == "accepted")
        m.tensors[1] = Self.act("probabilities", [1, 10], zp: -128, scale: 1.0 / 255)
        #expect(try Self.refusal(m).hasPrefix("operator 0 (SOFTMAX): the output quantization is scale"))
    }
    /// A float interface around an int8 model: the input's QUANTIZE and the output's DEQUANTIZE are stripped with a
    /// note each, the .q8 takes the QUANTIZE output's quantization. A QUANTIZE anywhere else is refused.
    @Test func floatEdgesAreStripped() throws {
        var m = TestTFLite()
        m.codes = [(114, 114), (25, 25), (6, 6)]
        m.tensors = [T(name: "float_in", shape: [1, 10]), Self.act("q_in", [1, 10], zp: 3),
                     Self.act("probabilities", [1, 10], zp: -128, scale: 1.0 / 256), T(name: "float_out", shape: [1, 10])]
        m.ops = [O(opcodeIndex: 0, inputs: [0], outputs: [1]), O(opcodeIndex: 1, inputs: [1], outputs: [2], optionsTag: 9, options: [0: .f32(1)]),
                 O(opcodeIndex: 2, inputs: [2], outputs: [3])]
        m.inputs = [0]
        m.outputs = [3]
        let model = try TFLiteModel(bytes: m.bytes())
        #expect(TFLiteInt8Import.isFullInteger(model))
        let result = try TFLiteInt8Import.program(model)
        #expect(result.notes.count == 2)
        #expect(result.notes.first?.hasPrefix("operator 0 (QUANTIZE) of the float32 input stripped") == true)
        #expect(result.program.layers.map(\.opcode) == [.softmax])
        #expect(result.program.tensors[result.program.input].quantization.zeroPoint == 3)
        // The same QUANTIZE after the softmax (not at an edge) is refused.
        m.codes = [(25, 25), (114, 114)]
        m.tensors = [Self.act("logits", [1, 10], zp: 3), Self.act("probabilities", [1, 10], zp: -128, scale: 1.0 / 256),
                     Self.act("requantized", [1, 10], zp: 0)]
        m.ops = [O(opcodeIndex: 0, inputs: [0], outputs: [1], optionsTag: 9, options: [0: .f32(1)]), O(opcodeIndex: 1, inputs: [1], outputs: [2])]
        m.outputs = [2]
        #expect(try Self.refusal(m).hasPrefix("operator 1 (QUANTIZE): QUANTIZE inside the graph is not supported"))
    }
}

/// Seeded damage to the two int8 fixtures, through the whole path (reader, import, planning, writing, the runtime's
/// loader and one inference): each damaged file is refused with an error or gives a .q8 that loads and runs; none
/// traps (a trap ends the test process).
@Suite("int8 TFLite import on damaged files")
struct TFLiteInt8DamageTests {
    @Test(arguments: ["keras_convnet_int8.tflite", "keras_resnet_int8.tflite"])
    func damagedFilesAreRefusedOrRun(file: String) throws {
        let original = try [UInt8](Data(contentsOf: TFLiteInt8ImportTests.fixtures.appendingPathComponent(file)))
        var random = SeededRandom(seed: 1212)
        var refused = 0, imported = 0
        for trial in 0..<400 {
            var bytes = original
            if trial % 4 == 0 {
                bytes = Array(bytes.prefix(Int.random(in: 8..<bytes.count, using: &random)))
            } else {
                for _ in 0..<(1 + trial % 8) {
                    bytes[Int.random(in: 8..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            }
            do {
                let model = try TFLiteModel(bytes: bytes)
                guard TFLiteInt8Import.isFullInteger(model) else { refused += 1; continue }
                let program = try TFLiteInt8Import.program(model).program
                let loaded = try LoadedQ8(ProgramConversion(program).bytes)
                _ = try loaded.run([Int8](repeating: 0, count: loaded.model.input.size))
                imported += 1
            } catch {
                refused += 1
            }
        }
        print("\(file): \(refused) damaged files refused, \(imported) imported and run")
        #expect(refused + imported == 400)
    }
}
