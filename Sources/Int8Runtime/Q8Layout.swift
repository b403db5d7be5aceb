/// Byte layout of a .q8 file (docs/q8-format.md), shared by the writer and the runtime.
public enum Q8Layout {
    public static let magic: UInt32 = 0x4D38_5145 // "EQ8M" read little-endian
    public static let versionMajor: UInt16 = 1
    public static let versionMinor: UInt16 = 1
    public static let headerSize = 64
    public static let tensorRecordSize = 32
    public static let opRecordSize = 64
    public static let sectionAlignment = 16
    public static let maxTensors = 1024
    public static let maxOps = 1024
    /// The most work (multiply-accumulates, or values read by pools and adds) a model may ask for per
    /// inference: 2^32, seconds on a host, so no file can make a run effectively hang. (A literal, not `1 << 32`:
    /// on 32-bit ARMv6-M the shift is not folded, the global gets a lazy initializer, and its swift_once needs
    /// __atomic_* library calls that ARMv6-M cannot provide.)
    public static let maxWork: UInt64 = 0x1_0000_0000
    /// Marks an absent tensor index (u16) or array offset (u32).
    public static let noTensor: UInt16 = 0xFFFF
    public static let noOffset: UInt32 = 0xFFFF_FFFF

    /// Header field offsets.
    public enum Header {
        public static let magic = 0, versionMajor = 4, versionMinor = 6, fileSize = 8, tensorCount = 12, opCount = 16
        public static let tensorTable = 20, opTable = 24, constants = 28, constantsSize = 32, arenaSize = 36
        public static let inputTensor = 40, outputTensor = 42, arenaLowerBound = 44, macs = 48, flags = 52
        /// Version 1.1: the input normalization, mean and std (f32 each), that the input quantization already
        /// includes: what a pixel / 255 becomes before the model reads it, `(x − mean) / std`. Both 0 in 1.0
        /// files (reserved then): the identity.
        public static let inputMean = 56, inputStd = 60
    }

    /// Tensor record field offsets.
    public enum TensorRecord {
        public static let arenaOffset = 0, size = 4, height = 8, width = 10, channels = 12
        public static let scale = 16, zeroPoint = 20, firstStep = 24, lastStep = 26
        /// Must be zero: a u16 and a u32.
        public static let reserved = 14, reserved2 = 28
    }

    /// Op record field offsets.
    public enum OpRecord {
        public static let opcode = 0, input = 2, input2 = 4, output = 6
        public static let kernelHeight = 8, kernelWidth = 9, strideY = 10, strideX = 11, padTop = 12, padLeft = 13
        public static let activationMin = 16, activationMax = 17
        public static let weights = 20, bias = 24, multipliers = 28, shifts = 32, scratchOffset = 36, scratchSize = 40
        public static let parameters = 44
        /// Must be zero: a u8 and two u16.
        public static let reserved = 1, reserved2 = 14, reserved3 = 18
    }

    /// Header flag: the output holds logits (probabilities are their softmax).
    public static let flagOutputIsLogits: UInt32 = 1
}

/// The operations of a .q8 op table.
public enum Q8Opcode: UInt8, Sendable {
    case conv2D = 1
    case fullyConnected = 2
    case maxPool2D = 3
    case averagePool2D = 4
    case mean = 5
    case add = 6
    /// Int8 softmax over channels (TFLite Micro's reference arithmetic; output scale 1/256, zero point -128).
    case softmax = 7
    /// Zero padding of height and width (filled with the zero point); pad_top, pad_left in the op record.
    case pad = 8
}
