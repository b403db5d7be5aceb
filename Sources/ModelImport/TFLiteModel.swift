/// A .tflite file as EdgeQuant reads it: one subgraph's tensors (with their constant data and quantization), its
/// operators in execution order with decoded options, and the graph's inputs and outputs. Made only by
/// `TFLiteModel(bytes:)`, which checks every offset, length and index and refuses what EdgeQuant cannot run.
/// The mapping to the float graph or the int8 program happens elsewhere (docs/importing.md).
public struct TFLiteModel: Sendable, Equatable {
    /// The schema version the file declares (always 3: other versions are refused).
    public var version: UInt32
    public var description: String?
    public var tensors: [TFLiteTensor]
    /// In execution order, as stored.
    public var operators: [TFLiteOperator]
    public var inputs: [Int]
    public var outputs: [Int]
}

/// Sizes the reader accepts; anything larger is refused with `ImportError.Kind.tooLarge` before it is allocated.
public struct TFLiteLimits: Sendable {
    public var maxTensors = 100_000
    public var maxOperators = 100_000
    public var maxOperatorCodes = 1_000
    /// Inputs or outputs of one operator, and of the graph.
    public var maxOperands = 16
    public var maxRank = 8
    /// Elements of one tensor, and of all tensors together (ResNet50 has 23.6 M parameters).
    public var maxTensorElements = 1 << 28
    public var maxTotalElements = 1 << 30
    /// Quantization scales of all tensors together, and bytes of all names and strings together. FlatBuffers may
    /// share one object between many references, so without these totals 100,000 tensors pointing at one large
    /// scale vector or name would cost 100,000 times its size to read although the file is small.
    public var maxTotalScales = 1 << 22
    public var maxTotalStringBytes = 1 << 24

    public init() {}
    public static let `default` = TFLiteLimits()
}

public enum TFLiteTensorType: Int8, Sendable, Equatable {
    case float32 = 0
    case int32 = 2
    case int8 = 9

    public var name: String {
        switch self {
        case .float32: "FLOAT32"
        case .int32: "INT32"
        case .int8: "INT8"
        }
    }

    public var byteSize: Int {
        switch self {
        case .float32, .int32: 4
        case .int8: 1
        }
    }
}

/// Affine quantization: `real = scale * (q - zeroPoint)`, per tensor (one scale) or per channel along
/// `quantizedDimension` (one scale per index of that dimension).
public struct TFLiteQuantization: Sendable, Equatable {
    public var scales: [Float]
    public var zeroPoints: [Int]
    public var quantizedDimension: Int

    public var isPerChannel: Bool { scales.count > 1 }
}

public struct TFLiteTensor: Sendable, Equatable {
    public var index: Int
    public var name: String
    /// Dimensions as stored (NHWC for activations, OHWI for conv filters, [out, in] for fully-connected weights).
    public var shape: [Int]
    public var type: TFLiteTensorType
    /// Index into the model's buffers (0 is the empty sentinel).
    public var buffer: Int
    /// The constant's bytes, little-endian, exactly `elementCount * type.byteSize` long; nil for activations.
    /// A slice of the file's bytes, shared rather than copied.
    public var data: ArraySlice<UInt8>?
    public var quantization: TFLiteQuantization?

    public var elementCount: Int { shape.reduce(1, *) }
    public var isConstant: Bool { data != nil }

    /// The constant's values, when it is a FLOAT32 constant.
    public var floatValues: [Float]? {
        guard type == .float32, let data else { return nil }
        return Self.words(data).map { Float(bitPattern: $0) }
    }

    /// The constant's values, when it is an INT32 constant.
    public var int32Values: [Int32]? {
        guard type == .int32, let data else { return nil }
        return Self.words(data).map { Int32(bitPattern: $0) }
    }

    /// The constant's values, when it is an INT8 constant.
    public var int8Values: [Int8]? {
        guard type == .int8, let data else { return nil }
        return data.map { Int8(bitPattern: $0) }
    }

    private static func words(_ data: ArraySlice<UInt8>) -> [UInt32] {
        var out = [UInt32]()
        out.reserveCapacity(data.count / 4)
        var i = data.startIndex
        while i + 4 <= data.endIndex {
            out.append(UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24)
            i += 4
        }
        return out
    }
}

