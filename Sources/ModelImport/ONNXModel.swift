import Foundation
import SwiftProtobuf

/// An ONNX model as `torch.onnx.export` or tf2onnx write it, read into plain values: the main graph's nodes in
/// file order with decoded attributes, float32 and int64 initializers, graph inputs and outputs with shapes, and
/// the opset. Layout is ONNX's own (NCHW, Conv weights [out, in, kh, kw]); the mapping to the float graph happens
/// elsewhere (docs/importing.md). The protobuf is decoded by swift-protobuf with code generated from the onnx
/// package's onnx.proto (onnx.pb.swift, Tools/onnx-proto/generate.sh).
public struct ONNXModel: Sendable, Equatable {
    public var irVersion: Int64
    /// The version of the default ("" / "ai.onnx") operator set, 13...21.
    public var opsetVersion: Int
    public var producerName: String
    public var producerVersion: String
    /// Graph inputs that are not initializers (what the caller feeds), in file order.
    public var inputs: [ONNXValueInfo]
    public var outputs: [ONNXValueInfo]
    /// In file order (ONNX requires topological order).
    public var nodes: [ONNXNode]
    /// In file order.
    public var initializers: [ONNXTensor]
}

/// Sizes the reader accepts; anything larger is refused with `ImportError.Kind.tooLarge` before it is allocated.
public struct ONNXLimits: Sendable {
    /// The whole file. ResNet50 exported with float32 weights is about 100 MB.
    public var maxFileBytes = 1 << 28
    /// Every protobuf message in the file (each becomes an object when decoded, however few bytes it takes).
    public var maxMessages = 1 << 20
    /// Protobuf nesting; also swift-protobuf's `messageDepthLimit`.
    public var maxDepth = 32
    public var maxNodes = 10_000
    public var maxInitializers = 10_000
    public var maxRank = 8
    /// Elements of one tensor, and of all initializers together (ResNet50 has 25.6 M).
    public var maxTensorElements = 1 << 27
    public var maxTotalElements = 1 << 28
    /// Values in one list attribute (pads, strides, ...).
    public var maxAttributeValues = 1 << 12

    public init() {}
    public static let `default` = ONNXLimits()
}

/// The opsets this reader accepts: torch.onnx.export's and tf2onnx's defaults fall in it.
public let onnxSupportedOpsets: ClosedRange<Int> = 13...21

public enum ONNXDimension: Sendable, Equatable {
    case value(Int)
    /// A named dimension ("batch_size", "N"), as dynamic axes are exported.
    case param(String)
    case unknown
}

public struct ONNXValueInfo: Sendable, Equatable {
    public var name: String
    /// `TensorProto.DataType` (1 = FLOAT).
    public var elementType: Int
    /// nil when the file records no shape.
    public var shape: [ONNXDimension]?
}

public struct ONNXTensor: Sendable, Equatable {
    public enum Values: Sendable, Equatable {
        case float([Float])
        case int64([Int64])
    }
    public var name: String
    public var dims: [Int]
    public var values: Values

    public var elementCount: Int { dims.reduce(1, *) }
    public var floats: [Float]? { if case .float(let v) = values { return v } else { return nil } }
    public var int64s: [Int64]? { if case .int64(let v) = values { return v } else { return nil } }
}

public enum ONNXAttributeValue: Sendable, Equatable {
    case int(Int64)
    case float(Float)
    case string(String)
    case ints([Int64])
    case floats([Float])
    case strings([String])
    case tensor(ONNXTensor)
}

public struct ONNXNode: Sendable, Equatable {
    /// Position in the main graph and byte offset of the node in the file, for messages.
    public var index: Int
    public var fileOffset: Int
    public var name: String
    public var opType: String
    /// Empty for the default operator set.
    public var domain: String
    /// As stored; an empty string is an omitted optional input.
    public var inputs: [String]
    public var outputs: [String]
    /// In file order; names are unique (checked).
    public var attributes: [(name: String, value: ONNXAttributeValue)]

    /// "node 3 'Conv_0' (Conv) at byte 1234", the prefix of every error about this node.
    public var label: String {
        "node \(index) '\(printable(name))' (\(printable(opType))) at byte \(fileOffset)"
    }

    public func attribute(_ name: String) -> ONNXAttributeValue? {
        attributes.first { $0.name == name }?.value
    }

    public static func == (a: ONNXNode, b: ONNXNode) -> Bool {
        a.index == b.index && a.fileOffset == b.fileOffset && a.name == b.name && a.opType == b.opType
            && a.domain == b.domain && a.inputs == b.inputs && a.outputs == b.outputs
            && a.attributes.map(\.name) == b.attributes.map(\.name) && a.attributes.map(\.value) == b.attributes.map(\.value)
    }
}

