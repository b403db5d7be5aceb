import Foundation
import Int8Runtime
import ModelFormat
import Quantizer

/// An int8 array in a fixture: a JSON list of numbers, or the base64 of its bytes (the compact form
/// Tools/tflm/make_fixtures.py uses for the larger fixtures).
struct Int8Values: Decodable, Equatable {
    var values: [Int8]

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let list = try? container.decode([Int8].self) {
            values = list
        } else {
            let text = try container.decode(String.self)
            guard let data = Data(base64Encoded: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "neither an int8 list nor base64")
            }
            values = data.map { Int8(bitPattern: $0) }
        }
    }
}

/// TFLite Micro's own arena for a fixture's model (`print_allocations()` with the default interpreter
/// configuration): `head` is what its GreedyMemoryPlanner lays out (activations and any kernel scratch),
/// `tail` the persistent part (tensor and node structs, op data such as per-channel multipliers).
struct TFLMArena: Decodable {
    var head: Int
    var tail: Int
    var total: Int
}

/// A golden case written by Tools/tflm/make_fixtures.py: an int8 graph as TFLite's converter quantized it, and
/// the outputs TFLite Micro's reference kernels computed for seeded inputs.
struct TFLMFixture: Decodable {
    struct TensorInfo: Decodable {
        var name: String
        var shape: [Int]
        var scale: Float
        var zero_point: Int32
    }

    struct OpInfo: Decodable {
        var op: String
        var inputs: [Int]
        var output: Int
        var filter_shape: [Int]?
        var filter: Int8Values?
        var filter_scales: [Float]?
        var bias: [Int32]?
        var stride: [Int]?
        var padding: String?
        var activation: String?
        var filter_size: [Int]?
        var beta: Float?
        /// PAD: [[0, 0], [top, bottom], [left, right], [0, 0]].
        var paddings: [[Int]]?
    }

    struct Case: Decodable {
        var input: Int8Values
        var output: Int8Values
    }

    var name: String
    var tensors: [TensorInfo]
    var input: Int
    var output: Int
    var ops: [OpInfo]
    var cases: [Case]
    var tflm_arena: TFLMArena

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tflm")

