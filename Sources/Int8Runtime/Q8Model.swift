/// A validated, zero-copy view of .q8 bytes. The bytes must outlive the view and stay unchanged; nothing is
/// copied or allocated, so the model can be executed straight from flash.
public struct Q8Model {
    public let bytes: UnsafeRawBufferPointer

    /// Checks everything the runtime later relies on (docs/q8-format.md, "Validation").
    public init(validating bytes: UnsafeRawBufferPointer) throws(Q8Error) {
        self.bytes = bytes
        try validate()
    }

    // MARK: Header

    public var tensorCount: Int { Int(u32(Q8Layout.Header.tensorCount)) }
    public var opCount: Int { Int(u32(Q8Layout.Header.opCount)) }
    /// Bytes of working memory the model needs.
    public var arenaSize: Int { Int(u32(Q8Layout.Header.arenaSize)) }
    /// The most bytes live at any one step: no plan of this op order can use a smaller arena.
    public var arenaLowerBound: Int { Int(u32(Q8Layout.Header.arenaLowerBound)) }
    public var macs: Int { Int(u32(Q8Layout.Header.macs)) }
    public var inputIndex: Int { Int(u16(Q8Layout.Header.inputTensor)) }
    public var outputIndex: Int { Int(u16(Q8Layout.Header.outputTensor)) }
    public var outputIsLogits: Bool { u32(Q8Layout.Header.flags) & Q8Layout.flagOutputIsLogits != 0 }
    /// The input normalization folded into the input quantization (docs/q8-format.md): a pixel / 255 `x` is fed as
    /// `round(((x − inputMean) / inputStd) / scale) + zero_point`. 0 and 1 for files that record none (1.0).
    public var inputMean: Float { hasInputNormalization ? Float(bitPattern: u32(Q8Layout.Header.inputMean)) : 0 }
    public var inputStd: Float { hasInputNormalization ? Float(bitPattern: u32(Q8Layout.Header.inputStd)) : 1 }
    private var hasInputNormalization: Bool {
        u32(Q8Layout.Header.inputMean) != 0 || u32(Q8Layout.Header.inputStd) != 0
    }
    public var input: Q8Tensor { tensor(inputIndex) }
    public var output: Q8Tensor { tensor(outputIndex) }
    var constantsOffset: Int { Int(u32(Q8Layout.Header.constants)) }

    // MARK: Tables

    public func tensor(_ index: Int) -> Q8Tensor {
        let at = Int(u32(Q8Layout.Header.tensorTable)) + index * Q8Layout.tensorRecordSize
        typealias F = Q8Layout.TensorRecord
        let first = u16(at + F.firstStep), last = u16(at + F.lastStep)
        return Q8Tensor(
            arenaOffset: Int(u32(at + F.arenaOffset)), size: Int(u32(at + F.size)),
            height: Int(u16(at + F.height)), width: Int(u16(at + F.width)), channels: Int(u16(at + F.channels)),
            scale: Float(bitPattern: u32(at + F.scale)), zeroPoint: Int32(bitPattern: u32(at + F.zeroPoint)),
            firstStep: first == Q8Layout.noTensor ? -1 : Int(first), lastStep: Int(last))
    }

    public func op(_ index: Int) -> Q8Op {
        let at = Int(u32(Q8Layout.Header.opTable)) + index * Q8Layout.opRecordSize
        typealias F = Q8Layout.OpRecord
        func offset(_ field: Int) -> Int? {
            let value = u32(at + field)
            return value == Q8Layout.noOffset ? nil : Int(value)
        }
        func parameter(_ k: Int) -> Int32 { Int32(bitPattern: u32(at + F.parameters + 4 * k)) }
        let input2 = u16(at + F.input2)
        return Q8Op(
            opcode: Q8Opcode(rawValue: bytes[at + F.opcode]) ?? .conv2D,
            input: Int(u16(at + F.input)), input2: input2 == Q8Layout.noTensor ? nil : Int(input2),
            output: Int(u16(at + F.output)),
            kernelHeight: Int(bytes[at + F.kernelHeight]), kernelWidth: Int(bytes[at + F.kernelWidth]),
            strideY: Int(bytes[at + F.strideY]), strideX: Int(bytes[at + F.strideX]),
            padTop: Int(bytes[at + F.padTop]), padLeft: Int(bytes[at + F.padLeft]),
            activationMin: Int32(Int8(bitPattern: bytes[at + F.activationMin])),
            activationMax: Int32(Int8(bitPattern: bytes[at + F.activationMax])),
            weights: offset(F.weights), bias: offset(F.bias), multipliers: offset(F.multipliers), shifts: offset(F.shifts),
            scratchOffset: Int(u32(at + F.scratchOffset)), scratchSize: Int(u32(at + F.scratchSize)),
            parameters: (parameter(0), parameter(1), parameter(2), parameter(3), parameter(4)))
    }

    /// A constant int8 array starting `offset` bytes into the constants section.
    func int8s(at offset: Int) -> UnsafePointer<Int8> {
        (bytes.baseAddress! + constantsOffset + offset).assumingMemoryBound(to: Int8.self)
    }

    /// A constant int32 array starting `offset` bytes into the constants section (4-byte aligned, validated).
    func int32s(at offset: Int) -> UnsafePointer<Int32> {
        (bytes.baseAddress! + constantsOffset + offset).assumingMemoryBound(to: Int32.self)
    }

    // MARK: Reading

    func u16(_ at: Int) -> UInt16 { UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self)) }
    func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
}
