import CHDF5
import Foundation
import TestSupport
import ZIPFoundation

/// The seed tutorial's ResNet50 as Keras 3 saves it (`model.save("resnet50.keras")`), generated from a seed
/// instead of committed (94 MB): keras.applications' ResNet50 layers (keras/src/applications/resnet.py: a
/// ZeroPadding2D 3 + 7x7 stride-2 Conv2D stem with BatchNormalization and ReLU, ZeroPadding2D 1 + 3x3 stride-2
/// MaxPooling2D, then 3, 4, 6 and 3 bottleneck blocks of 64, 128, 256 and 512 filters, the first of each stack with
/// a 1x1 projection shortcut and, past the first stack, stride 2; every Conv2D with a bias, BatchNormalization
/// epsilon 1.001e-5) on the MNIST tutorial's 28x28x1 input, then GlobalAveragePooling2D and Dense 10 softmax:
/// 23,601,930 parameters, 177 layers. The config JSON is written here in Swift the way Keras 3.15 writes it
/// (the keys the fixtures' config.json have), the weights with libhdf5 as model.weights.h5
/// (layers/<class-based group>/vars/<i>, the layer's name in the vars group's `name` attribute), both zipped
/// with ZIPFoundation. Weights: a seeded SplitMix64; convolutions and Dense uniform in +-sqrt(6 / fan_in) (He
/// uniform), BatchNormalization gamma and variance in [0.5, 1.5], beta and mean in [-0.1, 0.1].
enum ResNet50Keras {
    static let parameterCount = 23_601_930
    static let layerCount = 177

    struct Layer {
        var name: String
        var className: String
        var config: [String: Any]
        var inbound: [String]
        /// Shapes of the layer's weights, in Keras's order (kernel, bias; gamma, beta, moving mean, variance).
        var weights: [[Int]] = []
        /// Output shape without the batch dimension.
        var shape: [Int]
    }