    /// The fixture files' names, sorted.
    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
    }

    static func load(_ name: String) throws -> TFLMFixture {
        try load(directory.appendingPathComponent(name))
    }

    static func load(_ url: URL) throws -> TFLMFixture {
        try JSONDecoder().decode(TFLMFixture.self, from: Data(contentsOf: url))
    }

    /// Our int8 program for the fixture's graph: TFLite's quantized weights and parameters as they are,
    /// multipliers and shifts derived from the scales exactly as TFLite Micro's Prepare functions do.
    /// `foldingPads`: each PAD read only by a 'valid' CONV_2D or MAX_POOL_2D becomes that op's explicit padding
    /// (what the converter's foldPads makes of a Pad), instead of our own Pad op.
    func program(foldingPads: Bool = false) throws -> Int8Program {
        var tensors: [Int8Tensor] = []
        for t in self.tensors {
            let (h, w, c) = t.shape.count == 4 ? (t.shape[1], t.shape[2], t.shape[3]) : (1, 1, t.shape.last ?? 1)
            tensors.append(Int8Tensor(name: t.name, height: h, width: w, channels: c,
                                      quantization: ActivationQuantization(scale: t.scale, zeroPoint: t.zero_point)))
        }
        // RESHAPE only renames the same bytes: later ops read its input instead.
        var alias: [Int: Int] = [:]
        func resolve(_ index: Int) -> Int { alias[index] ?? index }
        var layers: [Int8Layer] = []
        /// Folded PADs by output tensor: their input and pads (top, bottom, left, right).
        var folded: [Int: (input: Int, pads: (Int, Int, Int, Int))] = [:]
        for op in ops {
            let pad = folded[op.inputs[0]]
            let x = pad?.input ?? resolve(op.inputs[0])
            let activation = Activation(tflite: op.activation)
            let output = tensors[op.output].quantization
            func window(_ height: Int, _ width: Int, into layer: inout Int8Layer) {
                let stride = op.stride ?? [1, 1]
                var padding: Padding = op.padding == "SAME" ? .same : .valid
                if let p = pad?.pads { padding = .explicit(top: p.0, bottom: p.1, left: p.2, right: p.3) }
                let geometry = Window2D(height: height, width: width, strideY: stride[0], strideX: stride[1], padding: padding)
                    .output(inputHeight: tensors[x].height, inputWidth: tensors[x].width)!
                (layer.kernelHeight, layer.kernelWidth, layer.strideY, layer.strideX) = (height, width, stride[0], stride[1])
                (layer.padTop, layer.padLeft) = (geometry.padTop, geometry.padLeft)
            }
            func requantization(_ layer: inout Int8Layer, channels: Int) {
                let scales = op.filter_scales ?? [1]
                for c in 0..<channels {
                    let scale = scales.count == 1 ? scales[0] : scales[c]
                    let m = QuantizedMultiplier(Double(tensors[x].quantization.scale) * Double(scale) / Double(output.scale))
                    layer.multipliers.append(m.multiplier)
                    layer.shifts.append(m.shift)
                }
                layer.weights = op.filter?.values ?? []
                layer.bias = op.bias
            }
            switch op.op {
            case "PAD":
                let p = op.paddings!
                let readers = ops.filter { $0.inputs.contains(op.output) }
                if foldingPads, op.output != self.output, readers.count == 1,
                   ["CONV_2D", "MAX_POOL_2D"].contains(readers[0].op), readers[0].padding == "VALID" {
                    folded[op.output] = (x, (p[1][0], p[1][1], p[2][0], p[2][1]))
                    continue
                }
                var layer = Int8Layer(name: op.op, opcode: .pad, input: x, output: op.output)
                (layer.padTop, layer.padLeft) = (p[1][0], p[2][0])
                layers.append(layer)
            case "RESHAPE":
                alias[op.output] = x
                continue
            case "CONV_2D":
                var layer = Int8Layer(name: op.op, opcode: .conv2D, input: x, output: op.output)
                let shape = op.filter_shape!
                window(shape[1], shape[2], into: &layer)
                requantization(&layer, channels: shape[0])
                (layer.activationMin, layer.activationMax) = output.clampRange(activation)
                layers.append(layer)
            case "FULLY_CONNECTED":
                var layer = Int8Layer(name: op.op, opcode: .fullyConnected, input: x, output: op.output)
                requantization(&layer, channels: op.filter_shape![0])
                (layer.activationMin, layer.activationMax) = output.clampRange(activation)
                layers.append(layer)
            case "MAX_POOL_2D", "AVERAGE_POOL_2D":
                var layer = Int8Layer(name: op.op, opcode: op.op == "MAX_POOL_2D" ? .maxPool2D : .averagePool2D, input: x, output: op.output)
                window(op.filter_size![0], op.filter_size![1], into: &layer)
                (layer.activationMin, layer.activationMax) = output.clampRange(activation)
                layers.append(layer)
            case "MEAN":
                var layer = Int8Layer(name: op.op, opcode: .mean, input: x, output: op.output)
                let m = meanParameters(tensors[x].quantization.scale, output.scale, count: tensors[x].height * tensors[x].width)
                layer.parameters = [m.multiplier, m.shift, 0, 0, 0]
                layers.append(layer)
            case "ADD":
                let z = resolve(op.inputs[1])
                var layer = Int8Layer(name: op.op, opcode: .add, input: x, output: op.output)
                layer.input2 = z
                layer.parameters = addParameters(tensors[x].quantization.scale, tensors[z].quantization.scale, output.scale)
                (layer.activationMin, layer.activationMax) = output.clampRange(activation)
                layers.append(layer)
            case "SOFTMAX":
                var layer = Int8Layer(name: op.op, opcode: .softmax, input: x, output: op.output)
                guard let p = softmaxParameters(beta: op.beta ?? 1, inputScale: tensors[x].quantization.scale) else {
                    throw FixtureError(message: "\(name): softmax scale out of range")
                }
                layer.parameters = [p.multiplier, p.leftShift, p.diffMin, 0, 0]
                layers.append(layer)
            default:
                throw FixtureError(message: "\(name): op \(op.op) has no int8 form here")
            }
        }
        // Drop the tensors RESHAPE made redundant: a .q8 places every tensor it lists.
        return Int8Program(tensors: tensors, layers: layers, input: input, output: resolve(output), outputIsLogits: false)
            .droppingUnusedTensors()
    }
}

extension Int8Program {
    /// One buffer per activation tensor, alive from the op that writes it to the last op that reads it, and no
    /// kernel scratch: the buffers TFLite Micro's planner places for the same graph (its reference kernels ask
    /// for scratch only in MEAN). Built here rather than taken from the writer so that it stays activations only.
    var activationBuffers: [PlannedBuffer] {
        zip(tensors, lifetimes).map { PlannedBuffer(size: $0.size, first: $1.first, last: max($1.last, $1.first)) }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension Activation {
    init(tflite name: String?) {
        switch name {
        case "RELU": self = .relu
        case "RELU6": self = .relu6
        default: self = .none
        }
    }
}
