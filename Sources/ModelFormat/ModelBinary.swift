/// The model.bin codec (docs/model-format.md): bytes to a validated `FloatGraph` and back.
public enum ModelBinary {
    static let magic: [UInt8] = Array("EQFM".utf8)
    static let versionMajor: UInt16 = 1
    static let versionMinor: UInt16 = 0
    static let headerSize = 24

    /// Decodes and validates a model.bin. Never traps: every defect becomes a `ModelFormatError`.
    public static func decode(_ bytes: [UInt8]) throws(ModelFormatError) -> FloatGraph {
        // withUnsafeBytes rethrows untyped errors, so the typed result travels out in a Result.
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(ModelFormatError) in try decode(buffer) }
        }
        return try result.get()
    }

    /// Decodes and validates a model.bin held in `buffer`.
    public static func decode(_ buffer: UnsafeRawBufferPointer) throws(ModelFormatError) -> FloatGraph {
        let prefix = min(buffer.count, magic.count)
        guard buffer.prefix(prefix).elementsEqual(magic.prefix(prefix)) else { throw .badMagic }
        var reader = ByteReader(buffer)
        _ = try reader.u32("the header")
        let major = try reader.u16("the header"), minor = try reader.u16("the header")
        guard major == versionMajor, minor <= versionMinor else {
            throw .unsupportedVersion(major: Int(major), minor: Int(minor))
        }

        // The CRC decides between "corrupted" and "malformed": a parse error in a file whose CRC fails is
        // reported as corruption, since the bytes are not what the writer wrote.
        let crcOK: Bool = {
            guard buffer.count >= headerSize + 4 else { return false }
            let body = UnsafeRawBufferPointer(rebasing: buffer[0..<(buffer.count - 4)])
            let stored = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: buffer.count - 4, as: UInt32.self))
            return CRC32.checksum(body) == stored
        }()
        let graph: FloatGraph
        do throws(ModelFormatError) {
            graph = try parseBody(&reader)
            guard reader.remaining >= 4 else { throw ModelFormatError.truncated(what: "the CRC trailer", offset: reader.offset) }
            guard reader.remaining == 4 else { throw ModelFormatError.trailingBytes(count: reader.remaining - 4) }
        } catch {
            switch error {
            case .truncated, .trailingBytes: throw error
            default: throw crcOK ? error : crcError(buffer)
            }
        }
        guard crcOK else { throw crcError(buffer) }
        try graph.validate()
        return graph
    }

    private static func crcError(_ buffer: UnsafeRawBufferPointer) -> ModelFormatError {
        let body = UnsafeRawBufferPointer(rebasing: buffer[0..<(buffer.count - 4)])
        let stored = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: buffer.count - 4, as: UInt32.self))
        return .crcMismatch(stored: stored, computed: CRC32.checksum(body))
    }

    private static func parseBody(_ reader: inout ByteReader) throws(ModelFormatError) -> FloatGraph {
        let tensorCount = Int(try reader.u32("the header"))
        let nodeCount = Int(try reader.u32("the header"))
        let input = Int(try reader.u32("the header"))
        let output = Int(try reader.u32("the header"))
        guard (1...GraphLimits.maxTensors).contains(tensorCount) else {
            throw .countOutOfRange(what: "tensor count", value: tensorCount, limit: GraphLimits.maxTensors)
        }
        guard (1...GraphLimits.maxNodes).contains(nodeCount) else {
            throw .countOutOfRange(what: "node count", value: nodeCount, limit: GraphLimits.maxNodes)
        }

        var tensors: [Tensor] = []
        for index in 0..<tensorCount {
            tensors.append(try parseTensor(&reader, index: index))
        }
        var nodes: [Node] = []
        for index in 0..<nodeCount {
            nodes.append(try parseNode(&reader, index: index, tensorCount: tensorCount))
        }
        return FloatGraph(tensors: tensors, nodes: nodes, input: input, output: output)
    }

    private static func parseTensor(_ reader: inout ByteReader, index: Int) throws(ModelFormatError) -> Tensor {
        let what = "tensor record \(index)"
        let name = try reader.string(what)
        let kind = try reader.u8(what)
        let rank = Int(try reader.u8(what))
        guard kind <= 1 else { throw .badShape(tensor: name, reason: "unknown kind \(kind) (0 activation, 1 constant)") }
        guard (1...GraphLimits.maxRank).contains(rank) else {
            throw .badShape(tensor: name, reason: "rank \(rank) is outside 1...\(GraphLimits.maxRank)")
        }
        var shape: [Int] = []
        var count = 1
        for _ in 0..<rank {
            let dimension = Int(try reader.u32(what))
            guard dimension >= 1 else { throw .badShape(tensor: name, reason: "dimension 0") }
            count = count.multipliedReportingOverflow(by: dimension).partialValue
            guard count <= GraphLimits.maxElements else {
                throw .badShape(tensor: name, reason: "more than \(GraphLimits.maxElements) elements")
            }
            shape.append(dimension)
        }
        guard kind == 1 else { return Tensor(activation: name, shape: shape) }
        let data = try reader.floats(count, "the data of tensor '\(name)'")
        return Tensor(constant: name, shape: shape, data: data)
    }

    private static func parseNode(_ reader: inout ByteReader, index: Int, tensorCount: Int) throws(ModelFormatError) -> Node {
        let what = "node record \(index)"
        let name = try reader.string(what)
        let op = try reader.string(what)
        func indices() throws(ModelFormatError) -> [Int] {
            let count = Int(try reader.u8(what))
            var list: [Int] = []
            for _ in 0..<count {
                let tensor = Int(try reader.u32(what))
                guard tensor < tensorCount else {
                    throw .indexOutOfRange(what: "node '\(name)'", index: tensor, count: tensorCount)
                }
                list.append(tensor)
            }
            return list
        }
        let inputs = try indices()
        let outputs = try indices()
        var attributes: [String: AttributeValue] = [:]
        let attributeCount = Int(try reader.u8(what))
        for _ in 0..<attributeCount {
            let key = try reader.string(what)
            let value: AttributeValue
            switch try reader.u8(what) {
            case 0: value = .int(try reader.i64(what))
            case 1: value = .float(try reader.f32(what))
            case 2:
                let count = Int(try reader.u8(what))
                var list: [Int64] = []
                for _ in 0..<count { list.append(try reader.i64(what)) }
                value = .ints(list)
            case 3: value = .string(try reader.string(what))
            case let code: throw .badAttribute(node: name, attribute: key, reason: "has unknown type code \(code)")
            }
            guard attributes.updateValue(value, forKey: key) == nil else {
                throw .badAttribute(node: name, attribute: key, reason: "appears twice")
            }
        }
        let operation = try OpAttributes.decode(op: op, node: name, attributes: attributes)
        return Node(name: name, op: operation, inputs: inputs, outputs: outputs)
    }

    /// Encodes a graph as model.bin, after checking that it is valid (so a writer cannot produce a file a reader
    /// would refuse).
    public static func encode(_ graph: FloatGraph) throws(ModelFormatError) -> [UInt8] {
        try graph.validate()
        // model.bin's input is pixel / 255 by definition; a graph that normalizes cannot be written as one.
        guard graph.inputNormalization == .identity else {
            throw .badGraph(reason: "model.bin cannot record an input normalization (\(graph.inputNormalization))")
        }
        for name in graph.tensors.map(\.name) + graph.nodes.map(\.name) where name.utf8.count > GraphLimits.maxStringBytes {
            throw .badGraph(reason: "name '\(name.prefix(40))...' is longer than \(GraphLimits.maxStringBytes) bytes")
        }
        for node in graph.nodes where node.inputs.count > 255 {
            throw .badNode(node: node.name, reason: "more than 255 inputs")
        }
        var writer = ByteWriter()
        for byte in magic { writer.u8(byte) }
        writer.u16(versionMajor)
        writer.u16(versionMinor)
        writer.u32(UInt32(graph.tensors.count))
        writer.u32(UInt32(graph.nodes.count))
        writer.u32(UInt32(graph.input))
        writer.u32(UInt32(graph.output))
        for tensor in graph.tensors {
            writer.string(tensor.name)
            writer.u8(tensor.isConstant ? 1 : 0)
            writer.u8(UInt8(tensor.shape.count))
            for dimension in tensor.shape { writer.u32(UInt32(dimension)) }
            if let data = tensor.data { writer.floats(data) }
        }
        for node in graph.nodes {
            writer.string(node.name)
            writer.string(node.op.name)
            writer.u8(UInt8(node.inputs.count))
            for index in node.inputs { writer.u32(UInt32(index)) }
            writer.u8(UInt8(node.outputs.count))
            for index in node.outputs { writer.u32(UInt32(index)) }
            let attributes = OpAttributes.encode(node.op)
            writer.u8(UInt8(attributes.count))
            for (key, value) in attributes {
                writer.string(key)
                writer.u8(value.typeCode)
                switch value {
                case let .int(number): writer.i64(number)
                case let .float(number): writer.f32(number)
                case let .ints(list):
                    writer.u8(UInt8(list.count))
                    for number in list { writer.i64(number) }
                case let .string(text): writer.string(text)
                }
            }
        }
        let crc = writer.bytes.withUnsafeBytes { CRC32.checksum($0) }
        writer.u32(crc)
        return writer.bytes
    }
}