public enum TFLiteActivation: Sendable, Equatable {
    case none, relu, relu6
}

public enum TFLitePadding: Sendable, Equatable {
    /// Output `ceil(in / stride)`; the padding is split with any odd remainder after.
    case same
    case valid
}

public struct TFLiteConv2DOptions: Sendable, Equatable {
    public var padding: TFLitePadding
    public var strideH: Int
    public var strideW: Int
    public var activation: TFLiteActivation
}

public struct TFLitePool2DOptions: Sendable, Equatable {
    public var padding: TFLitePadding
    public var strideH: Int
    public var strideW: Int
    public var filterH: Int
    public var filterW: Int
    public var activation: TFLiteActivation
}

/// The operators EdgeQuant imports, with their decoded builtin options. Operand order is TFLite's.
public enum TFLiteOp: Sendable, Equatable {
    /// Inputs: input NHWC, filter OHWI, optional bias [O].
    case conv2D(TFLiteConv2DOptions)
    /// Inputs: input, weights [out, in], optional bias [out].
    case fullyConnected(activation: TFLiteActivation, keepNumDims: Bool)
    case maxPool2D(TFLitePool2DOptions)
    case averagePool2D(TFLitePool2DOptions)
    /// Inputs: input, axes (an INT32 constant).
    case mean(keepDims: Bool)
    case add(activation: TFLiteActivation)
    /// Inputs: input, optional shape tensor. `newShape` is the options' copy when the file has one.
    case reshape(newShape: [Int]?)
    case softmax(beta: Float)
    /// Inputs: input, paddings (an INT32 constant [rank, 2]).
    case pad
    case relu
    case relu6
    case quantize
    case dequantize
    /// SHAPE, STRIDED_SLICE or PACK (named): int32 shape arithmetic that TFLiteConverter emits for a Keras Flatten
    /// to compute a RESHAPE's new shape at run time. Every tensor shape is static in the file, so the importers
    /// use the RESHAPE output's stored shape and drop these ops (they refuse one whose result feeds anything else).
    case shapeArithmetic(String)

    /// The TFLite builtin operator's name.
    public var name: String {
        switch self {
        case .conv2D: "CONV_2D"
        case .fullyConnected: "FULLY_CONNECTED"
        case .maxPool2D: "MAX_POOL_2D"
        case .averagePool2D: "AVERAGE_POOL_2D"
        case .mean: "MEAN"
        case .add: "ADD"
        case .reshape: "RESHAPE"
        case .softmax: "SOFTMAX"
        case .pad: "PAD"
        case .relu: "RELU"
        case .relu6: "RELU6"
        case .quantize: "QUANTIZE"
        case .dequantize: "DEQUANTIZE"
        case let .shapeArithmetic(name): name
        }
    }
}

public struct TFLiteOperator: Sendable, Equatable {
    public var index: Int
    public var op: TFLiteOp
    /// Tensor indices; nil where the file marks an optional input as absent (-1), e.g. a bias-less conv.
    public var inputs: [Int?]
    public var outputs: [Int]
}

extension TFLiteModel {
    /// Whether `bytes` carry the TFLite file identifier, for detecting the format by content.
    public static func isTFLite(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 8 && Array(bytes[4..<8]) == TFLiteSchema.identifier
    }

    /// Reads a .tflite file. Throws a one-line `ImportError` for malformed bytes, sizes over `limits`, or
    /// anything EdgeQuant does not import (several subgraphs, an op outside `TFLiteOp`, dilation, tensor types
    /// other than FLOAT32/INT8/INT32, sparse or variable tensors).
    public init(bytes: [UInt8], limits: TFLiteLimits = .default) throws(ImportError) {
        self = try TFLiteParser(bytes: bytes, limits: limits).parse()
    }
}

/// One pass over the file; every loop is bounded by a count checked against `limits` and the file size.
private struct TFLiteParser {
    let fb: FlatBuffer
    let limits: TFLiteLimits
    /// Running totals against the shared-object limits (a class so that the read-only parse steps can count).
    final class Totals {
        var scales = 0
        var stringBytes = 0
    }
    let totals = Totals()

