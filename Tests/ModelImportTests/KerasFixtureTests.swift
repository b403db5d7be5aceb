import Foundation
import Testing
import ModelImport

/// Files Keras 3.15.1 wrote (Tests/Fixtures/keras, made by make_fixtures.sh there): the layers, their attributes,
/// inputs and weights the reader returns equal what Keras reported for the same model, recorded in the .json
/// beside each file (weights as shape, sum and FNV-1a 64 of their float32 bytes).
@Suite("Keras files from model.save")
struct KerasFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/keras")

    struct Expected: Decodable {
        struct Weight: Decodable {
            var path: String
            var shape: [Int]
            var sum: Double
            var fnv1a64: String
        }
        struct Config: Decodable {
            var filters: Int?
            var kernel_size: [Int]?
            var strides: [Int]?
            var pool_size: [Int]?
            var padding: Padding?
            var activation: String?
            var use_bias: Bool?
            var epsilon: Double?
            var center: Bool?
            var scale: Bool?
            var max_value: Double?
            var units: Int?
            var target_shape: [Int]?
        }
        enum Padding: Decodable, Equatable {
            case name(String), amounts([[Int]])
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let v = try? c.decode(String.self) { self = .name(v) } else { self = .amounts(try c.decode([[Int]].self)) }
            }
        }
        struct Layer: Decodable {
            var name: String
            var class_name: String
            var inbound: [String]
            var config: Config
            var weights: [Weight]
        }
        var model_class: String
        var input_shape: [Int]
        var layers: [Layer]
    }

    static func expected(_ name: String) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: directory.appendingPathComponent(name + ".json")))
    }

    static func load(_ file: String) throws -> KerasModel {
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(file)))
        return try KerasModel(bytes: bytes)
    }

    static func fnv1a64(_ values: [Float]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in values {
            var bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: &bits) { bytes in
                for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            }
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }

    @Test("Layers, inputs, attributes and weights equal what Keras reports", arguments: [
        ("sequential.keras", "sequential"), ("sequential.h5", "sequential"),
        ("functional.keras", "functional"), ("functional.h5", "functional"),
    ])
    func matchesKeras(file: String, json: String) throws {
        let model = try Self.load(file)
        let expected = try Self.expected(json)
        #expect(model.container == (file.hasSuffix(".keras") ? .kerasZip : .legacyHDF5))
        #expect(model.kind.rawValue == expected.model_class)
        #expect([1] + model.inputShape == expected.input_shape)
        #expect(model.layers.first.map { if case .input = $0.op { true } else { false } } == true)
        #expect(model.output == expected.layers.last?.name)

        // Every layer after its inputs.
        var seen = Set<String>()
        for layer in model.layers {
            for input in layer.inputs { #expect(seen.contains(input), "\(layer.name) before its input \(input)") }
            seen.insert(layer.name)
        }
        // Keras lists a Sequential model's layers without its InputLayer.
        let parsed = model.layers.filter { if case .input = $0.op { false } else { true } }
        let byName = Dictionary(uniqueKeysWithValues: model.layers.map { ($0.name, $0) })
        #expect(Set(parsed.map(\.name)) == Set(expected.layers.filter { $0.class_name != "InputLayer" }.map(\.name)))
        for want in expected.layers {
            let layer = try #require(byName[want.name], "\(want.name) missing")
            #expect(layer.className == want.class_name)
            #expect(layer.inputs == want.inbound, "\(want.name) inputs")
            try Self.checkAttributes(layer, want.config)
            #expect(layer.weights.count == want.weights.count, "\(want.name) weight count")
            for (weight, wanted) in zip(layer.weights, want.weights) {
                #expect(wanted.path.hasSuffix("/" + weight.name), "\(want.name): \(weight.name) vs \(wanted.path)")
                #expect(weight.shape == wanted.shape, "\(want.name)/\(weight.name) shape")
                #expect(Self.fnv1a64(weight.values) == wanted.fnv1a64, "\(want.name)/\(weight.name) values")
                let sum = weight.values.reduce(0.0) { $0 + Double($1) }
                #expect(abs(sum - wanted.sum) <= 1e-9 * max(1, abs(wanted.sum)), "\(want.name)/\(weight.name) sum")
            }
        }
    }

    static func checkAttributes(_ layer: KerasLayer, _ want: Expected.Config) throws {
        func activation(_ a: KerasActivation) -> String { a.rawValue }
        switch layer.op {
        case .conv2D(let conv):
            #expect(conv.filters == want.filters)
            #expect(conv.kernel == want.kernel_size)
            #expect(conv.strides == want.strides)
            #expect(Expected.Padding.name(conv.padding.rawValue) == want.padding)
            #expect(conv.activation.rawValue == want.activation)
            #expect(conv.useBias == want.use_bias)
        case .dense(let units, let act, let useBias):
            #expect(units == want.units)
            #expect(act.rawValue == want.activation)
            #expect(useBias == want.use_bias)
        case .batchNormalization(let epsilon, let center, let scale):
            #expect(Double(epsilon) == Double(Float(want.epsilon ?? -1)))
            #expect(center == want.center)
            #expect(scale == want.scale)
        case .maxPooling2D(let pool), .averagePooling2D(let pool):
            #expect(pool.pool == want.pool_size)
            #expect(pool.strides == want.strides)
            #expect(Expected.Padding.name(pool.padding.rawValue) == want.padding)
        case .zeroPadding2D(let top, let bottom, let left, let right):
            #expect(Expected.Padding.amounts([[top, bottom], [left, right]]) == want.padding)
        case .activation(let a):
            if layer.className == "ReLU" {
                #expect(a == (want.max_value == 6 ? .relu6 : .relu))
            } else {
                #expect(a.rawValue == want.activation)
            }
        case .reshape(let shape):
            #expect(shape == want.target_shape)
        case .input, .globalAveragePooling2D, .add, .flatten, .dropout, .softmax, .rescaling, .normalization:
            break
        }
    }

    @Test("The same model read from .keras and .h5 is the same, apart from the container")
    func kerasEqualsH5() throws {
        for name in ["sequential", "functional"] {
            var zip = try Self.load(name + ".keras")
            let h5 = try Self.load(name + ".h5")
            zip.container = h5.container
            #expect(zip == h5, "\(name)")
        }
    }

    @Test("Reading from a path (the zip in place) equals reading the bytes", arguments: [
        "sequential.keras", "sequential.h5", "functional.keras", "functional.h5",
    ])
    func fromPath(file: String) throws {
        let url = Self.directory.appendingPathComponent(file)
        #expect(try KerasModel(contentsOf: url) == Self.load(file))
        var limits = KerasLimits()
        limits.maxFileBytes = 1000
        let size = try Data(contentsOf: url).count
        #expect(throws: ImportError.tooLarge("file of \(size) bytes, the limit is 1000")) { try KerasModel(contentsOf: url, limits: limits) }
    }

    @Test("Functional: ZeroPadding2D amounts, Add operands, BatchNormalization without beta")
    func functionalDetails() throws {
        let model = try Self.load("functional.keras")
        let byName = Dictionary(uniqueKeysWithValues: model.layers.map { ($0.name, $0) })
        #expect(byName["stem_pad"]?.op == .zeroPadding2D(top: 1, bottom: 0, left: 2, right: 1))
        #expect(byName["add"]?.inputs == ["block_conv2", "short_bn"])
        #expect(byName["short_bn"]?.weights.map(\.name) == ["gamma", "moving_mean", "moving_variance"])
        #expect(byName["block_relu6"]?.op == .activation(.relu6))
        #expect(model.inputShape == [10, 10, 1])
    }
}

extension String {
    func leftPadded(to length: Int) -> String { String(repeating: "0", count: max(0, length - count)) + self }
}
