@testable import ModelImport

/// A test-only FlatBuffer writer, simpler than the real builder: it writes front to back (each table's vtable,
/// then its inline fields, then the objects it refers to, so every reference points forward as the format
/// requires) and aligns nothing, which the reader must accept. Enough to make small hand-written .tflite files.
indirect enum FB {
    case table([Int: FBField])
    case ints([Int32])
    case floats([Float])
    case longs([Int64])
    case bytes([UInt8])
    case string(String)
    case tables([FB])
}

enum FBField {
    case u8(UInt8)
    case i8(Int8)
    case i32(Int32)
    case u32(UInt32)
    case f32(Float)
    case u64(UInt64)
    case ref(FB)
}

struct TestFlatBufferWriter {
    private(set) var bytes: [UInt8] = []

    /// A whole file: root offset, identifier, root table.
    static func file(_ root: FB, identifier: String = "TFL3") -> [UInt8] {
        var w = TestFlatBufferWriter()
        w.bytes = [0, 0, 0, 0] + Array(identifier.utf8)
        let position = w.write(root)
        w.patch(0, UInt32(position))
        return w.bytes
    }

    private mutating func append32(_ v: UInt32) { for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) } }
    private mutating func append16(_ v: UInt16) { bytes.append(UInt8(v & 0xFF)); bytes.append(UInt8(v >> 8)) }
    private mutating func patch(_ p: Int, _ v: UInt32) { for k in 0..<4 { bytes[p + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) } }

    /// Writes `node`; returns its position (a table's start, or a vector's length prefix).
    @discardableResult
    mutating func write(_ node: FB) -> Int {
        switch node {
        case let .table(fields):
            let ids = fields.keys.sorted()
            let size: (FBField) -> Int = {
                switch $0 {
                case .u8, .i8: 1
                case .i32, .u32, .f32, .ref: 4
                case .u64: 8
                }
            }
            var offsets: [Int: Int] = [:]
            var inline = 4
            for id in ids { offsets[id] = inline; inline += size(fields[id]!) }
            let slots = (ids.last ?? -1) + 1
            let vtable = bytes.count
            append16(UInt16(4 + 2 * slots))
            append16(UInt16(inline))
            for id in 0..<slots { append16(UInt16(offsets[id] ?? 0)) }
            let table = bytes.count
            append32(UInt32(bitPattern: Int32(table - vtable)))
            var refs: [(slot: Int, node: FB)] = []
            for id in ids {
                switch fields[id]! {
                case let .u8(v): bytes.append(v)
                case let .i8(v): bytes.append(UInt8(bitPattern: v))
                case let .i32(v): append32(UInt32(bitPattern: v))
                case let .u32(v): append32(v)
                case let .f32(v): append32(v.bitPattern)
                case let .u64(v): append32(UInt32(truncatingIfNeeded: v)); append32(UInt32(v >> 32))
                case let .ref(child): refs.append((bytes.count, child)); append32(0)
                }
            }
            for (slot, child) in refs { let p = write(child); patch(slot, UInt32(p - slot)) }
            return table
        case let .ints(values):
            let p = bytes.count
            append32(UInt32(values.count))
            for v in values { append32(UInt32(bitPattern: v)) }
            return p
        case let .floats(values):
            let p = bytes.count
            append32(UInt32(values.count))
            for v in values { append32(v.bitPattern) }
            return p
        case let .longs(values):
            let p = bytes.count
            append32(UInt32(values.count))
            for v in values { append32(UInt32(truncatingIfNeeded: v)); append32(UInt32(truncatingIfNeeded: v >> 32)) }
            return p
        case let .bytes(values):
            let p = bytes.count
            append32(UInt32(values.count))
            bytes += values
            return p
        case let .string(s):
            let p = bytes.count
            append32(UInt32(s.utf8.count))
            bytes += Array(s.utf8) + [0]
            return p
        case let .tables(children):
            let p = bytes.count
            append32(UInt32(children.count))
            let slots = bytes.count
            for _ in children { append32(0) }
            for (k, child) in children.enumerated() {
                let slot = slots + 4 * k
                let c = write(child)
                patch(slot, UInt32(c - slot))
            }
            return p
        }
    }
}

/// Hand-written TFLite models for the tests, field ids from TFLiteSchema.
struct TestTFLite {
    struct TensorSpec {
        var name: String
        var shape: [Int32]
        var type: Int8 = 0
        var buffer: UInt32 = 0
        var scales: [Float]? = nil
        var zeroPoints: [Int64]? = nil
        var quantizedDimension: Int32 = 0
    }

    struct OpSpec {
        var opcodeIndex: UInt32
        var inputs: [Int32]
        var outputs: [Int32]
        var optionsTag: UInt8 = 0
        var options: [Int: FBField]? = nil
    }

    /// Operator codes as (deprecated_builtin_code, builtin_code); nil leaves the field out.
    var codes: [(Int8?, Int32?)] = []
    var tensors: [TensorSpec] = []
    var ops: [OpSpec] = []
    var buffers: [[UInt8]] = [[]]
    var inputs: [Int32] = [0]
    var outputs: [Int32] = [0]
    var subgraphCount = 1
    var version: UInt32 = 3

    func tensorNode(_ t: TensorSpec) -> FB {
        typealias T = TFLiteSchema.Tensor
        var fields: [Int: FBField] = [T.shape: .ref(.ints(t.shape)), T.type: .i8(t.type), T.buffer: .u32(t.buffer),
                                      T.name: .ref(.string(t.name))]
        if let scales = t.scales {
            typealias Q = TFLiteSchema.Quantization
            fields[T.quantization] = .ref(.table([
                Q.scale: .ref(.floats(scales)),
                Q.zeroPoint: .ref(.longs(t.zeroPoints ?? scales.map { _ in 0 })),
                Q.quantizedDimension: .i32(t.quantizedDimension),
            ]))
        }
        return .table(fields)
    }