extension ONNXModel {
    /// Reads `bytes` (a whole .onnx file). Throws `ImportError`: `.malformed` for bytes that break protobuf or ONNX
    /// (truncation, a declared length past the end, sizes that disagree with the data), `.unsupported` for a valid
    /// file EdgeQuant does not read (external data, a data type other than FLOAT/INT64, an opset outside 13...21,
    /// graph-valued attributes), `.tooLarge` for sizes over `limits`, checked before allocating.
    public init(bytes: [UInt8], limits: ONNXLimits = .default) throws(ImportError) {
        guard bytes.count <= limits.maxFileBytes else {
            throw .tooLarge("file has \(bytes.count) bytes, the limit is \(limits.maxFileBytes)")
        }
        let scan = try ONNXWireScan(bytes: bytes, limits: limits)
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = limits.maxDepth
        options.discardUnknownFields = true
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: bytes, options: options)
        } catch {
            throw .malformed("protobuf: \(error)")
        }
        var reader = ONNXReader(proto: proto, scan: scan, limits: limits)
        self = try reader.read()
    }

    /// Reads the file at `path`, refusing it by its size before reading it.
    public init(contentsOf path: String, limits: ONNXLimits = .default) throws(ImportError) {
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw .malformed("cannot read the file")
        }
        guard size <= limits.maxFileBytes else {
            throw .tooLarge("file has \(size) bytes, the limit is \(limits.maxFileBytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw .malformed("cannot read the file") }
        try self.init(bytes: [UInt8](data), limits: limits)
    }

    /// The constant named `name`: an initializer, or the `value` of a Constant node (torch exports both).
    public func constant(named name: String) -> ONNXTensor? {
        if let tensor = initializers.first(where: { $0.name == name }) { return tensor }
        for node in nodes where node.opType == "Constant" && node.domain.isEmpty && node.outputs.first == name {
            if case .tensor(let t)? = node.attribute("value") { return t }
        }
        return nil
    }
}

/// Checks and converts the decoded protobuf; every error names what it is about.
private struct ONNXReader {
    let proto: Onnx_ModelProto
    let scan: ONNXWireScan
    let limits: ONNXLimits
    var totalElements = 0

    init(proto: Onnx_ModelProto, scan: ONNXWireScan, limits: ONNXLimits) {
        self.proto = proto
        self.scan = scan
        self.limits = limits
    }

    mutating func read() throws(ImportError) -> ONNXModel {
        guard proto.hasGraph else { throw .malformed("not an ONNX model: no graph") }
        guard proto.irVersion >= 3 else {
            throw .unsupported("ONNX IR version \(proto.irVersion): EdgeQuant reads IR version 3 and later")
        }
        var opset: Int64?
        for entry in proto.opsetImport where entry.domain.isEmpty || entry.domain == "ai.onnx" {
            if opset != nil { throw .malformed("the default operator set is imported twice") }
            opset = entry.version
        }
        guard let version = opset else { throw .malformed("no opset_import for the default operator set") }
        guard version >= Int64(onnxSupportedOpsets.lowerBound) && version <= Int64(onnxSupportedOpsets.upperBound) else {
            throw .unsupported("opset \(version): EdgeQuant reads opsets \(onnxSupportedOpsets.lowerBound)-"
                + "\(onnxSupportedOpsets.upperBound) (re-export with torch.onnx.export(..., opset_version=17))")
        }
        let graph = proto.graph
        guard graph.node.count == scan.nodeOffsets.count, graph.initializer.count == scan.initializerOffsets.count else {
            throw .malformed("protobuf: the graph's node or initializer count disagrees with the wire format")
        }
        guard graph.sparseInitializer.isEmpty else { throw .unsupported("sparse initializers") }

        var initializers: [ONNXTensor] = []
        initializers.reserveCapacity(graph.initializer.count)
        var names = Set<String>()
        for (i, t) in graph.initializer.enumerated() {
            let tensor = try inContext("initializer \(i) '\(printable(t.name))' at byte \(scan.initializerOffsets[i])") {
                () throws(ImportError) in try self.tensor(t, countsTowardTotal: true)
            }
            guard names.insert(tensor.name).inserted else {
                throw .malformed("initializer \(i) '\(printable(t.name))' at byte \(scan.initializerOffsets[i]): "
                    + "its name is used twice")
            }
            initializers.append(tensor)
        }

        var nodes: [ONNXNode] = []
        nodes.reserveCapacity(graph.node.count)
        for (i, n) in graph.node.enumerated() {
            nodes.append(try node(n, index: i, offset: scan.nodeOffsets[i]))
        }

        let inputs = try graph.input.filter { !names.contains($0.name) }.map { (v) throws(ImportError) in
            try inContext("graph input '\(printable(v.name))'") { () throws(ImportError) in try valueInfo(v) }
        }
        let outputs = try graph.output.map { (v) throws(ImportError) in
            try inContext("graph output '\(printable(v.name))'") { () throws(ImportError) in try valueInfo(v) }
        }
        guard !inputs.isEmpty else { throw .malformed("the graph has no input") }
        guard !outputs.isEmpty else { throw .malformed("the graph has no output") }

        return ONNXModel(irVersion: proto.irVersion, opsetVersion: Int(version), producerName: proto.producerName,
                         producerVersion: proto.producerVersion, inputs: inputs, outputs: outputs, nodes: nodes,
                         initializers: initializers)
    }

