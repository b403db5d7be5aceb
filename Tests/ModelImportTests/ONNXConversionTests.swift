import FloatEngine
import Foundation
import ModelFormat
import SwiftProtobuf
import Testing
@testable import ModelImport

/// ONNX -> float graph on small graphs: the ones Tests/Fixtures/onnx/make_conversion_fixtures.py wrote with
/// onnxruntime's outputs beside them (each part of the layout mapping against the real semantics), and graphs
/// built here with the generated protobuf types for each refusal and its one-line message.
@Suite("ONNX import: mapping on small graphs, refusals")
struct ONNXConversionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/onnx")

    static func graph(_ name: String) throws -> (FloatGraph, [String: Any]) {
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent("convert_\(name).onnx")))
        let data = try Data(contentsOf: directory.appendingPathComponent("convert_\(name).json"))
        let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (try ONNXImport.floatGraph(try ONNXModel(bytes: bytes)), record)
    }

    /// Runs `graph` on the fixture's input (NCHW made NHWC unless the model takes NHWC) and compares with
    /// onnxruntime's output: equal within 1e-5 of the largest |value|.
    static func expectEqualsOnnxRuntime(_ graph: FloatGraph, _ record: [String: Any], _ name: String) throws {
        let shape = record["input_shape"] as! [Int]
        let input = (record["input"] as! [NSNumber]).map { Float($0.doubleValue) }
        var nhwc = input
        if record["input_layout"] as! String == "NCHW" {
            let (c, h, w) = (shape[1], shape[2], shape[3])
            for ci in 0..<c { for y in 0..<h { for x in 0..<w { nhwc[(y * w + x) * c + ci] = input[(ci * h + y) * w + x] } } }
            #expect(graph.tensors[graph.input].shape == [1, h, w, c])
        } else {
            #expect(graph.tensors[graph.input].shape == shape)
        }
        let expected = (record["output"] as! [NSNumber]).map { Float($0.doubleValue) }
        var interpreter = FloatInterpreter(graph: graph)
        let output = try interpreter.run(nhwc)
        try #require(output.count == expected.count, "\(name): \(output.count) outputs, onnxruntime has \(expected.count)")
        let scale = expected.map(abs).max() ?? 1
        let error = zip(output, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(error <= 1e-5 * scale, "\(name): max |difference| \(error), largest |value| \(scale)")
    }

    static func node(_ graph: FloatGraph, _ name: String) throws -> Node {
        try #require(graph.nodes.first { $0.name == name }, "no node '\(name)' in \(graph.nodes.map(\.name))")
    }

    @Test("asymmetric pads, SAME_LOWER, SAME_UPPER, pads of a whole kernel, flatten permutation, Gemm transB/alpha/beta")
    func convPads() throws {
        let (graph, record) = try Self.graph("conv_pads")
        #expect(try Self.node(graph, "conv_asym").op == .conv2D(strideY: 2, strideX: 1, padding: .explicit(top: 1, bottom: 2, left: 0, right: 1)))
        // 5x7 input, 2x2 kernel, strides (1, 2): SAME_LOWER pads 1 on each axis, before (SAME_UPPER would put it after).
        #expect(try Self.node(graph, "conv_same_lower").op == .conv2D(strideY: 1, strideX: 2, padding: .explicit(top: 1, bottom: 0, left: 1, right: 0)))
        #expect(try Self.node(graph, "conv_same_upper").op == .conv2D(strideY: 2, strideX: 1, padding: .same))
        #expect(try Self.node(graph, "conv_big_pads/pad").op == .pad(top: 2, bottom: 1, left: 0, right: 3))
        #expect(try Self.node(graph, "conv_big_pads").op == .conv2D(strideY: 1, strideX: 1, padding: .valid))
        #expect(try Self.node(graph, "conv_valid").op == .conv2D(strideY: 1, strideX: 1, padding: .valid))
        #expect(graph.tensors[try Self.node(graph, "flatten").outputs[0]].shape == [1, 60])
        try Self.expectEqualsOnnxRuntime(graph, record, "conv_pads")
    }

    @Test("MaxPool/AveragePool ceil_mode (torch's last-window rule), asymmetric average pads, MatMul + Add as one Dense")
    func poolsCeil() throws {
        let (graph, record) = try Self.graph("pools_ceil")
        func window(_ name: String) throws -> Window2D? {
            switch try Self.node(graph, name).op {
            case let .maxPool2D(w), let .averagePool2D(w): return w
            default: return nil
            }
        }
        // 12x11, 3x3 stride 2, ceil: 6x5; the last row of windows needs one row of end padding, the columns none.
        #expect(try window("max_ceil")?.padding == .explicit(top: 0, bottom: 1, left: 0, right: 0))
        // 6x5, 2x2 stride 2, pads 1, ceil: H 4 (no extra), W 3 (a 4th window would start in the end padding).
        #expect(try window("max_ceil_pads")?.padding == .explicit(top: 1, bottom: 1, left: 1, right: 1))
        #expect(graph.tensors[try Self.node(graph, "max_ceil_pads").outputs[0]].shape == [1, 4, 3, 3])
        #expect(try window("avg_asym")?.padding == .explicit(top: 0, bottom: 2, left: 1, right: 0))
        #expect(try window("avg_ceil")?.padding == .explicit(top: 0, bottom: 0, left: 0, right: 1))
        #expect(try window("max_same_lower")?.padding == .explicit(top: 1, bottom: 0, left: 1, right: 0))
        let matmul = try Self.node(graph, "matmul")
        #expect(matmul.op == .dense() && matmul.inputs.count == 3, "the Add's constant is the Dense's bias")
        #expect(!graph.nodes.contains { $0.name == "bias" })
        try Self.expectEqualsOnnxRuntime(graph, record, "pools_ceil")
    }

    @Test("Reshape [0, -1] from a Constant node, Gemm transB=0 alpha/beta with a scalar C, Clip(0, 6), Dropout, Identity, Softmax")
    func denseVariants() throws {
        let (graph, record) = try Self.graph("dense_variants")
        #expect(graph.nodes.map(\.op.name) == ["Conv2D", "Flatten", "Dense", "ReLU6", "Dense", "Softmax"])
        #expect(graph.logits != graph.output)
        try Self.expectEqualsOnnxRuntime(graph, record, "dense_variants")
    }

    @Test("BatchNormalization, Clip(0, none), zero Pad, projection Add, ReduceMean (opset 13 axes attribute, keepdims 0)")
    func residual() throws {
        let (graph, record) = try Self.graph("residual")
        #expect(graph.nodes.map(\.op.name) == ["Conv2D", "BatchNormalization", "ReLU", "Pad", "Conv2D", "Conv2D", "Add",
                                               "ReLU", "GlobalAveragePool", "Dense"])
        #expect(try Self.node(graph, "pad").op == .pad(top: 1, bottom: 0, left: 0, right: 1))
        try Self.expectEqualsOnnxRuntime(graph, record, "residual")
    }

    @Test("tf2onnx-style NHWC input: Transposes absorbed, Reshape of NHWC data needs no permutation")
    func nhwcInput() throws {
        let (graph, record) = try Self.graph("nhwc_input")
        #expect(graph.nodes.map(\.op.name) == ["Conv2D", "ReLU", "Flatten", "Dense", "Softmax"])
        try Self.expectEqualsOnnxRuntime(graph, record, "nhwc_input")
    }

    @Test("the onnx-package fixtures: residual_block converts (Identity and Dropout vanish, MatMul + Add is one Dense); small_cnn is refused at its count_include_pad AveragePool")
    func readerFixtures() throws {
        let residual = try ONNXImport.floatGraph(try ONNXModel(bytes: try ONNXFixtureTests.bytes("residual_block")))
        #expect(residual.nodes.map(\.op.name) == ["Conv2D", "BatchNormalization", "Add", "ReLU", "GlobalAveragePool", "Dense"])
        #expect(residual.nodes.last?.inputs.count == 3)
        let small = try ONNXFixtureTests.bytes("small_cnn")
        let pool = try #require(try ONNXModel(bytes: small).nodes.first { $0.name == "/pool2/AveragePool" })
        try expectRefused(small, node: pool.index,
                          "count_include_pad=1 with padding [1, 1, 1, 1] (EdgeQuant's average leaves padding out of the divisor)")
    }

    // MARK: - Refusals

    /// x [1, 2, 6, 6] -> Conv 'conv' (3x3, pads 1) -> Relu 'relu' -> GlobalAveragePool 'gap' -> Flatten 'flatten'
    /// -> Gemm 'fc' (transB) -> y [1, 10]; `edit` changes it before serializing.
    func model(_ edit: (inout Onnx_ModelProto) -> Void = { _ in }) -> [UInt8] {
        let builders = ONNXRejectionTests()
        var m = Onnx_ModelProto()
        m.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        m.opsetImport = [opset]
        m.graph.node = [
            Self.node("Conv", "conv", ["x", "w", "b"], ["c"], [Self.ints("pads", [1, 1, 1, 1]), Self.ints("kernel_shape", [3, 3])]),
            Self.node("Relu", "relu", ["c"], ["r"]),
            Self.node("GlobalAveragePool", "gap", ["r"], ["g"]),
            Self.node("Flatten", "flatten", ["g"], ["f"]),
            Self.node("Gemm", "fc", ["f", "fc.w", "fc.b"], ["y"], [Self.int("transB", 1)]),
        ]
        m.graph.initializer = [
            builders.tensor("w", dims: [3, 2, 3, 3], floats: (0..<54).map { Float($0 % 7) / 7 - 0.4 }),
            builders.tensor("b", dims: [3], floats: [0.1, -0.2, 0.3]),
            builders.tensor("fc.w", dims: [10, 3], floats: (0..<30).map { Float($0 % 5) / 5 - 0.3 }),
            builders.tensor("fc.b", dims: [10], floats: (0..<10).map { Float($0) / 10 }),
        ]
        m.graph.input = [builders.valueInfo("x", [1, 2, 6, 6])]
        m.graph.output = [builders.valueInfo("y", [1, 10])]
        edit(&m)
        return try! m.serializedBytes()
    }

    static func node(_ op: String, _ name: String, _ inputs: [String], _ outputs: [String],
                     _ attributes: [Onnx_AttributeProto] = []) -> Onnx_NodeProto {
        var n = Onnx_NodeProto()
        n.opType = op
        n.name = name
        n.input = inputs
        n.output = outputs
        n.attribute = attributes
        return n
    }

    static func ints(_ name: String, _ values: [Int64]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = values
        return a
    }

    static func int(_ name: String, _ value: Int64) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = value
        return a
    }

    static func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .string
        a.s = Data(value.utf8)
        return a
    }

    static func int64s(_ name: String, _ values: [Int64]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = [Int64(values.count)]
        t.dataType = 7
        t.int64Data = values
        return t
    }

    /// The conversion's error for `bytes` (which must read), or nil when it converts.
    func conversionError(_ bytes: [UInt8]) throws -> ImportError? {
        let model = try ONNXModel(bytes: bytes)
        do {
            _ = try ONNXImport.floatGraph(model)
            return nil
        } catch {
            return error
        }
    }

    /// The label of node `index` as the reader gives it (index, name, op type, byte position).
    func label(_ bytes: [UInt8], _ index: Int) throws -> String {
        try ONNXModel(bytes: bytes).nodes[index].label
    }

    /// Expects `bytes` to be refused as `.unsupported` with "<label of node `index`>: `problem`".
    func expectRefused(_ bytes: [UInt8], node index: Int, _ problem: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = ImportError.unsupported("\(try label(bytes, index)): \(problem)")
        #expect(try conversionError(bytes) == expected, sourceLocation: sourceLocation)
    }

    @Test("the base graph converts and runs")
    func baseConverts() throws {
        let graph = try ONNXImport.floatGraph(try ONNXModel(bytes: model()))
        #expect(graph.nodes.map(\.op.name) == ["Conv2D", "ReLU", "GlobalAveragePool", "Dense"])
        var interpreter = FloatInterpreter(graph: graph)
        #expect(try interpreter.run([Float](repeating: 0.5, count: 72)).count == 10)
    }

    @Test("an unsupported op: one line naming the node, its op type and, through ModelImporter, the file")
    func unsupportedOp() throws {
        let bytes = model { $0.graph.node[1].opType = "Sigmoid" }
        let problem = "op not supported (EdgeQuant converts Conv, BatchNormalization, Relu, Clip, MaxPool, AveragePool, "
            + "GlobalAveragePool, ReduceMean, Add, Flatten, Reshape, Squeeze, Gemm, MatMul, Softmax, Dropout, Identity, "
            + "Pad, Transpose, Constant)"
        try expectRefused(bytes, node: 1, problem)
        #expect(try label(bytes, 1).hasPrefix("node 1 'relu' (Sigmoid) at byte "))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.onnx").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: ModelFileError(path: path, problem: "\(try label(bytes, 1)): \(problem)")) {
            try ModelImporter.floatGraph(path: path)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["m.onnx"])
    }

    @Test("Conv: group, dilations, a weight computed at run time")
    func convRefusals() throws {
        try expectRefused(model { $0.graph.node[0].attribute.append(Self.int("group", 2)) }, node: 0,
                          "group 2 (grouped and depthwise convolutions are not supported)")
        try expectRefused(model { $0.graph.node[0].attribute.append(Self.ints("dilations", [2, 2])) }, node: 0,
                          "dilations [2, 2] (only 1 is supported)")
        try expectRefused(model { $0.graph.node[0].input[1] = "x" }, node: 0,
                          "input 'x' is not a constant (weights computed at run time are not supported)")
    }

    @Test("Gemm transA; Clip other than (0, 6) and (0, none); AveragePool count_include_pad=1 with pads")
    func attributeRefusals() throws {
        try expectRefused(model { $0.graph.node[4].attribute.append(Self.int("transA", 1)) }, node: 4,
                          "transA=1 (the input must not be transposed)")
        let clip = model {
            $0.graph.node[1] = Self.node("Clip", "clip", ["c", "lo", "hi"], ["r"])
            $0.graph.initializer += [ONNXRejectionTests().tensor("lo", dims: [], floats: [-1]),
                                     ONNXRejectionTests().tensor("hi", dims: [], floats: [1])]
        }
        try expectRefused(clip, node: 1, "bounds -1.0 and 1.0 (only 0 and 6, ReLU6, or 0 and none, ReLU, are supported)")
        let average = model {
            $0.graph.node[1] = Self.node("AveragePool", "avg", ["c"], ["r"], [
                Self.ints("kernel_shape", [3, 3]), Self.ints("pads", [1, 1, 1, 1]), Self.int("count_include_pad", 1)])
        }
        try expectRefused(average, node: 1,
                          "count_include_pad=1 with padding [1, 1, 1, 1] (EdgeQuant's average leaves padding out of the divisor)")
        // Without padding count_include_pad changes nothing.
        #expect(try conversionError(model {
            $0.graph.node[1] = Self.node("AveragePool", "avg", ["c"], ["r"], [
                Self.ints("kernel_shape", [3, 3]), Self.int("count_include_pad", 1)])
        }) == nil)
    }

    @Test("shapes EdgeQuant does not keep: Softmax on a map, Reshape to 4-D, ReduceMean over C, a flattened map as output")
    func shapeRefusals() throws {
        let softmax = model { $0.graph.node[1] = Self.node("Softmax", "softmax", ["c"], ["r"]) }
        try expectRefused(softmax, node: 1, "input has ONNX shape [1, 3, 6, 6]: only a softmax over a [1, N] vector is supported")
        let reshape = model {
            $0.graph.node[3] = Self.node("Reshape", "reshape", ["g", "shape"], ["f"])
            $0.graph.initializer.append(Self.int64s("shape", [1, 3, 1, 1]))
        }
        try expectRefused(reshape, node: 3, "Reshape of [1, 3, 1, 1] to [1, 3, 1, 1]: only a flatten to [1, N] is supported")
        let mean = model {
            $0.graph.node[2] = Self.node("ReduceMean", "mean", ["r"], ["g"], [Self.ints("axes", [1])])
        }
        try expectRefused(mean, node: 2, "axes [1]: only the mean over H and W (a global average pool) is supported")
        let flatOutput = model {
            $0.graph.node = [$0.graph.node[0], Self.node("Flatten", "flatten", ["c"], ["y"])]
            $0.graph.output = [ONNXRejectionTests().valueInfo("y", [1, 108])]
        }
        #expect(try conversionError(flatOutput) == .unsupported("graph output 'y' is a flattened NCHW map: its element order "
            + "differs from EdgeQuant's NHWC flatten (end the model in Gemm, MatMul or a global pool)"))
    }

    @Test("Add of a constant not after MatMul, Pad other than zeros on H and W, two inputs, a used MaxPool Indices output")
    func graphRefusals() throws {
        let add = model {
            $0.graph.node[1] = Self.node("Add", "add", ["c", "b"], ["r"])
        }
        try expectRefused(add, node: 1, "adds a constant (EdgeQuant folds a constant Add only as the bias right after a MatMul)")
        let reflect = model {
            $0.graph.node[1] = Self.node("Pad", "pad", ["c", "pads"], ["r"], [Self.string("mode", "reflect")])
            $0.graph.initializer.append(Self.int64s("pads", [0, 0, 1, 1, 0, 0, 1, 1]))
        }
        try expectRefused(reflect, node: 1, "mode 'reflect' (only constant zeros are supported)")
        let channels = model {
            $0.graph.node[1] = Self.node("Pad", "pad", ["c", "pads"], ["r"])
            $0.graph.initializer.append(Self.int64s("pads", [0, 1, 0, 0, 0, 0, 0, 0]))
        }
        try expectRefused(channels, node: 1, "pads [0, 1, 0, 0, 0, 0, 0, 0] pad the batch or channel axis (only H and W are supported)")
        let huge = model { $0.graph.input = [ONNXRejectionTests().valueInfo("x", [1, 2, 1 << 26, 1 << 26])] }
        #expect(try conversionError(huge) == .tooLarge("graph input 'x' has shape [1, 2, 67108864, 67108864], more than 268435456 elements"))
        let twoInputs = model { $0.graph.input.append(ONNXRejectionTests().valueInfo("x2", [1, 2, 6, 6])) }
        #expect(try conversionError(twoInputs) == .unsupported("the graph has 2 inputs; EdgeQuant converts models with one image input"))
        let indices = model {
            $0.graph.node[1] = Self.node("MaxPool", "pool", ["c"], ["r", "idx"], [Self.ints("kernel_shape", [2, 2])])
            $0.graph.node.append(Self.node("Relu", "use_idx", ["idx"], ["z"]))
        }
        try expectRefused(indices, node: 1, "output 'idx' is used (only the first output is supported)")
        let training = model {
            $0.graph.node[1] = Self.node("BatchNormalization", "bn", ["c", "b", "b", "b", "b"], ["r"], [Self.int("training_mode", 1)])
        }
        try expectRefused(training, node: 1, "training_mode=1")
    }
}
