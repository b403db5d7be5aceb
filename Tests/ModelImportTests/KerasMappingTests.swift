import FloatEngine
import Foundation
import ModelFormat
import Testing
import ZIPFoundation
@testable import ModelImport

/// The layer -> op mapping on small Keras configurations written here (weights zero unless a test sets them):
/// what each layer becomes, TensorFlow's 'same' padding on odd and even inputs, the input normalization from a
/// Rescaling layer, and one line naming the layer for everything the mapping refuses.
@Suite("Keras layers to float-graph ops")
struct KerasMappingTests {
    static func input(_ shape: [Int]) -> String {
        #"{"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_shape": [null, \#(shape.map(String.init).joined(separator: ", "))]}, "inbound_nodes": []}"#
    }

    static func layer(_ cls: String, _ name: String, _ inputs: [String], _ config: String = "") -> String {
        KerasRejectionTests.layer(cls, name, inputs, config: config)
    }

    static func model(_ shape: [Int], _ layers: [String], output: String = "out") throws -> KerasModel {
        try KerasModel(configJSON: Array(KerasRejectionTests.functional(([input(shape)] + layers).joined(separator: ", "), output: output).utf8))
    }

    static func graph(_ shape: [Int], _ layers: [String], output: String = "out", options: ImportOptions = ImportOptions()) throws -> FloatGraph {
        try KerasImport.floatGraph(zeroWeightsFor: model(shape, layers, output: output), options: options)
    }

    /// The error the mapping gives, or nil when it maps.
    static func refusal(_ shape: [Int], _ layers: [String], output: String = "out") -> ImportError? {
        do { _ = try graph(shape, layers, output: output) } catch let error as ImportError { return error } catch {
            Issue.record("untyped error \(error)")
        }
        return nil
    }

