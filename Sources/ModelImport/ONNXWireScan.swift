/// A pass over the raw protobuf wire format of an ONNX file BEFORE swift-protobuf decodes it.
///
/// swift-protobuf already refuses a declared length longer than the bytes left (it reports `truncated` before it
/// reserves anything), but a small file can still ask it for a lot of memory: every 2-byte empty submessage
/// (`0a 00`) becomes a Swift message object of a few hundred bytes. This scan walks the wire format with the
/// schema's submessage fields only (the rest is skipped by wire type), so that it can:
/// - count every message the decoder would build and refuse more than `ONNXLimits.maxMessages`;
/// - refuse nesting deeper than `ONNXLimits.maxDepth` (the decoder gets the same depth limit);
/// - refuse groups (wire types 3 and 4, which ONNX never uses), bad varints, lengths past the end;
/// - record where each node and initializer of the main graph starts, for error messages.
/// Memory: two offset arrays bounded by `maxNodes` and `maxInitializers`; the walk itself is recursive, bounded by
/// `maxDepth`.
struct ONNXWireScan {
    /// Byte offsets (in the file) of the main graph's `node` and `initializer` entries, in file order, which is the
    /// order the decoder appends them in (repeated fields of merged occurrences concatenate).
    var nodeOffsets: [Int] = []
    var initializerOffsets: [Int] = []
    var messages = 0

    private let bytes: [UInt8]
    private let limits: ONNXLimits

    /// The ONNX messages that contain other messages, and the leaf messages (counted, not walked).
    enum Message {
        case model, graph, node, attribute, tensor, sparseTensor, valueInfo, type, typeTensor, typeElement, typeMap
        case shape, trainingInfo, function, tensorAnnotation, nodeDeviceConfiguration, shardingSpec, shardedDim
        case leaf

        /// The submessage a field of this message holds, or nil for scalars, strings, bytes and packed arrays.
        /// Field numbers are onnx.proto's (onnx 1.23.2).
        func child(_ field: UInt64) -> Message? {
            switch (self, field) {
            case (.model, 7): return .graph
            case (.model, 8), (.model, 14), (.model, 26): return .leaf  // opset_import, metadata_props, configuration
            case (.model, 20): return .trainingInfo
            case (.model, 25): return .function
            case (.graph, 1): return .node
            case (.graph, 5): return .tensor
            case (.graph, 15): return .sparseTensor
            case (.graph, 11), (.graph, 12), (.graph, 13): return .valueInfo
            case (.graph, 14): return .tensorAnnotation
            case (.graph, 16): return .leaf
            case (.node, 5): return .attribute
            case (.node, 9): return .leaf
            case (.node, 10): return .nodeDeviceConfiguration
            case (.attribute, 5), (.attribute, 10): return .tensor
            case (.attribute, 6), (.attribute, 11): return .graph
            case (.attribute, 22), (.attribute, 23): return .sparseTensor
            case (.attribute, 14), (.attribute, 15): return .type
            case (.tensor, 3), (.tensor, 13), (.tensor, 16): return .leaf  // segment, external_data, metadata_props
            case (.sparseTensor, 1), (.sparseTensor, 2): return .tensor
            case (.valueInfo, 2): return .type
            case (.valueInfo, 4): return .leaf
            case (.type, 1), (.type, 8): return .typeTensor  // tensor_type, sparse_tensor_type
            case (.type, 4), (.type, 9): return .typeElement  // sequence_type, optional_type
            case (.type, 5): return .typeMap
            case (.type, 7): return .leaf  // opaque_type
            case (.typeTensor, 2): return .shape
            case (.typeElement, 1): return .type
            case (.typeMap, 2): return .type
            case (.shape, 1): return .leaf  // Dimension
            case (.trainingInfo, 1), (.trainingInfo, 2): return .graph
            case (.trainingInfo, 3), (.trainingInfo, 4): return .leaf
            case (.function, 7): return .node
            case (.function, 11): return .attribute
            case (.function, 9), (.function, 14): return .leaf
            case (.function, 12): return .valueInfo
            case (.tensorAnnotation, 2): return .leaf
            case (.nodeDeviceConfiguration, 2): return .shardingSpec
            case (.shardingSpec, 3): return .leaf
            case (.shardingSpec, 4): return .shardedDim
            case (.shardedDim, 2): return .leaf
            default: return nil
            }
        }
    }

    init(bytes: [UInt8], limits: ONNXLimits) throws(ImportError) {
        self.bytes = bytes
        self.limits = limits
        try walk(.model, from: 0, to: bytes.count, depth: 1, isMainGraph: false)
    }

    private mutating func walk(_ message: Message, from start: Int, to end: Int, depth: Int,
                               isMainGraph: Bool) throws(ImportError) {
        messages += 1
        if messages > limits.maxMessages {
            throw .tooLarge("more than \(limits.maxMessages) protobuf messages (at byte \(start))")
        }
        if depth > limits.maxDepth {
            throw .tooLarge("protobuf messages nested deeper than \(limits.maxDepth) (at byte \(start))")
        }
        var p = start
        while p < end {
            let fieldStart = p
            let tag = try varint(&p, end)
            let field = tag >> 3
            guard field != 0 else { throw .malformed("protobuf field number 0 at byte \(fieldStart)") }
            switch tag & 7 {
            case 0: _ = try varint(&p, end)
            case 1: try skip(&p, 8, end, fieldStart)
            case 5: try skip(&p, 4, end, fieldStart)
            case 2:
                let length = try varint(&p, end)
                guard length <= UInt64(end - p) else {
                    throw .malformed("protobuf field \(field) at byte \(fieldStart) declares \(length) bytes, "
                        + "only \(end - p) remain")
                }
                let bodyEnd = p + Int(length)
                if let child = message.child(field) {
                    if isMainGraph && field == 1 {
                        if nodeOffsets.count == limits.maxNodes {
                            throw .tooLarge("more than \(limits.maxNodes) nodes (at byte \(fieldStart))")
                        }
                        nodeOffsets.append(fieldStart)
                    } else if isMainGraph && field == 5 {
                        if initializerOffsets.count == limits.maxInitializers {
                            throw .tooLarge("more than \(limits.maxInitializers) initializers (at byte \(fieldStart))")
                        }
                        initializerOffsets.append(fieldStart)
                    }
                    if child == .leaf {
                        messages += 1
                        if messages > limits.maxMessages {
                            throw .tooLarge("more than \(limits.maxMessages) protobuf messages (at byte \(fieldStart))")
                        }
                        // A leaf's own fields are scalars and strings: the decoder checks them.
                    } else {
                        try walk(child, from: p, to: bodyEnd, depth: depth + 1,
                                 isMainGraph: message == .model && field == 7)
                    }
                }
                p = bodyEnd
            default:
                throw .malformed("protobuf wire type \(tag & 7) (a group) at byte \(fieldStart): ONNX files use none")
            }
        }
    }

    private func varint(_ p: inout Int, _ end: Int) throws(ImportError) -> UInt64 {
        let start = p
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard p < end else { throw .malformed("protobuf varint at byte \(start) runs past its message") }
            let byte = bytes[p]
            p += 1
            if shift == 63 && byte > 1 { throw .malformed("protobuf varint at byte \(start) is longer than 64 bits") }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    private func skip(_ p: inout Int, _ count: Int, _ end: Int, _ fieldStart: Int) throws(ImportError) {
        guard end - p >= count else { throw .malformed("protobuf field at byte \(fieldStart) runs past its message") }
        p += count
    }
}