    /// A string field, counted against `maxTotalStringBytes`.
    func string(_ table: FBTable, _ id: Int, _ what: @autoclosure () -> String) throws(ImportError) -> String? {
        guard let s = try table.string(id, what()) else { return nil }
        totals.stringBytes += s.utf8.count
        guard totals.stringBytes <= limits.maxTotalStringBytes else {
            throw .tooLarge("names and strings exceed \(limits.maxTotalStringBytes) bytes together")
        }
        return s
    }

    init(bytes: [UInt8], limits: TFLiteLimits) {
        self.fb = FlatBuffer(bytes)
        self.limits = limits
    }

    func parse() throws(ImportError) -> TFLiteModel {
        typealias M = TFLiteSchema.Model
        let root = try fb.root(identifier: TFLiteSchema.identifier)
        let version = try root.u32(M.version)
        guard version == 3 else {
            throw .unsupported("TFLite schema version \(version) (this reader knows version 3)")
        }
        let description = try string(root, M.description, "model description")
        let codes = try inContext("operator codes") { () throws(ImportError) in try operatorCodes(root) }
        guard let subgraphs = try root.vector(M.subgraphs, elementSize: 4, "subgraphs"), subgraphs.count > 0 else {
            throw .malformed("the model has no subgraph")
        }
        guard subgraphs.count == 1 else {
            throw .unsupported("the model has \(subgraphs.count) subgraphs (control flow or several signatures); "
                + "EdgeQuant imports single-subgraph models")
        }
        let buffers = try root.vector(M.buffers, elementSize: 4, "buffers")
        let subgraph = try subgraphs.table(0, "subgraph 0")
        return try inContext("subgraph 0", separator: " ") { () throws(ImportError) in
            try parseSubgraph(subgraph, codes: codes, buffers: buffers, version: version, description: description)
        }
    }

    /// Each operator code resolved to its builtin code (the larger of the two fields) or custom name.
    private func operatorCodes(_ root: FBTable) throws(ImportError) -> [(code: Int32, custom: String?)] {
        typealias C = TFLiteSchema.OperatorCode
        guard let vector = try root.vector(TFLiteSchema.Model.operatorCodes, elementSize: 4, "vector") else { return [] }
        guard vector.count <= limits.maxOperatorCodes else {
            throw .tooLarge("\(vector.count) operator codes (limit \(limits.maxOperatorCodes))")
        }
        var codes: [(code: Int32, custom: String?)] = []
        codes.reserveCapacity(vector.count)
        for i in 0..<vector.count {
            let table = try vector.table(i, "operator code \(i)")
            let deprecated = Int32(try table.i8(C.deprecatedBuiltinCode))
            let code = max(deprecated, try table.i32(C.builtinCode))
            let custom = try string(table, C.customCode, "operator code \(i) custom name")
            codes.append((code, custom))
        }
        return codes
    }

    private func parseSubgraph(_ subgraph: FBTable, codes: [(code: Int32, custom: String?)], buffers: FBVector?,
                               version: UInt32, description: String?) throws(ImportError) -> TFLiteModel {
        typealias S = TFLiteSchema.SubGraph
        let tensorVector = try subgraph.vector(S.tensors, elementSize: 4, "tensors")
        let tensorCount = tensorVector?.count ?? 0
        guard tensorCount <= limits.maxTensors else {
            throw .tooLarge("has \(tensorCount) tensors (limit \(limits.maxTensors))")
        }
        var tensors: [TFLiteTensor] = []
        tensors.reserveCapacity(tensorCount)
        var totalElements = 0
        if let tensorVector {
            for i in 0..<tensorCount {
                let table = try inContext("tensor \(i)") { () throws(ImportError) in try tensorVector.table(i, "table") }
                let tensor = try parseTensor(table, index: i, buffers: buffers)
                totalElements += tensor.elementCount
                guard totalElements <= limits.maxTotalElements else {
                    throw .tooLarge("tensors 0...\(i) hold more than \(limits.maxTotalElements) elements together")
                }
                tensors.append(tensor)
            }
        }
        let inputs = try tensorIndices(subgraph, S.inputs, "inputs", tensorCount: tensorCount)
        let outputs = try tensorIndices(subgraph, S.outputs, "outputs", tensorCount: tensorCount)
        guard !inputs.isEmpty, !outputs.isEmpty else {
            throw .malformed("has \(inputs.count) inputs and \(outputs.count) outputs (needs at least one each)")
        }

        let operatorVector = try subgraph.vector(S.operators, elementSize: 4, "operators")
        let operatorCount = operatorVector?.count ?? 0
        guard operatorCount <= limits.maxOperators else {
            throw .tooLarge("has \(operatorCount) operators (limit \(limits.maxOperators))")
        }
        var operators: [TFLiteOperator] = []
        operators.reserveCapacity(operatorCount)
        if let operatorVector {
            for i in 0..<operatorCount {
                let table = try inContext("operator \(i)") { () throws(ImportError) in try operatorVector.table(i, "table") }
                operators.append(try parseOperator(table, index: i, codes: codes, tensors: tensors))
            }
        }
        return TFLiteModel(version: version, description: description, tensors: tensors, operators: operators,
                           inputs: inputs, outputs: outputs)
    }