    static func layers(input: [Int] = [28, 28, 1], classes: Int = 10) -> [Layer] {
        var layers: [Layer] = []
        func add(_ name: String, _ className: String, _ config: [String: Any], _ inbound: [String], _ shape: [Int],
                 weights: [[Int]] = []) -> String {
            layers.append(Layer(name: name, className: className, config: config, inbound: inbound, weights: weights, shape: shape))
            return name
        }
        func shape(_ name: String) -> [Int] { layers.first { $0.name == name }!.shape }
        func conv(_ x: String, _ filters: Int, _ kernel: Int, stride: Int = 1, same: Bool = false, name: String) -> String {
            let s = shape(x)
            let (h, w) = same ? ((s[0] + stride - 1) / stride, (s[1] + stride - 1) / stride)
                : ((s[0] - kernel) / stride + 1, (s[1] - kernel) / stride + 1)
            return add(name, "Conv2D", ["filters": filters, "kernel_size": [kernel, kernel], "strides": [stride, stride],
                                        "padding": same ? "same" : "valid", "data_format": "channels_last",
                                        "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": true],
                       [x], [h, w, filters], weights: [[kernel, kernel, s[2], filters], [filters]])
        }
        func bn(_ x: String, name: String) -> String {
            let c = shape(x)[2]
            return add(name, "BatchNormalization", ["axis": 3, "momentum": 0.99, "epsilon": 1.001e-5, "center": true,
                                                    "scale": true], [x], shape(x), weights: [[c], [c], [c], [c]])
        }
        func relu(_ x: String, name: String) -> String {
            add(name, "Activation", ["activation": "relu"], [x], shape(x))
        }
        func pad(_ x: String, _ p: Int, name: String) -> String {
            let s = shape(x)
            return add(name, "ZeroPadding2D", ["padding": [[p, p], [p, p]], "data_format": "channels_last"], [x],
                       [s[0] + 2 * p, s[1] + 2 * p, s[2]])
        }
        func block(_ x: String, _ filters: Int, stride: Int, projection: Bool, name: String) -> String {
            var shortcut = x
            if projection {
                shortcut = bn(conv(x, 4 * filters, 1, stride: stride, name: "\(name)_0_conv"), name: "\(name)_0_bn")
            }
            var y = relu(bn(conv(x, filters, 1, stride: stride, name: "\(name)_1_conv"), name: "\(name)_1_bn"), name: "\(name)_1_relu")
            y = relu(bn(conv(y, filters, 3, same: true, name: "\(name)_2_conv"), name: "\(name)_2_bn"), name: "\(name)_2_relu")
            y = bn(conv(y, 4 * filters, 1, name: "\(name)_3_conv"), name: "\(name)_3_bn")
            let sum = add("\(name)_add", "Add", [:], [shortcut, y], shape(y))
            return relu(sum, name: "\(name)_out")
        }
        var x = add("input_layer", "InputLayer", ["batch_shape": [NSNull()] + input.map { $0 as Any }, "dtype": "float32",
                                                   "sparse": false, "ragged": false], [], input)
        x = pad(x, 3, name: "conv1_pad")
        x = relu(bn(conv(x, 64, 7, stride: 2, name: "conv1_conv"), name: "conv1_bn"), name: "conv1_relu")
        x = pad(x, 1, name: "pool1_pad")
        let s = shape(x)
        x = add("pool1_pool", "MaxPooling2D", ["pool_size": [3, 3], "padding": "valid", "strides": [2, 2],
                                               "data_format": "channels_last"], [x], [(s[0] - 3) / 2 + 1, (s[1] - 3) / 2 + 1, s[2]])
        for (stage, (filters, blocks)) in [(64, 3), (128, 4), (256, 6), (512, 3)].enumerated() {
            for b in 1...blocks {
                x = block(x, filters, stride: b == 1 && stage > 0 ? 2 : 1, projection: b == 1, name: "conv\(stage + 2)_block\(b)")
            }
        }
        x = add("avg_pool", "GlobalAveragePooling2D", ["data_format": "channels_last", "keepdims": false], [x], [shape(x)[2]])
        _ = add("predictions", "Dense", ["units": classes, "activation": "softmax", "use_bias": true], [x], [classes],
                weights: [[shape(x)[0], classes], [classes]])
        return layers
    }

    /// config.json as Keras 3 writes a Functional model.
    static func configJSON(_ layers: [Layer]) throws -> Data {
        let dtype: [String: Any] = ["module": "keras", "class_name": "DTypePolicy", "config": ["name": "float32"],
                                    "registered_name": NSNull()]
        let entries: [[String: Any]] = layers.map { layer in
            var config = layer.config
            config["name"] = layer.name
            config["trainable"] = true
            if layer.className != "InputLayer" { config["dtype"] = dtype }
            let inbound: [[String: Any]] = layer.inbound.isEmpty ? [] : [[
                "args": [layer.inbound.count == 1 ? tensor(layer.inbound[0], layers) as Any : layer.inbound.map { tensor($0, layers) } as Any],
                "kwargs": [String: Any](),
            ]]
            return ["module": "keras.layers", "class_name": layer.className, "config": config, "registered_name": NSNull(),
                    "name": layer.name, "inbound_nodes": inbound]
        }
        let root: [String: Any] = [
            "module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
            "config": ["name": "resnet50", "trainable": true, "layers": entries,
                       "input_layers": [layers[0].name, 0, 0], "output_layers": [layers[layers.count - 1].name, 0, 0]],
        ]
        return try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
    }

    private static func tensor(_ name: String, _ layers: [Layer]) -> [String: Any] {
        let shape = layers.first { $0.name == name }!.shape
        return ["class_name": "__keras_tensor__",
                "config": ["shape": [NSNull()] + shape.map { $0 as Any }, "dtype": "float32", "keras_history": [name, 0, 0]]]
    }

