import Foundation
import Testing
@testable import ModelImport

/// Files the onnx package wrote (Tests/Fixtures/onnx, made by make_onnx_fixtures.sh there): everything the reader
/// returns equals what the onnx package reports for the same bytes, recorded in the .json beside each file.
@Suite("ONNX files from the onnx package")
struct ONNXFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/onnx")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name + ".onnx")))
    }

    static func expected(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name + ".json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func dimensions(_ json: Any?) -> [ONNXDimension] {
        ((json as? [Any]) ?? []).map { d -> ONNXDimension in
            if let s = d as? String { return .param(s) }
            if let n = d as? Int { return .value(n) }
            return .unknown
        }
    }

    func valueInfos(_ json: Any?) -> [ONNXValueInfo] {
        ((json as? [[String: Any]]) ?? []).map {
            ONNXValueInfo(name: $0["name"] as! String, elementType: $0["elem_type"] as! Int, shape: dimensions($0["shape"]))
        }
    }

    func tensorValues(_ json: Any?, like values: ONNXTensor.Values) -> ONNXTensor.Values {
        let numbers = (json as? [NSNumber]) ?? []
        switch values {
        case .float: return .float(numbers.map { Float($0.doubleValue) })
        case .int64: return .int64(numbers.map { $0.int64Value })
        }
    }

    /// The onnx package's view of one attribute, in the reader's terms (lists take the reader's element type).
    /// A node's name, op type, inputs, outputs and attributes against what the onnx package reported for it.
    func expect(_ node: ONNXNode, matches expected: [String: Any]) {
        #expect(node.name == expected["name"] as! String)
        #expect(node.opType == expected["op_type"] as! String)
        #expect(node.inputs == expected["inputs"] as! [String])
        #expect(node.outputs == expected["outputs"] as! [String])
        let attributes = expected["attributes"] as! [String: [String: Any]]
        #expect(Set(node.attributes.map(\.name)) == Set(attributes.keys), "\(node.label)")
        for (name, value) in node.attributes {
            #expect(attribute(attributes[name] ?? [:], like: value) == value, "\(node.label) \(name)")
        }
    }

    func attribute(_ json: [String: Any], like value: ONNXAttributeValue) -> ONNXAttributeValue? {
        if let v = json["int"] as? NSNumber { return .int(v.int64Value) }
        if let v = json["float"] as? NSNumber { return .float(Float(v.doubleValue)) }
        if let v = json["string"] as? String { return .string(v) }
        if let list = json["list"] as? [Any] {
            switch value {
            case .floats: return .floats(list.map { Float(($0 as! NSNumber).doubleValue) })
            case .strings: return .strings(list.map { $0 as! String })
            default: return .ints(list.map { ($0 as! NSNumber).int64Value })
            }
        }
        if let t = json["tensor"] as? [String: Any], case .tensor(let mine) = value {
            return .tensor(ONNXTensor(name: t["name"] as! String, dims: t["dims"] as! [Int],
                                      values: tensorValues(t["values"], like: mine.values)))
        }
        return nil
    }

    @Test("the reader sees what the onnx package sees", arguments: ["small_cnn", "residual_block"])
    func matchesOnnxPackage(name: String) throws {
        let bytes = try Self.bytes(name)
        let model = try ONNXModel(bytes: bytes)
        let json = try Self.expected(name)
        #expect(model.irVersion == Int64(json["ir_version"] as! Int))
        #expect(model.opsetVersion == json["opset"] as! Int)
        #expect(model.producerName == json["producer_name"] as! String)
        #expect(model.inputs == valueInfos(json["inputs"]))
        #expect(model.outputs == valueInfos(json["outputs"]))

        let nodes = json["nodes"] as! [[String: Any]]
        try #require(model.nodes.count == nodes.count)
        for (node, expected) in zip(model.nodes, nodes) {
            expect(node, matches: expected)
            // The recorded position is where the node's protobuf field starts: GraphProto field 1, wire type 2.
            #expect(bytes[node.fileOffset] == 0x0A)
        }

        let initializers = json["initializers"] as! [[String: Any]]
        try #require(model.initializers.count == initializers.count)
        for (tensor, expected) in zip(model.initializers, initializers) {
            #expect(tensor.name == expected["name"] as! String)
            #expect(tensor.dims == expected["dims"] as! [Int])
            #expect(tensor.values == tensorValues(expected["values"], like: tensor.values), "\(tensor.name)")
            #expect((expected["data_type"] as! Int) == (tensor.floats != nil ? 1 : 7))
            #expect(tensor.elementCount == (expected["values"] as! [Any]).count)
        }
    }

    @Test("typed attributes: pads, strides, ceil_mode, auto_pad, count_include_pad, Gemm, Clip, axis")
    func typedAttributes() throws {
        let model = try ONNXModel(bytes: try Self.bytes("small_cnn"))
        func node(_ name: String) throws -> ONNXNode { try #require(model.nodes.first { $0.name == name }) }

        let conv1 = try node("/conv1/Conv").window(spatialRank: 2)
        #expect(conv1 == ONNXWindow(kernelShape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1],
                                    autoPad: .notSet, ceilMode: false, countIncludePad: false, group: 1))
        let conv2 = try node("/conv2/Conv").window(spatialRank: 2)
        #expect(conv2.pads == [0, 0, 1, 1] && conv2.strides == [2, 2] && conv2.dilations == [1, 1])
        #expect(try node("/pool1/MaxPool").window(spatialRank: 2).ceilMode)
        let average = try node("/pool2/AveragePool").window(spatialRank: 2)
        #expect(average.countIncludePad && average.pads == [1, 1, 1, 1] && !average.ceilMode)
        let same = try node("/pool3/MaxPool").window(spatialRank: 2)
        #expect(same.autoPad == .sameUpper && same.pads == [0, 0, 0, 0])
        #expect(try node("/fc/Gemm").gemm() == ONNXGemm(alpha: 0.5, beta: 2, transA: false, transB: true))
        let bounds = try model.clipBounds(try node("/relu6/Clip"))
        #expect(bounds.min == 0 && bounds.max == 6)
        #expect(try node("/Softmax").axis(default: -1, rank: 2) == 1)
        #expect(try node("/Flatten").axis(default: 1, rank: 4) == 1)
        #expect(model.constant(named: "shape")?.int64s == [-1, 54])
        #expect(model.inputs.first?.shape == [.param("batch"), .value(1), .value(28), .value(28)])
    }

    @Test("initializers listed as graph inputs are not inputs; other opset domains are ignored")
    func residualBlock() throws {
        let model = try ONNXModel(bytes: try Self.bytes("residual_block"))
        #expect(model.inputs.map(\.name) == ["x"])
        #expect(model.opsetVersion == 13)
        #expect(model.nodes.map(\.opType) == ["Conv", "BatchNormalization", "Add", "Relu", "GlobalAveragePool",
                                               "Flatten", "Identity", "Dropout", "MatMul", "Add"])
        #expect(try model.nodes[1].float("epsilon") == 1e-3)
    }
}