    func root() -> FB {
        typealias O = TFLiteSchema.Operator
        let opNodes: [FB] = ops.map { op in
            var fields: [Int: FBField] = [O.opcodeIndex: .u32(op.opcodeIndex), O.inputs: .ref(.ints(op.inputs)),
                                          O.outputs: .ref(.ints(op.outputs))]
            if let options = op.options {
                fields[O.builtinOptionsType] = .u8(op.optionsTag)
                fields[O.builtinOptions] = .ref(.table(options))
            }
            return .table(fields)
        }
        typealias S = TFLiteSchema.SubGraph
        let subgraph: FB = .table([S.tensors: .ref(.tables(tensors.map(tensorNode))), S.inputs: .ref(.ints(inputs)),
                                   S.outputs: .ref(.ints(outputs)), S.operators: .ref(.tables(opNodes)),
                                   S.name: .ref(.string("main"))])
        let codeNodes: [FB] = codes.map { code in
            var fields: [Int: FBField] = [:]
            if let d = code.0 { fields[TFLiteSchema.OperatorCode.deprecatedBuiltinCode] = .i8(d) }
            if let b = code.1 { fields[TFLiteSchema.OperatorCode.builtinCode] = .i32(b) }
            fields[TFLiteSchema.OperatorCode.version] = .i32(1)
            return .table(fields)
        }
        typealias M = TFLiteSchema.Model
        return .table([
            M.version: .u32(version),
            M.operatorCodes: .ref(.tables(codeNodes)),
            M.subgraphs: .ref(.tables(Array(repeating: subgraph, count: subgraphCount))),
            M.description: .ref(.string("hand-written")),
            M.buffers: .ref(.tables(buffers.map { $0.isEmpty ? .table([:]) : .table([TFLiteSchema.Buffer.data: .ref(.bytes($0))]) })),
        ])
    }

    func bytes() -> [UInt8] { TestFlatBufferWriter.file(root()) }

    static func floats(_ values: [Float]) -> [UInt8] {
        values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * UInt32($0))) } }
    }

    static func ints(_ values: [Int32]) -> [UInt8] {
        values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: UInt32(bitPattern: v) >> (8 * UInt32($0))) } }
    }

    /// A float model: input [1,5,5,1] -> PAD -> CONV_2D 3x3 (2 channels, options as given) -> RELU6 ->
    /// MAX_POOL_2D -> RESHAPE -> FULLY_CONNECTED (no bias) -> SOFTMAX.
    static func small(convOptions: [Int: FBField]? = [
        TFLiteSchema.Conv2DOptions.padding: .u8(1), TFLiteSchema.Conv2DOptions.strideW: .i32(1),
        TFLiteSchema.Conv2DOptions.strideH: .i32(1), TFLiteSchema.Conv2DOptions.fusedActivation: .u8(1),
    ]) -> TestTFLite {
        var m = TestTFLite()
        // CONV_2D by deprecated code only; PAD by both; the rest by builtin_code only (deprecated 0 omitted).
        m.codes = [(34, 34), (3, nil), (nil, 21), (nil, 17), (nil, 22), (nil, 9), (nil, 25)]
        m.buffers = [[], ints([0, 0, 1, 1, 1, 1, 0, 0]), floats((0..<18).map { Float($0) / 10 }), floats([0.5, -0.5]),
                     floats((0..<16).map { Float($0) })]
        m.tensors = [
            TensorSpec(name: "input", shape: [1, 5, 5, 1]),
            TensorSpec(name: "paddings", shape: [4, 2], type: 2, buffer: 1),
            TensorSpec(name: "padded", shape: [1, 7, 7, 1]),
            TensorSpec(name: "filter", shape: [2, 3, 3, 1], buffer: 2),
            TensorSpec(name: "bias", shape: [2], buffer: 3),
            TensorSpec(name: "conv", shape: [1, 5, 5, 2]),
            TensorSpec(name: "relu6", shape: [1, 5, 5, 2]),
            TensorSpec(name: "pool", shape: [1, 2, 2, 2]),
            TensorSpec(name: "flat", shape: [1, 8]),
            TensorSpec(name: "weights", shape: [2, 8], buffer: 4),
            TensorSpec(name: "logits", shape: [1, 2]),
            TensorSpec(name: "probabilities", shape: [1, 2]),
        ]
        typealias P = TFLiteSchema.Pool2DOptions
        m.ops = [
            OpSpec(opcodeIndex: 0, inputs: [0, 1], outputs: [2]),
            OpSpec(opcodeIndex: 1, inputs: [2, 3, 4], outputs: [5], optionsTag: 1, options: convOptions),
            OpSpec(opcodeIndex: 2, inputs: [5], outputs: [6]),
            OpSpec(opcodeIndex: 3, inputs: [6], outputs: [7], optionsTag: 5, options: [
                P.strideW: .i32(2), P.strideH: .i32(2), P.filterWidth: .i32(2), P.filterHeight: .i32(3)]),
            OpSpec(opcodeIndex: 4, inputs: [7], outputs: [8], optionsTag: 17, options: [0: .ref(.ints([1, 8]))]),
            OpSpec(opcodeIndex: 5, inputs: [8, 9, -1], outputs: [10], optionsTag: 8, options: [:]),
            OpSpec(opcodeIndex: 6, inputs: [10], outputs: [11], optionsTag: 9, options: [0: .f32(1)]),
        ]
        m.inputs = [0]
        m.outputs = [11]
        return m
    }
}