    static func shapes(_ graph: FloatGraph) -> [String: [Int]] {
        Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.name, graph.tensors[$0.outputs[0]].shape) })
    }

    static let conv = #""filters": 1, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same", "use_bias": false"#

    @Test("'same' convolution and pooling: ceil(input / stride) on odd and even inputs", arguments: [5, 6, 7, 8])
    func sameShapes(size: Int) throws {
        let graph = try Self.graph([size, size + 1, 1], [
            Self.layer("Conv2D", "c", ["in"], Self.conv),
            Self.layer("MaxPooling2D", "p", ["c"], #""pool_size": [2, 2], "strides": [2, 2], "padding": "same""#),
            Self.layer("AveragePooling2D", "out", ["p"], #""pool_size": [3, 3], "strides": [1, 1], "padding": "same""#),
        ])
        let c = (size + 1) / 2, w = (size + 2) / 2
        #expect(Self.shapes(graph) == ["c": [1, c, w, 1], "p": [1, (c + 1) / 2, (w + 1) / 2, 1], "out": [1, (c + 1) / 2, (w + 1) / 2, 1]])
        #expect(graph.nodes[0].op == .conv2D(strideY: 2, strideX: 2, padding: .same))
        #expect(graph.nodes[1].op == .maxPool2D(Window2D(height: 2, width: 2, strideY: 2, strideX: 2, padding: .same)))
    }

    /// A 1-filter convolution with every kernel weight 1 (sums of windows) on input 1, 2, 3, ... row-major.
    static func windowSums(size: Int, kernel: Int, stride: Int) throws -> [Float] {
        var model = try Self.model([size, size, 1], [Self.layer("Conv2D", "out", ["in"],
            #""filters": 1, "kernel_size": \#(kernel), "strides": \#(stride), "padding": "same", "use_bias": false"#)])
        model.layers[1].weights = [KerasWeight(name: "kernel", shape: [kernel, kernel, 1, 1], values: [Float](repeating: 1, count: kernel * kernel))]
        model.container = .kerasZip
        var interpreter = FloatInterpreter(graph: try KerasImport.floatGraph(model))
        return try interpreter.run((1...(size * size)).map(Float.init))
    }

    @Test("'same' pads as TensorFlow does: the odd padding row and column go after (bottom, right)")
    func samePadsAfter() throws {
        // 3x3 input, 2x2 kernel, stride 2: one row and one column of padding, all of it after.
        // 1 2 3 / 4 5 6 / 7 8 9 -> [1+2+4+5, 3+6, 7+8, 9]
        #expect(try Self.windowSums(size: 3, kernel: 2, stride: 2) == [12, 9, 15, 9])
        // 4x4 input (even), 3x3 kernel, stride 2: total padding 1, after: first window is rows 0-2, columns 0-2.
        // 1..16 row-major: window (0,0) = 1+2+3+5+6+7+9+10+11 = 54; (0,1) = columns 2-3 = 3+4+7+8+11+12 = 45;
        // (1,0) = rows 2-3, columns 0-2 = 9+10+11+13+14+15 = 72; (1,1) = 11+12+15+16 = 54.
        #expect(try Self.windowSums(size: 4, kernel: 3, stride: 2) == [54, 45, 72, 54])
        // 5x5 (odd), 3x3, stride 1: padding 1 on each side, as symmetric as 'same' gets.
        let sums = try Self.windowSums(size: 5, kernel: 3, stride: 1)
        try #require(sums.count == 25)
        #expect(sums[0] == 1 + 2 + 6 + 7)
        #expect(sums[24] == 19 + 20 + 24 + 25)
    }

    @Test("Layers that map to ops, to nothing, or to several")
    func mapping() throws {
        let graph = try Self.graph([4, 4, 2], [
            Self.layer("ZeroPadding2D", "pad", ["in"], #""padding": [[1, 0], [2, 1]]"#),
            Self.layer("Conv2D", "conv", ["pad"], #""filters": 3, "kernel_size": [2, 3], "strides": [1, 2], "padding": "valid", "activation": "relu6""#),
            Self.layer("BatchNormalization", "bn", ["conv"], #""axis": -1, "epsilon": 0.01, "center": false, "scale": false"#),
            Self.layer("ReLU", "r6", ["bn"], #""max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0"#),
            Self.layer("Activation", "lin", ["r6"], #""activation": "linear""#),
            Self.layer("Add", "sum3", ["lin", "conv", "bn"]),
            Self.layer("GlobalAveragePooling2D", "gap", ["sum3"], #""keepdims": true"#),
            Self.layer("Reshape", "flat", ["gap"], #""target_shape": [-1]"#),
            Self.layer("Dropout", "drop", ["flat"], #""rate": 0.25"#),
            Self.layer("Dense", "out", ["drop"], #""units": 5, "activation": "softmax", "use_bias": false"#),
        ])
        #expect(graph.nodes.map(\.name) == ["pad", "conv", "bn", "r6", "sum3/add1", "sum3", "gap", "flat", "drop", "out", "out/softmax"])
        #expect(graph.nodes.map(\.op) == [
            .pad(top: 1, bottom: 0, left: 2, right: 1),
            .conv2D(strideY: 1, strideX: 2, padding: .valid, activation: .relu6),
            .batchNormalization(epsilon: 0.01), .relu6, .add(), .add(), .globalAveragePool, .flatten, .dropout(rate: 0.25),
            .dense(), .softmax,
        ])
        #expect(Self.shapes(graph)["pad"] == [1, 5, 7, 2])
        #expect(Self.shapes(graph)["conv"] == [1, 4, 3, 3])
        // Linear Activation maps to nothing: the Add reads the ReLU6 output.
        #expect(graph.nodes[4].inputs.map { graph.tensors[$0].name } == ["r6:0", "conv:0"])
        #expect(graph.nodes[5].inputs.map { graph.tensors[$0].name } == ["sum3/add1:0", "bn:0"])
        // center/scale false: beta zeros, gamma ones.
        let bn = graph.nodes[2]
        #expect(graph.tensors[bn.inputs[1]].data == [1, 1, 1])
        #expect(graph.tensors[bn.inputs[2]].data == [0, 0, 0])
        #expect(graph.tensors[graph.logits].name == "out:0")
        #expect(graph.tensors[graph.output].shape == [1, 5])

        let flat = try Self.graph([3, 3, 4], [
            Self.layer("GlobalAveragePooling2D", "gap", ["in"], #""keepdims": true"#),
            Self.layer("Flatten", "out", ["gap"]),
        ])
        #expect(flat.nodes.map(\.op) == [.globalAveragePool, .flatten])
        let reshape = try Self.graph([3, 3, 4], [Self.layer("Reshape", "out", ["in"], #""target_shape": [36]"#)])
        #expect(reshape.nodes.map(\.op) == [.flatten])
    }

    @Test("Rescaling after the input becomes the input normalization, composed with --input-normalization")
    func rescaling() throws {
        let rest = [Self.layer("Flatten", "out", ["scale"])]
        func normalization(_ config: String, _ option: InputNormalization? = nil) throws -> InputNormalization {
            let graph = try Self.graph([4, 4, 1], [Self.layer("Rescaling", "scale", ["in"], config)] + rest,
                                       options: ImportOptions(inputNormalization: option))
            #expect(graph.nodes.map(\.op) == [.flatten], "Rescaling maps to no op")
            #expect(graph.nodes.first.map { $0.inputs == [graph.input] } == true)
            return graph.inputNormalization
        }
        // Rescaling(1/255): the model takes pixels 0...255, which is pixel / 255 after the rescaling.
        #expect(try normalization(#""scale": 0.00392156862745098, "offset": 0.0"#) == .identity)
        // Rescaling(1/127.5, offset -1): pixel / 127.5 - 1 = (pixel / 255 - 0.5) / 0.5.
        let symmetric = try normalization(#""scale": 0.00784313725490196, "offset": -1.0"#)
        #expect(abs(symmetric.mean - 0.5) < 1e-6 && abs(symmetric.std - 0.5) < 1e-6, "\(symmetric)")
        // With the option the model's input is (pixel / 255 - 0.1307) / 0.3081, then scaled by 2.
        let composed = try normalization(#""scale": 2.0"#, InputNormalization(mean: 0.1307, std: 0.3081))
        #expect(composed == InputNormalization(mean: 0.1307, std: 0.3081 / 2))
        // No Rescaling: the option as given.
        let plain = try Self.graph([4, 4, 1], [Self.layer("Flatten", "out", ["in"])],
                                   options: ImportOptions(inputNormalization: InputNormalization(mean: 0.1307, std: 0.3081)))
        #expect(plain.inputNormalization == InputNormalization(mean: 0.1307, std: 0.3081))
    }

    @Test("Every layer, attribute and position the mapping refuses names the layer and its class")
    func refusals() {
        let conv = #""filters": 2, "kernel_size": 1, "padding": "valid""#
        #expect(Self.refusal([4, 4, 1], [Self.layer("Dense", "out", ["in"], #""units": 3"#)])
                == .unsupported("layer 'out' (Dense): Dense on a [4, 4, 1] input (Keras applies it along the last axis): only on a vector, after Flatten or GlobalAveragePooling2D"))
        #expect(Self.refusal([4, 4, 1], [Self.layer("Conv2D", "out", ["in"], conv + #", "activation": "softmax""#)])
                == .unsupported("layer 'out' (Conv2D): activation 'softmax' over the channels of a feature map (only over a vector)"))
        #expect(Self.refusal([4, 4, 1], [Self.layer("Activation", "out", ["in"], #""activation": "softmax""#)])
                == .unsupported("layer 'out' (Activation): softmax over the channels of a [4, 4, 1] feature map (only over a vector)"))
        #expect(Self.refusal([4, 4, 1], [Self.layer("Softmax", "out", ["in"])])
                == .unsupported("layer 'out' (Softmax): softmax over the channels of a [4, 4, 1] feature map (only over a vector)"))
        #expect(Self.refusal([4, 4, 1], [Self.layer("Reshape", "out", ["in"], #""target_shape": [2, 8]"#)])
                == .unsupported("layer 'out' (Reshape): target_shape [2, 8] from [4, 4, 1] (only a flatten, to [16] or [-1])"))
        #expect(Self.refusal([4, 4, 1], [Self.layer("Reshape", "out", ["in"], #""target_shape": [17]"#)])
                == .unsupported("layer 'out' (Reshape): target_shape [17] from [4, 4, 1] (only a flatten, to [16] or [-1])"))
        #expect(Self.refusal([4, 4, 3], [Self.layer("GlobalAveragePooling2D", "gap", ["in"], #""keepdims": true"#),
                                         Self.layer("Dense", "out", ["gap"], #""units": 3"#)])
                == .unsupported("layer 'out' (Dense): reads the [1, 1, C] output of GlobalAveragePooling2D 'gap' (keepdims=True): only Flatten or Reshape may follow it"))
        #expect(Self.refusal([4, 4, 1], [Self.layer("Flatten", "f", ["in"]), Self.layer("MaxPooling2D", "out", ["f"], #""pool_size": 2, "padding": "valid""#)])
                == .unsupported("layer 'out' (MaxPooling2D): a [16] input (only a feature map [height, width, channels])"))
        #expect(Self.refusal([4, 4, 1], [Self.layer("Flatten", "f", ["in"]), Self.layer("ZeroPadding2D", "out", ["f"], #""padding": 1"#)])
                == .unsupported("layer 'out' (ZeroPadding2D): a [16] input (only a feature map [height, width, channels])"))
        // Rescaling anywhere but right after the input, or beside another reader of the input.
        #expect(Self.refusal([4, 4, 1], [Self.layer("ReLU", "r", ["in"]), Self.layer("Rescaling", "out", ["r"], #""scale": 2.0"#)])
                == .unsupported("layer 'out' (Rescaling): only supported right after the input (where it becomes the input normalization)"))
        #expect(Self.refusal([4, 4, 1], [Self.layer("Rescaling", "s", ["in"], #""scale": 2.0"#), Self.layer("ReLU", "r", ["in"]),
                                         Self.layer("Add", "out", ["s", "r"])])
                == .unsupported("layer 's' (Rescaling): only supported right after the input (where it becomes the input normalization)"))
        #expect(Self.refusal([4, 4, 2], [Self.layer("Normalization", "n", ["in"], #""axis": -1, "mean": [0.1, 0.2], "variance": [1.0, 1.0]"#),
                                         Self.layer("Flatten", "out", ["n"])])
                == .unsupported("layer 'n' (Normalization): per-channel mean [0.1, 0.2] and variance [1.0, 1.0] (the input normalization is one mean and one std for all channels)"))
        #expect(Self.refusal([4, 4, 2], [Self.layer("Normalization", "n", ["in"], #""axis": -1, "mean": [0.1, 0.1, 0.1], "variance": [1, 1, 1]"#),
                                         Self.layer("Flatten", "out", ["n"])])
                == .malformed("layer 'n' (Normalization): 3 means and 3 variances for 2 channels"))
        #expect(Self.refusal([4, 4, 1], [Self.layer("Flatten", "f", ["in"]), Self.layer("Normalization", "out", ["f"], #""axis": -1, "mean": 0.5, "variance": 0.25"#)])
                == .unsupported("layer 'out' (Normalization): only supported right after the input (where it becomes the input normalization)"))
        // Input shapes other than an image, a model that computes nothing.
        #expect(Self.refusal([16], [Self.layer("Dense", "out", ["in"], #""units": 3"#)])
                == .unsupported("the model input has shape [16]: only images [height, width, channels] are supported"))
        #expect(Self.refusal([4, 4, 1], [Self.layer("Activation", "out", ["in"], #""activation": "linear""#)])
                == .unsupported("the model's output 'out' is its input: the model computes nothing"))
        // Shapes that do not fit: the layer is named.
        #expect(Self.refusal([2, 2, 1], [Self.layer("Conv2D", "out", ["in"], #""filters": 2, "kernel_size": 3, "padding": "valid""#)])
                == .malformed("layer 'out' (Conv2D): node 'out': a 3x3 kernel does not fit the 2x2 input"))
    }

    @Test("Attributes the reader refuses before the mapping: one line naming the layer")
    func readerRefusals() {
        func one(_ cls: String, _ config: String) -> ImportError? { Self.refusal([4, 4, 1], [Self.layer(cls, "out", ["in"], config)]) }
        #expect(one("ReLU", #""threshold": 0.5"#) == .unsupported("config.json: layer 'out' (ReLU): threshold 0.5 (only 0 is supported)"))
        #expect(one("MaxPooling2D", #""pool_size": 2, "padding": "valid", "data_format": "channels_first""#)
                == .unsupported("config.json: layer 'out' (MaxPooling2D): data_format 'channels_first' (only channels_last)"))
        #expect(one("Dense", #""units": 3, "activation": "sigmoid""#) == .unsupported("config.json: layer 'out' (Dense): activation 'sigmoid' (linear, relu, relu6 or softmax)"))
        #expect(one("Rescaling", #""scale": [0.5, 0.25, 1.0]"#) == .unsupported("config.json: layer 'out' (Rescaling): scale [0.5, 0.25, 1] (one number; per-channel scales are not supported)"))
        #expect(one("Rescaling", #""scale": -1.0"#) == .unsupported("config.json: layer 'out' (Rescaling): scale -1.0 (only a positive scale)"))
        #expect(one("Normalization", #""invert": true"#) == .unsupported("config.json: layer 'out' (Normalization): invert=True (only the forward normalization)"))
        #expect(one("Normalization", #""axis": null"#) == .unsupported("config.json: layer 'out' (Normalization): axis null (only the channel axis, -1)"))
        #expect(one("Normalization", #""axis": [-1], "mean": 0.5"#)
                == .malformed("config.json: layer 'out' (Normalization): mean 0.5 and variance null are not given together, one value each per channel"))
        #expect(one("Normalization", #""axis": [-1], "mean": 0.5, "variance": -1"#)
                == .malformed("config.json: layer 'out' (Normalization): variance -1 has negative values"))
        #expect(one("Normalization", #""axis": [-1], "mean": "a", "variance": 1"#)
                == .malformed("config.json: layer 'out' (Normalization): mean 'a' is not a number or a list of numbers"))
        #expect(one("Dropout", #""rate": 1.5"#) == .malformed("config.json: layer 'out' (Dropout): rate 1.5 is not in [0, 1)"))
        #expect(one("DepthwiseConv2D", #""kernel_size": 3"#) == .unsupported("config.json: layer 'out' (DepthwiseConv2D): layer class 'DepthwiseConv2D' is not supported"))
    }

    @Test("Through ModelImporter: one line naming the file, the layer and its class; Keras files are detected by content")
    func importerMessages() throws {
        let keras = try KerasRejectionTests.fixture("../import/keras_convnet.keras")
        var parts = try KerasRejectionTests.entries(of: keras)
        let index = try #require(parts.firstIndex { $0.0 == "config.json" })
        // conv2d_1 (the second Conv2D) gets activation='softmax', which Keras computes over the channels.
        var config = try #require(JSONSerialization.jsonObject(with: Data(parts[index].1)) as? [String: Any])
        var model = try #require(config["config"] as? [String: Any])
        var layers = try #require(model["layers"] as? [[String: Any]])
        let conv = try #require(layers.firstIndex { ($0["config"] as? [String: Any])?["name"] as? String == "conv2d_1" })
        var layerConfig = try #require(layers[conv]["config"] as? [String: Any])
        layerConfig["activation"] = "softmax"
        layers[conv]["config"] = layerConfig
        model["layers"] = layers
        config["config"] = model
        parts[index].1 = [UInt8](try JSONSerialization.data(withJSONObject: config))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keras-mapping-\(UUID().uuidString).bin").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(KerasRejectionTests.zip(parts)).write(to: URL(fileURLWithPath: path))
        #expect(throws: ModelFileError(path: path, problem: "layer 'conv2d_1' (Conv2D): activation 'softmax' over the channels of a feature map (only over a vector)")) {
            try ModelImporter.floatGraph(path: path)
        }
    }
}