    mutating func node(_ n: Onnx_NodeProto, index: Int, offset: Int) throws(ImportError) -> ONNXNode {
        var node = ONNXNode(index: index, fileOffset: offset, name: n.name, opType: n.opType, domain: n.domain,
                            inputs: n.input, outputs: n.output, attributes: [])
        let label = node.label
        guard !n.opType.isEmpty else { throw .malformed("\(label): no op_type") }
        guard n.domain.isEmpty || n.domain == "ai.onnx" else {
            throw .unsupported("\(label): operator domain '\(printable(n.domain))' (EdgeQuant reads the default one)")
        }
        node.domain = ""
        guard n.output.count <= 16, n.input.count <= 16 else { throw .tooLarge("\(label): more than 16 inputs or outputs") }
        for a in n.attribute {
            guard !node.attributes.contains(where: { $0.name == a.name }) else {
                throw .malformed("\(label): attribute '\(printable(a.name))' appears twice")
            }
            let value = try inContext("\(label) attribute '\(printable(a.name))'") { () throws(ImportError) in
                try attribute(a)
            }
            node.attributes.append((a.name, value))
        }
        return node
    }

    mutating func attribute(_ a: Onnx_AttributeProto) throws(ImportError) -> ONNXAttributeValue {
        let maxValues = limits.maxAttributeValues
        func bounded(_ count: Int) throws(ImportError) {
            if count > maxValues { throw .tooLarge("\(count) values, the limit is \(maxValues)") }
        }
        guard a.refAttrName.isEmpty else { throw .unsupported("a reference to a function attribute") }
        switch a.type {
        case .int: return .int(a.i)
        case .float: return .float(a.f)
        case .string:
            guard let s = String(validatingUTF8Bytes: a.s) else { throw .malformed("string is not UTF-8") }
            return .string(s)
        case .ints: try bounded(a.ints.count); return .ints(a.ints)
        case .floats: try bounded(a.floats.count); return .floats(a.floats)
        case .strings:
            try bounded(a.strings.count)
            var out: [String] = []
            for s in a.strings {
                guard let v = String(validatingUTF8Bytes: s) else { throw .malformed("string is not UTF-8") }
                out.append(v)
            }
            return .strings(out)
        case .tensor: return .tensor(try tensor(a.t, countsTowardTotal: true))
        case .undefined: throw .malformed("no attribute type")
        default: throw .unsupported("attribute type \(a.type) (graphs, sparse tensors and types are not read)")
        }
    }

