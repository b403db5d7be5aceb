import Foundation
import Testing
import ModelImport

/// Files TensorFlow's converter wrote (Tests/Fixtures/tflite, made by make_tflite_fixtures.py there): everything
/// the reader returns equals what tf.lite.Interpreter reports for the same file, recorded in the .json beside it.
@Suite("TFLite files from TFLiteConverter")
struct TFLiteFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tflite")

    struct Expected: Decodable {
        struct Tensor: Decodable {
            var index: Int
            var name: String
            var shape: [Int]
            var type: String
            var scales: [Double]
            var zero_points: [Int]
            var quantized_dimension: Int
            var values: [Double]?
        }
        struct Operator: Decodable {
            var index: Int
            var op: String
            var inputs: [Int]
            var outputs: [Int]
            var options: [String: Option]
        }
        enum Option: Decodable, Equatable {
            case flag(Bool), number(Double), string(String), list([Int]), null
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if c.decodeNil() { self = .null }
                else if let v = try? c.decode(Bool.self) { self = .flag(v) }
                else if let v = try? c.decode(Double.self) { self = .number(v) }
                else if let v = try? c.decode(String.self) { self = .string(v) }
                else { self = .list(try c.decode([Int].self)) }
            }
        }
        var tensors: [Tensor]
        var operators: [Operator]
        var inputs: [Int]
        var outputs: [Int]
    }

    static func load(_ name: String) throws -> (TFLiteModel, Expected) {
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name + ".tflite")))
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: directory.appendingPathComponent(name + ".json")))
        return (try TFLiteModel(bytes: bytes), expected)
    }

    @Test(arguments: ["small_float", "small_int8"])
    func tensorsEqualTheInterpreters(name: String) throws {
        let (model, expected) = try Self.load(name)
        #expect(model.inputs == expected.inputs)
        #expect(model.outputs == expected.outputs)
        try #require(model.tensors.count == expected.tensors.count)
        for (tensor, want) in zip(model.tensors, expected.tensors) {
            #expect(tensor.index == want.index)
            #expect(tensor.name == want.name)
            #expect(tensor.shape == want.shape, "tensor \(want.index)")
            #expect(tensor.type.name.lowercased() == want.type, "tensor \(want.index)")
            // The interpreter reports no quantization as empty lists; float32 scales are stored as exact doubles.
            #expect((tensor.quantization?.scales ?? []) == want.scales.map { Float($0) }, "tensor \(want.index)")
            #expect((tensor.quantization?.zeroPoints ?? []) == want.zero_points, "tensor \(want.index)")
            #expect((tensor.quantization?.quantizedDimension ?? 0) == want.quantized_dimension, "tensor \(want.index)")
            if let values = want.values {
                let got: [Double]? = switch tensor.type {
                case .float32: tensor.floatValues.map { $0.map(Double.init) }
                case .int8: tensor.int8Values.map { $0.map(Double.init) }
                case .int32: tensor.int32Values.map { $0.map(Double.init) }
                }
                #expect(got == values, "tensor \(want.index) constant values")
            } else {
                #expect(tensor.data == nil, "tensor \(want.index) should be an activation")
            }
        }
    }

    @Test(arguments: ["small_float", "small_int8"])
    func operatorsEqualTheInterpreters(name: String) throws {
        let (model, expected) = try Self.load(name)
        try #require(model.operators.count == expected.operators.count)
        for (op, want) in zip(model.operators, expected.operators) {
            #expect(op.index == want.index)
            #expect(op.op.name == want.op, "operator \(want.index)")
            #expect(op.inputs.map { $0 ?? -1 } == want.inputs, "operator \(want.index)")
            #expect(op.outputs == want.outputs, "operator \(want.index)")
            #expect(Self.options(op.op) == Self.comparable(want.options), "operator \(want.index) \(want.op) options")
        }
    }

    /// The schema module's option fields that the reader decodes, in its naming.
    static func comparable(_ options: [String: Expected.Option]) -> [String: Expected.Option] {
        let kept: Set = ["padding", "strideH", "strideW", "filterHeight", "filterWidth", "fusedActivationFunction",
                         "dilationHFactor", "dilationWFactor", "keepNumDims", "keepDims", "beta", "newShape", "weightsFormat"]
        return options.filter { kept.contains($0.key) }
    }

    static func options(_ op: TFLiteOp) -> [String: Expected.Option] {
        func act(_ a: TFLiteActivation) -> Expected.Option {
            let name: String = switch a { case .none: "NONE"; case .relu: "RELU"; case .relu6: "RELU6" }
            return .string(name)
        }
        func pad(_ p: TFLitePadding) -> Expected.Option { .string(p == .same ? "SAME" : "VALID") }
        switch op {
        case let .conv2D(o):
            return ["padding": pad(o.padding), "strideH": .number(Double(o.strideH)), "strideW": .number(Double(o.strideW)),
                    "fusedActivationFunction": act(o.activation), "dilationHFactor": .number(1), "dilationWFactor": .number(1)]
        case let .maxPool2D(o), let .averagePool2D(o):
            return ["padding": pad(o.padding), "strideH": .number(Double(o.strideH)), "strideW": .number(Double(o.strideW)),
                    "filterHeight": .number(Double(o.filterH)), "filterWidth": .number(Double(o.filterW)),
                    "fusedActivationFunction": act(o.activation)]
        case let .fullyConnected(activation, keepNumDims):
            return ["fusedActivationFunction": act(activation), "keepNumDims": .flag(keepNumDims),
                    "weightsFormat": .number(0)]
        case let .add(activation): return ["fusedActivationFunction": act(activation)]
        case let .mean(keepDims): return ["keepDims": .flag(keepDims)]
        case let .softmax(beta): return ["beta": .number(Double(beta))]
        case let .reshape(newShape): return newShape.map { ["newShape": .list($0)] } ?? [:]
        case .pad, .relu, .relu6, .quantize, .dequantize, .shapeArithmetic: return [:]
        }
    }

    /// What the int8 file is for: per-channel conv and fully-connected weights with their own scales, kept as stored.
    @Test func int8WeightsArePerChannel() throws {
        let (model, _) = try Self.load("small_int8")
        let conv = try #require(model.operators.first { if case .conv2D = $0.op { true } else { false } })
        let filter = model.tensors[try #require(conv.inputs[1])]
        #expect(filter.type == .int8)
        #expect(filter.quantization?.scales.count == filter.shape[0])
        #expect(filter.quantization?.quantizedDimension == 0)
        #expect(filter.int8Values?.count == filter.elementCount)
        let bias = model.tensors[try #require(conv.inputs[2])]
        #expect(bias.type == .int32)
        #expect(bias.quantization?.zeroPoints.allSatisfy { $0 == 0 } == true)
    }
}