    private func tensorIndices(_ table: FBTable, _ id: Int, _ what: String, tensorCount: Int) throws(ImportError) -> [Int] {
        guard let vector = try table.vector(id, elementSize: 4, what) else { return [] }
        guard vector.count <= limits.maxOperands else {
            throw .tooLarge("\(vector.count) \(what) (limit \(limits.maxOperands))")
        }
        var out: [Int] = []
        for k in 0..<vector.count {
            let index = Int(vector.i32(k))
            guard index >= 0, index < tensorCount else {
                throw .malformed("\(what)[\(k)] is tensor \(index), out of range (\(tensorCount) tensors)")
            }
            out.append(index)
        }
        return out
    }

    private func parseTensor(_ table: FBTable, index: Int, buffers: FBVector?) throws(ImportError) -> TFLiteTensor {
        typealias T = TFLiteSchema.Tensor
        let name = try inContext("tensor \(index)") { () throws(ImportError) in try string(table, T.name, "name") } ?? ""
        return try inContext("tensor \(index) '\(printable(name))'") { () throws(ImportError) in
            let rawType = try table.i8(T.type)
            guard let type = TFLiteTensorType(rawValue: rawType) else {
                let typeName = TFLiteSchema.tensorTypeNames[rawType] ?? "type code \(rawType)"
                throw .unsupported("tensor type \(typeName) is not supported (FLOAT32, INT8 and INT32 are)")
            }
            var shape: [Int] = []
            var elements = 1
            if let vector = try table.vector(T.shape, elementSize: 4, "shape") {
                guard vector.count <= limits.maxRank else {
                    throw .unsupported("rank \(vector.count) (at most \(limits.maxRank))")
                }
                for k in 0..<vector.count {
                    let dim = Int(vector.i32(k))
                    guard dim >= 1 else { throw .malformed("shape dimension \(k) is \(dim)") }
                    // Both factors are at most the limit (< 2^31), so the product cannot overflow before the check.
                    elements *= dim
                    guard elements <= limits.maxTensorElements else {
                        throw .tooLarge("shape declares more than \(limits.maxTensorElements) elements")
                    }
                    shape.append(dim)
                }
            }
            if try table.table(T.sparsity, "sparsity") != nil {
                throw .unsupported("sparse tensors are not supported")
            }
            if try table.bool(T.isVariable) {
                throw .unsupported("variable tensors are not supported")
            }
            let bufferIndex = Int(try table.u32(T.buffer))
            let data = try bufferData(bufferIndex, buffers: buffers)
            if let data, data.count != elements * type.byteSize {
                throw .malformed("buffer \(bufferIndex) holds \(data.count) bytes, the \(type.name) shape \(shape) "
                    + "needs \(elements * type.byteSize)")
            }
            var quantization: TFLiteQuantization?
            if let q = try table.table(T.quantization, "quantization") {
                quantization = try parseQuantization(q, shape: shape, type: type)
            }
            return TFLiteTensor(index: index, name: name, shape: shape, type: type, buffer: bufferIndex, data: data,
                                quantization: quantization)
        }
    }

