import Foundation
import TestSupport
import SwiftProtobuf
import Testing
@testable import ModelImport

/// Models built here with the generated protobuf types: what the reader refuses and how it says so, and that no
/// truncation or corruption of a real file gets past it other than as a typed error.
@Suite("ONNX reader: refusals, hostile bytes")
struct ONNXRejectionTests {
    func error(_ bytes: [UInt8], limits: ONNXLimits = .default) -> ImportError? {
        do {
            _ = try ONNXModel(bytes: bytes, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    func tensor(_ name: String, dims: [Int64], floats: [Float]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = dims
        t.dataType = 1
        t.rawData = Data(floats.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
        return t
    }

    func valueInfo(_ name: String, _ dims: [Int64]) -> Onnx_ValueInfoProto {
        var v = Onnx_ValueInfoProto()
        v.name = name
        var t = Onnx_TypeProto.Tensor()
        t.elemType = 1
        t.shape.dim = dims.map { var d = Onnx_TensorShapeProto.Dimension(); d.dimValue = $0; return d }
        v.type.tensorType = t
        return v
    }

    /// A valid one-node model (Relu) with one [2] float initializer 'w'; `edit` changes it before serializing.
    func model(_ edit: (inout Onnx_ModelProto) -> Void = { _ in }) -> [UInt8] {
        var m = Onnx_ModelProto()
        m.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        m.opsetImport = [opset]
        var node = Onnx_NodeProto()
        node.name = "relu0"
        node.opType = "Relu"
        node.input = ["x"]
        node.output = ["y"]
        m.graph.node = [node]
        m.graph.initializer = [tensor("w", dims: [2], floats: [1, 2])]
        m.graph.input = [valueInfo("x", [1, 2])]
        m.graph.output = [valueInfo("y", [1, 2])]
        edit(&m)
        return try! m.serializedBytes()
    }

    @Test("the valid base model reads")
    func baseModelReads() throws {
        let m = try ONNXModel(bytes: model())
        #expect(m.nodes.map(\.opType) == ["Relu"])
        #expect(m.initializers.first?.floats == [1, 2])
    }

    @Test("opsets outside 13...21 and a missing default opset are refused")
    func opsets() {
        for version: Int64 in [7, 12, 22] {
            let e = error(model { $0.opsetImport[0].version = version })
            #expect(e?.kind == .unsupported)
            #expect(e?.message.hasPrefix("opset \(version): EdgeQuant reads opsets 13-21") == true, "\(String(describing: e))")
        }
        for version: Int64 in [13, 21] { #expect(error(model { $0.opsetImport[0].version = version }) == nil) }
        #expect(error(model { $0.opsetImport[0].domain = "com.example" })
                == .malformed("no opset_import for the default operator set"))
    }

    @Test("external data is refused, naming the initializer, its byte position and the data file")
    func externalData() throws {
        let bytes = model {
            var t = Onnx_TensorProto()
            t.name = "conv.weight"
            t.dims = [4]
            t.dataType = 1
            t.dataLocation = .external
            var location = Onnx_StringStringEntryProto()
            location.key = "location"
            location.value = "weights.bin"
            t.externalData = [location]
            $0.graph.initializer.append(t)
        }
        let e = try #require(error(bytes))
        #expect(e.kind == .unsupported)
        #expect(e.message.hasPrefix("initializer 1 'conv.weight' at byte "))
        #expect(e.message.hasSuffix("external data (stored in 'weights.bin' beside the model): "
            + "re-export with the weights inside the .onnx file"))
        let offset = Int(e.message.split(separator: " ")[5].dropLast())!
        #expect(bytes[offset] == 0x2A, "GraphProto field 5 (initializer), wire type 2")
    }

    @Test("data types, sizes that disagree with the data, negative and huge dims")
    func tensors() {
        #expect(error(model { $0.graph.initializer[0].dataType = 11 })?.message.hasSuffix(
            "data type DOUBLE (EdgeQuant reads FLOAT and INT64 constants)") == true)
        #expect(error(model { $0.graph.initializer[0].dims = [3] })?.message.hasSuffix(
            "dims [3] need 12 bytes of raw_data, the file has 8") == true)
        #expect(error(model { $0.graph.initializer[0].dims = [-2] })?.kind == .malformed)
        #expect(error(model { $0.graph.initializer[0].rawData = Data(); $0.graph.initializer[0].floatData = [1] })?
            .message.hasSuffix("dims [2] need 2 floats, the file has 1") == true)
        #expect(error(model { $0.graph.initializer[0].floatData = [1, 2] })?.message.hasSuffix(
            "float data in both raw_data and float_data") == true)
        // 2^40 elements declared on 8 bytes of data: refused from the dims, nothing allocated.
        let huge = error(model { $0.graph.initializer[0].dims = [1 << 20, 1 << 20] })
        #expect(huge?.kind == .tooLarge)
        #expect(error(model { $0.graph.initializer[0].dims = [1, 1, 1, 1, 1, 1, 1, 1, 2] })?.kind == .tooLarge)
        var small = ONNXLimits()
        small.maxTotalElements = 1
        #expect(error(model(), limits: small)?.message.hasSuffix("the constants hold more than 1 elements") == true)
        small = ONNXLimits()
        small.maxTensorElements = 3
        let square = model { $0.graph.initializer[0] = tensor("w", dims: [2, 2], floats: [1, 2, 3, 4]) }
        #expect(error(square, limits: small)?.message.hasSuffix("dims [2, 2] hold more than 3 elements") == true)
        #expect(error(model { $0.graph.initializer.append($0.graph.initializer[0]) })?.message.hasSuffix(
            "its name is used twice") == true)
    }

    @Test("nodes: graph attributes, other domains, bad window attributes name the node and its byte position")
    func nodes() throws {
        var graphAttribute = Onnx_AttributeProto()
        graphAttribute.name = "then_branch"
        graphAttribute.type = .graph
        let e = try #require(error(model { $0.graph.node[0].attribute = [graphAttribute] }))
        #expect(e.kind == .unsupported)
        #expect(e.message.hasPrefix("node 0 'relu0' (Relu) at byte "))
        #expect(e.message.hasSuffix(" attribute 'then_branch': attribute type graph (graphs, sparse tensors and types are not read)"))

        #expect(error(model { $0.graph.node[0].domain = "com.microsoft" })?.kind == .unsupported)
        var axis = Onnx_AttributeProto()
        axis.name = "axis"
        axis.type = .int
        #expect(error(model { $0.graph.node[0].attribute = [axis, axis] })?.message.hasSuffix(
            "attribute 'axis' appears twice") == true)

        var pads = Onnx_AttributeProto()
        pads.name = "pads"
        pads.type = .ints
        pads.ints = [1, 1, 1]
        let conv = try ONNXModel(bytes: model { $0.graph.node[0].opType = "Conv"; $0.graph.node[0].attribute = [pads] })
        #expect(throws: ImportError.malformed("\(conv.nodes[0].label): pads has 3 values, 4 expected")) {
            try conv.nodes[0].window(spatialRank: 2)
        }
        var autoPad = Onnx_AttributeProto()
        autoPad.name = "auto_pad"
        autoPad.type = .string
        autoPad.s = Data("SAME".utf8)
        let pool = try ONNXModel(bytes: model { $0.graph.node[0].opType = "MaxPool"; $0.graph.node[0].attribute = [autoPad] })
        #expect(throws: ImportError.malformed("\(pool.nodes[0].label): no kernel_shape")) {
            try pool.nodes[0].window(spatialRank: 2)
        }
    }

    @Test("a declared length past the end is refused before decoding (swift-protobuf refuses it too)")
    func hugeDeclaredLengths() {
        // ModelProto field 7 (graph), wire type 2, declared length 2^40 - 1, then 3 bytes.
        let bytes: [UInt8] = [0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x0A, 0x00, 0x00]
        #expect(error(bytes) == .malformed("protobuf field 7 at byte 0 declares 1099511627775 bytes, only 3 remain"))
        // swift-protobuf alone also refuses them without allocating: a length beyond 2 GiB is malformedProtobuf,
        // a smaller one past the end is truncated.
        #expect(throws: BinaryDecodingError.malformedProtobuf) { try Onnx_ModelProto(serializedBytes: bytes) }
        #expect(throws: BinaryDecodingError.truncated) { try Onnx_ModelProto(serializedBytes: [0x3A, 0x64, 0x0A, 0x00]) }
        // Inside a message: the graph's node says 100 bytes, its graph holds 2.
        #expect(error([0x3A, 0x02, 0x0A, 0x64]) == .malformed("protobuf field 1 at byte 2 declares 100 bytes, only 0 remain"))
        // A varint longer than 64 bits, groups.
        #expect(error([0x08] + Array(repeating: 0xFF, count: 10) + [0x01])?.message.hasSuffix("longer than 64 bits") == true)
        #expect(error([0x0B, 0x0C])?.message == "protobuf wire type 3 (a group) at byte 0: ONNX files use none")
    }

    @Test("deep nesting and floods of empty messages are refused from the wire format")
    func nesting() {
        // graph > node > attribute(g) > graph > ... 100 levels, built inside out.
        var body: [UInt8] = []
        func wrap(_ field: UInt8, _ inner: [UInt8]) -> [UInt8] {
            var out: [UInt8] = [field << 3 | 2]
            var n = inner.count
            while n >= 0x80 { out.append(UInt8(n & 0x7F) | 0x80); n >>= 7 }
            return out + [UInt8(n)] + inner
        }
        for _ in 0..<35 { body = wrap(1, wrap(5, wrap(6, body))) }  // node, attribute, graph
        let deep = wrap(7, body)
        #expect(error(deep)?.message.hasPrefix("protobuf messages nested deeper than 32") == true)
        var limits = ONNXLimits()
        limits.maxDepth = 200
        limits.maxMessages = 1000
        // With the scan's depth limit raised, swift-protobuf's own limit (the same number) still holds.
        #expect(error(deep, limits: limits)?.kind != nil)

        // 200,000 empty nodes: 400 KB of file, refused by count.
        let flood = wrap(7, Array(repeating: [0x0A, 0x00], count: 200_000).flatMap { $0 })
        #expect(error(flood)?.message.hasPrefix("more than 10000 nodes") == true)
        // Empty opset_import entries instead: counted as messages.
        limits = ONNXLimits()
        limits.maxMessages = 1000
        #expect(error(Array(repeating: [0x42, 0x00], count: 2000).flatMap { $0 }, limits: limits)?.message
                .hasPrefix("more than 1000 protobuf messages") == true)
        limits = ONNXLimits()
        limits.maxFileBytes = 10
        #expect(error(model(), limits: limits)?.kind == .tooLarge)
    }

    @Test("the scan and swift-protobuf agree on a second graph field and an overlong tag: node positions stay right")
    func scanAgreesWithDecoder() throws {
        var node = Onnx_NodeProto()
        node.name = "second"
        node.opType = "Relu"
        node.input = ["y"]
        node.output = ["z"]
        let nodeBytes: [UInt8] = try node.serializedBytes()
        // GraphProto field 1 with its tag as a 2-byte varint (0x8A 0x00), inside a second ModelProto field 7:
        // protobuf merges the two graphs, appending this node after the first one.
        let graph: [UInt8] = [0x8A, 0x00, UInt8(nodeBytes.count)] + nodeBytes
        let base = model()
        let bytes = base + [0x3A, UInt8(graph.count)] + graph
        let m = try ONNXModel(bytes: bytes)
        #expect(m.nodes.map(\.name) == ["relu0", "second"])
        #expect(m.nodes[1].fileOffset == base.count + 2)
        #expect(bytes[m.nodes[0].fileOffset] == 0x0A)
    }

    @Test("every truncation and every byte flip of a real file: a typed error or a model, never a trap")
    func corruptions() throws {
        let bytes = try ONNXFixtureTests.bytes("small_cnn")
        var refused = 0
        for length in 0..<bytes.count where error(Array(bytes[..<length])) != nil { refused += 1 }
        // A prefix that ends between fields can still be a valid (smaller) message; most are refused.
        #expect(refused > bytes.count / 2)
        for i in bytes.indices {
            var damaged = bytes
            damaged[i] ^= 0xFF
            _ = error(damaged)
        }
        var rng = SeededRandom(seed: 12)
        for _ in 0..<3000 {
            var damaged = bytes
            for _ in 0..<(1 + Int(rng.next() % 8)) {
                damaged[Int(rng.next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            _ = error(damaged)
        }
    }
}