    /// The values of weight `index` of `layer` for `seed` (each weight from its own stream, so that a test can
    /// regenerate any one of them).
    static func values(_ layer: Layer, weight index: Int, seed: UInt64) -> [Float] {
        let shape = layer.weights[index]
        let count = shape.reduce(1, *)
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in "\(layer.name)/\(index)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var generator = SeededRandom(seed: seed ^ hash)  // the same seed gives the same weights on every machine
        let (low, high): (Float, Float)
        switch (layer.className, index) {
        case ("BatchNormalization", 0), ("BatchNormalization", 3): (low, high) = (0.5, 1.5)
        case ("BatchNormalization", _), (_, 1): (low, high) = (-0.1, 0.1)
        default:
            let limit = (6 / Float(shape.dropLast().reduce(1, *))).squareRoot()
            (low, high) = (-limit, limit)
        }
        return (0..<count).map { _ in generator.uniform(low, high) }
    }

    struct WriteError: Error, CustomStringConvertible { var description: String }

    /// model.weights.h5 at `url`, as Keras 3 lays it out.
    static func writeWeights(_ layers: [Layer], seed: UInt64, to url: URL) throws {
        var status = chdf5_status()
        let file = chdf5_create_file(url.path, &status)
        func check(_ code: CInt) throws {
            guard code == 0 else {
                let message = withUnsafeBytes(of: status.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                throw WriteError(description: "\(url.path): \(message)")
            }
        }
        guard file > 0 else { try check(1); return }
        defer { chdf5_close(file) }
        try check(chdf5_create_group(file, "layers", &status))
        var used: [String: Int] = [:]
        for layer in layers {
            // Keras names each layer's group after its class in snake case: conv2d, conv2d_1, ...
            let base = snakeCase(layer.className)
            let n = used[base, default: 0]
            used[base] = n + 1
            let group = "layers/\(n == 0 ? base : "\(base)_\(n)")"
            try check(chdf5_create_group(file, group, &status))
            try check(chdf5_create_group(file, "\(group)/vars", &status))
            try check(chdf5_write_string_attribute(file, "\(group)/vars", "name", layer.name, &status))
            for index in layer.weights.indices {
                let dims = layer.weights[index].map { UInt64($0) }
                let values = values(layer, weight: index, seed: seed)
                try check(chdf5_write_float32(file, "\(group)/vars/\(index)", CInt(dims.count), dims, values, &status))
            }
        }
        try check(chdf5_create_group(file, "vars", &status))
        try check(chdf5_write_string_attribute(file, "vars", "name", "resnet50", &status))
    }

    static func snakeCase(_ name: String) -> String {
        switch name {
        case "Conv2D": return "conv2d"
        case "MaxPooling2D": return "max_pooling2d"
        case "GlobalAveragePooling2D": return "global_average_pooling2d"
        case "ZeroPadding2D": return "zero_padding2d"
        default:
            var out = ""
            for (i, c) in name.enumerated() {
                if c.isUppercase && i > 0 { out += "_" }
                out += c.lowercased()
            }
            return out
        }
    }

    /// Writes resnet50.keras (config.json, metadata.json, model.weights.h5) at `url` for `seed`.
    static func writeKeras(to url: URL, seed: UInt64) throws {
        let layers = layers()
        let folder = url.deletingLastPathComponent().appendingPathComponent(".resnet50-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = folder.appendingPathComponent("model.weights.h5")
        try writeWeights(layers, seed: seed, to: weights)
        try configJSON(layers).write(to: folder.appendingPathComponent("config.json"))
        try Data(#"{"keras_version": "3.15.1", "date_saved": "2026-11-29@00:00:00"}"#.utf8)
            .write(to: folder.appendingPathComponent("metadata.json"))
        try? FileManager.default.removeItem(at: url)
        let archive = try Archive(url: url, accessMode: .create)
        for name in ["metadata.json", "config.json", "model.weights.h5"] {
            try archive.addEntry(with: name, relativeTo: folder, compressionMethod: .none)
        }
    }
}

extension SeededRandom {
    /// Uniform in [low, high).
    mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * Float(next() >> 40) / Float(1 << 24)
    }
}