    /// The bytes of buffer `index`, or nil when it is empty (an activation tensor).
    private func bufferData(_ index: Int, buffers: FBVector?) throws(ImportError) -> ArraySlice<UInt8>? {
        typealias B = TFLiteSchema.Buffer
        let count = buffers?.count ?? 0
        guard let buffers, index < count else {
            throw .malformed("buffer index \(index) out of range (\(count) buffers)")
        }
        let table = try buffers.table(index, "buffer \(index)")
        if let data = try table.vector(B.data, elementSize: 1, "buffer \(index) data"), data.count > 0 {
            return fb.bytes[data.byteRange]
        }
        // Models over 2 GB keep data after the FlatBuffer: an offset from the start of the file (valid if > 1).
        let offset = try table.u64(B.offset), size = try table.u64(B.size)
        guard offset > 1, size > 0 else { return nil }
        guard offset <= UInt64(fb.count), size <= UInt64(fb.count) - offset else {
            throw .malformed("buffer \(index) points at bytes \(offset)..<\(offset &+ size), outside the "
                + "\(fb.count)-byte file")
        }
        return fb.bytes[Int(offset)..<Int(offset + size)]
    }

    private func parseQuantization(_ table: FBTable, shape: [Int], type: TFLiteTensorType) throws(ImportError) -> TFLiteQuantization? {
        typealias Q = TFLiteSchema.Quantization
        guard try table.u8(Q.detailsType) == 0 else {
            throw .unsupported("custom quantization details are not supported")
        }
        // Float tensors may carry only min/max (no scale): not quantized.
        guard let scales = try table.vector(Q.scale, elementSize: 4, "quantization scales"), scales.count > 0 else {
            return nil
        }
        let zeroPoints = try table.vector(Q.zeroPoint, elementSize: 8, "quantization zero points")
        guard let zeroPoints, zeroPoints.count == scales.count else {
            throw .malformed("\(scales.count) quantization scales but \(zeroPoints?.count ?? 0) zero points")
        }
        totals.scales += scales.count
        guard totals.scales <= limits.maxTotalScales else {
            throw .tooLarge("quantization scales exceed \(limits.maxTotalScales) in total")
        }
        let dimension = Int(try table.i32(Q.quantizedDimension))
        if scales.count > 1 {
            guard dimension >= 0, dimension < shape.count else {
                throw .malformed("quantized dimension \(dimension) is outside the shape \(shape)")
            }
            guard shape[dimension] == scales.count else {
                throw .malformed("\(scales.count) per-channel scales for dimension \(dimension) of size \(shape[dimension])")
            }
        }
        let zeroPointRange: ClosedRange<Int64> = type == .int8 ? -128...127 : Int64(Int32.min)...Int64(Int32.max)
        var scaleValues: [Float] = []
        var zeroPointValues: [Int] = []
        scaleValues.reserveCapacity(scales.count)
        zeroPointValues.reserveCapacity(scales.count)
        for k in 0..<scales.count {
            let scale = scales.f32(k)
            guard scale.isFinite, scale > 0 else { throw .malformed("quantization scale \(k) is \(scale)") }
            let zeroPoint = zeroPoints.i64(k)
            guard zeroPointRange.contains(zeroPoint) else {
                throw .malformed("zero point \(k) is \(zeroPoint), outside the \(type.name) range")
            }
            scaleValues.append(scale)
            zeroPointValues.append(Int(zeroPoint))
        }
        return TFLiteQuantization(scales: scaleValues, zeroPoints: zeroPointValues, quantizedDimension: dimension)
    }

    private func parseOperator(_ table: FBTable, index: Int, codes: [(code: Int32, custom: String?)],
                               tensors: [TFLiteTensor]) throws(ImportError) -> TFLiteOperator {
        typealias O = TFLiteSchema.Operator
        let opcodeIndex = Int(try inContext("operator \(index)") { () throws(ImportError) in try table.u32(O.opcodeIndex) })
        guard opcodeIndex < codes.count else {
            throw .malformed("operator \(index): opcode index \(opcodeIndex) out of range (\(codes.count) operator codes)")
        }
        let (code, custom) = codes[opcodeIndex]
        let label = code == 32 ? "custom op '\(printable(custom ?? ""))'" : TFLiteSchema.builtinName(code)
        return try inContext("operator \(index) (\(label))") { () throws(ImportError) in
            let inputs = try operands(table, O.inputs, "inputs", optional: true, tensorCount: tensors.count)
            let outputs = try operands(table, O.outputs, "outputs", optional: false, tensorCount: tensors.count)
            let op = try decodeOp(code, table)
            try checkArity(op, inputs: inputs, outputs: outputs)
            return TFLiteOperator(index: index, op: op, inputs: inputs, outputs: outputs.map { $0! })
        }
    }