    /// Checks rank, dims, data type, location and that the data holds exactly the declared elements, before
    /// converting (the conversion allocates exactly the declared count).
    mutating func tensor(_ t: Onnx_TensorProto, countsTowardTotal: Bool) throws(ImportError) -> ONNXTensor {
        if t.dataLocation == .external || !t.externalData.isEmpty {
            let location = t.externalData.first(where: { $0.key == "location" })?.value ?? "?"
            throw .unsupported("external data (stored in '\(printable(location))' beside the model): "
                + "re-export with the weights inside the .onnx file")
        }
        guard !t.hasSegment else { throw .unsupported("a segmented tensor") }
        guard t.dims.count <= limits.maxRank else { throw .tooLarge("rank \(t.dims.count), the limit is \(limits.maxRank)") }
        var dims: [Int] = []
        var count = 1
        for d in t.dims {
            guard d >= 0 else { throw .malformed("negative dimension \(d)") }
            guard d <= Int64(limits.maxTensorElements) else {
                throw .tooLarge("dimension \(d) over the limit of \(limits.maxTensorElements) elements")
            }
            dims.append(Int(d))
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(d))
            count = product
            guard !overflow && count <= limits.maxTensorElements else {
                throw .tooLarge("dims \(t.dims) hold more than \(limits.maxTensorElements) elements")
            }
        }
        if countsTowardTotal {
            totalElements += count
            guard totalElements <= limits.maxTotalElements else {
                throw .tooLarge("the constants hold more than \(limits.maxTotalElements) elements")
            }
        }
        let name = t.name
        let raw = t.rawData
        switch t.dataType {
        case Int32(Onnx_TensorProto.DataType.float.rawValue):
            let fields = (raw.isEmpty ? 0 : 1) + (t.floatData.isEmpty ? 0 : 1)
            guard fields <= 1 else { throw .malformed("float data in both raw_data and float_data") }
            if !raw.isEmpty {
                guard raw.count == count * 4 else {
                    throw .malformed("dims \(dims) need \(count * 4) bytes of raw_data, the file has \(raw.count)")
                }
                var values = [Float](repeating: 0, count: count)
                raw.withUnsafeBytes { (source: UnsafeRawBufferPointer) in
                    for i in 0..<count {
                        values[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    }
                }
                return ONNXTensor(name: name, dims: dims, values: .float(values))
            }
            guard t.floatData.count == count else {
                throw .malformed("dims \(dims) need \(count) floats, the file has \(t.floatData.count)")
            }
            return ONNXTensor(name: name, dims: dims, values: .float(t.floatData))
        case Int32(Onnx_TensorProto.DataType.int64.rawValue):
            let fields = (raw.isEmpty ? 0 : 1) + (t.int64Data.isEmpty ? 0 : 1)
            guard fields <= 1 else { throw .malformed("int64 data in both raw_data and int64_data") }
            if !raw.isEmpty {
                guard raw.count == count * 8 else {
                    throw .malformed("dims \(dims) need \(count * 8) bytes of raw_data, the file has \(raw.count)")
                }
                var values = [Int64](repeating: 0, count: count)
                raw.withUnsafeBytes { (source: UnsafeRawBufferPointer) in
                    for i in 0..<count {
                        values[i] = Int64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
                    }
                }
                return ONNXTensor(name: name, dims: dims, values: .int64(values))
            }
            guard t.int64Data.count == count else {
                throw .malformed("dims \(dims) need \(count) int64 values, the file has \(t.int64Data.count)")
            }
            return ONNXTensor(name: name, dims: dims, values: .int64(t.int64Data))
        default:
            throw .unsupported("data type \(dataTypeName(t.dataType)) (EdgeQuant reads FLOAT and INT64 constants)")
        }
    }

    func valueInfo(_ v: Onnx_ValueInfoProto) throws(ImportError) -> ONNXValueInfo {
        guard case .tensorType(let type)? = v.type.value else { throw .unsupported("not a tensor") }
        guard type.elemType == Int32(Onnx_TensorProto.DataType.float.rawValue) else {
            throw .unsupported("element type \(dataTypeName(type.elemType)) (EdgeQuant reads FLOAT inputs and outputs)")
        }
        var shape: [ONNXDimension]?
        if type.hasShape {
            guard type.shape.dim.count <= limits.maxRank else {
                throw .tooLarge("rank \(type.shape.dim.count), the limit is \(limits.maxRank)")
            }
            shape = []
            for d in type.shape.dim {
                switch d.value {
                case .dimValue(let n)?:
                    guard n >= 0 && n <= Int64(limits.maxTensorElements) else { throw .malformed("dimension \(n)") }
                    shape!.append(.value(Int(n)))
                case .dimParam(let p)?: shape!.append(.param(p))
                case nil: shape!.append(.unknown)
                }
            }
        }
        return ONNXValueInfo(name: v.name, elementType: Int(type.elemType), shape: shape)
    }
}

/// `TensorProto.DataType`'s name for messages ("DOUBLE"), or the number when it has none.
func dataTypeName(_ code: Int32) -> String {
    let names = ["UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL",
                 "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN",
                 "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1", "FLOAT8E8M0",
                 "UINT2", "INT2", "FLOAT6E2M3", "FLOAT6E3M2"]
    return code >= 0 && Int(code) < names.count ? names[Int(code)] : "\(code)"
}

extension String {
    /// nil when `bytes` is not valid UTF-8 (no replacement characters slipped into names).
    init?(validatingUTF8Bytes bytes: Data) {
        guard let s = String(data: bytes, encoding: .utf8) else { return nil }
        self = s
    }
}