    private func operands(_ table: FBTable, _ id: Int, _ what: String, optional: Bool,
                          tensorCount: Int) throws(ImportError) -> [Int?] {
        guard let vector = try table.vector(id, elementSize: 4, what) else { return [] }
        guard vector.count <= limits.maxOperands else {
            throw .tooLarge("\(vector.count) \(what) (limit \(limits.maxOperands))")
        }
        var out: [Int?] = []
        for k in 0..<vector.count {
            let index = Int(vector.i32(k))
            if index == -1, optional { out.append(nil); continue }
            guard index >= 0, index < tensorCount else {
                throw .malformed("\(what)[\(k)] is tensor \(index), out of range (\(tensorCount) tensors)")
            }
            out.append(index)
        }
        return out
    }

    /// The options table of the expected union member; nil when the file omits it (all fields then default).
    private func options(_ table: FBTable, _ tag: UInt8, _ what: String) throws(ImportError) -> FBTable? {
        typealias O = TFLiteSchema.Operator
        let stored = try table.u8(O.builtinOptionsType)
        guard stored != 0 else { return nil }
        guard stored == tag else {
            throw .malformed("builtin options are union member \(stored), expected \(what) (\(tag))")
        }
        return try table.table(O.builtinOptions, what)
    }

    private func decodeOp(_ code: Int32, _ table: FBTable) throws(ImportError) -> TFLiteOp {
        typealias Tag = TFLiteSchema.OptionsTag
        switch code {
        case 3:
            typealias F = TFLiteSchema.Conv2DOptions
            let o = try options(table, Tag.conv2D, "Conv2DOptions")
            let dilationW = try o?.i32(F.dilationW, default: 1) ?? 1
            let dilationH = try o?.i32(F.dilationH, default: 1) ?? 1
            guard dilationW == 1, dilationH == 1 else {
                throw .unsupported("dilation \(dilationH)x\(dilationW) is not supported (only 1x1)")
            }
            return .conv2D(TFLiteConv2DOptions(
                padding: try padding(try o?.u8(F.padding) ?? 0),
                strideH: try positive(try o?.i32(F.strideH) ?? 0, "stride_h"),
                strideW: try positive(try o?.i32(F.strideW) ?? 0, "stride_w"),
                activation: try activation(try o?.u8(F.fusedActivation) ?? 0)))
        case 4:
            throw .unsupported("DEPTHWISE_CONV_2D is not supported yet (EdgeQuant's kernels are regular convolutions)")
        case 9:
            typealias F = TFLiteSchema.FullyConnectedOptions
            let o = try options(table, Tag.fullyConnected, "FullyConnectedOptions")
            let format = try o?.u8(F.weightsFormat) ?? 0
            guard format == 0 else { throw .unsupported("weights format \(format) is not supported (only DEFAULT)") }
            return .fullyConnected(activation: try activation(try o?.u8(F.fusedActivation) ?? 0),
                                   keepNumDims: try o?.bool(F.keepNumDims) ?? false)
        case 17, 1:
            typealias F = TFLiteSchema.Pool2DOptions
            let o = try options(table, Tag.pool2D, "Pool2DOptions")
            let pool = TFLitePool2DOptions(
                padding: try padding(try o?.u8(F.padding) ?? 0),
                strideH: try positive(try o?.i32(F.strideH) ?? 0, "stride_h"),
                strideW: try positive(try o?.i32(F.strideW) ?? 0, "stride_w"),
                filterH: try positive(try o?.i32(F.filterHeight) ?? 0, "filter_height"),
                filterW: try positive(try o?.i32(F.filterWidth) ?? 0, "filter_width"),
                activation: try activation(try o?.u8(F.fusedActivation) ?? 0))
            return code == 17 ? .maxPool2D(pool) : .averagePool2D(pool)
        case 40:
            let o = try options(table, Tag.reducer, "ReducerOptions")
            return .mean(keepDims: try o?.bool(TFLiteSchema.ReducerOptions.keepDims) ?? false)
        case 0:
            let o = try options(table, Tag.add, "AddOptions")
            return .add(activation: try activation(try o?.u8(TFLiteSchema.AddOptions.fusedActivation) ?? 0))
        case 22:
            let o = try options(table, Tag.reshape, "ReshapeOptions")
            guard let v = try o?.vector(TFLiteSchema.ReshapeOptions.newShape, elementSize: 4, "new_shape") else {
                return .reshape(newShape: nil)
            }
            guard v.count <= limits.maxRank else { throw .unsupported("new_shape has rank \(v.count)") }
            return .reshape(newShape: (0..<v.count).map { Int(v.i32($0)) })
        case 25:
            let o = try options(table, Tag.softmax, "SoftmaxOptions")
            let beta = try o?.f32(TFLiteSchema.SoftmaxOptions.beta) ?? 0
            guard beta.isFinite, beta > 0 else { throw .malformed("softmax beta is \(beta)") }
            return .softmax(beta: beta)
        case 34:
            _ = try options(table, Tag.pad, "PadOptions")
            return .pad
        case 19: return .relu
        case 21: return .relu6
        case 114:
            _ = try options(table, Tag.quantize, "QuantizeOptions")
            return .quantize
        case 6:
            _ = try options(table, Tag.dequantize, "DequantizeOptions")
            return .dequantize
        case 77, 45, 83:
            // Options (ShapeOptions, StridedSliceOptions, PackOptions) are not needed: the result is not computed.
            return .shapeArithmetic(TFLiteSchema.builtinName(code))
        case 32:
            throw .unsupported("custom ops are not supported")
        default:
            throw .unsupported("not supported (EdgeQuant imports CONV_2D, FULLY_CONNECTED, MAX_POOL_2D, "
                + "AVERAGE_POOL_2D, MEAN, ADD, RESHAPE, SOFTMAX, PAD, RELU, RELU6, QUANTIZE, DEQUANTIZE)")
        }
    }

    private func padding(_ raw: UInt8) throws(ImportError) -> TFLitePadding {
        switch raw {
        case TFLiteSchema.paddingSame: return .same
        case TFLiteSchema.paddingValid: return .valid
        default: throw .malformed("padding \(raw) is neither SAME (0) nor VALID (1)")
        }
    }

    private func activation(_ raw: UInt8) throws(ImportError) -> TFLiteActivation {
        switch raw {
        case 0: return .none
        case 1: return .relu
        case 3: return .relu6
        default:
            let name = TFLiteSchema.activationNames[raw] ?? "code \(raw)"
            throw .unsupported("fused activation \(name) is not supported (NONE, RELU and RELU6 are)")
        }
    }

    /// Strides and window sizes: at least 1, and small enough that shape arithmetic on them cannot overflow.
    private func positive(_ value: Int32, _ what: String) throws(ImportError) -> Int {
        guard value >= 1, value <= 1 << 16 else { throw .malformed("\(what) is \(value) (expected 1...65536)") }
        return Int(value)
    }

    /// Operand counts per op; required operands must be present (optional ones may be -1 in the file).
    private func checkArity(_ op: TFLiteOp, inputs: [Int?], outputs: [Int?]) throws(ImportError) {
        let required: Int, allowed: ClosedRange<Int>
        switch op {
        case .conv2D, .fullyConnected: (required, allowed) = (2, 2...3)
        case .mean, .add, .pad: (required, allowed) = (2, 2...2)
        case .reshape: (required, allowed) = (1, 1...2)
        case .maxPool2D, .averagePool2D, .softmax, .relu, .relu6, .quantize, .dequantize: (required, allowed) = (1, 1...1)
        case .shapeArithmetic: (required, allowed) = (1, 1...limits.maxOperands)
        }
        guard allowed.contains(inputs.count) else {
            throw .malformed("has \(inputs.count) inputs, expected \(allowed.lowerBound == allowed.upperBound ? "\(allowed.lowerBound)" : "\(allowed.lowerBound) or \(allowed.upperBound)")")
        }
        if let missing = inputs.prefix(required).firstIndex(where: { $0 == nil }) {
            throw .malformed("required input \(missing) is absent (-1)")
        }
        guard outputs.count == 1 else { throw .malformed("has \(outputs.count) outputs, expected 1") }
    }
}
