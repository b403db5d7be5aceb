/// The facts of the TFLite FlatBuffer schema (tensorflow/lite/schema/schema.fbs, file identifier "TFL3") that the
/// reader needs: field ids of the tables it reads and the enum values it recognizes. A union field takes two ids:
/// its type tag, then its value. Fields appended to the schema later get higher ids, so older readers like this
/// one simply do not see them.
enum TFLiteSchema {
    static let identifier: [UInt8] = Array("TFL3".utf8)

    enum Model {
        static let version = 0, operatorCodes = 1, subgraphs = 2, description = 3, buffers = 4
    }

    enum SubGraph {
        static let tensors = 0, inputs = 1, outputs = 2, operators = 3, name = 4
    }

    enum Tensor {
        static let shape = 0, type = 1, buffer = 2, name = 3, quantization = 4, isVariable = 5, sparsity = 6
    }

    enum Quantization {
        static let min = 0, max = 1, scale = 2, zeroPoint = 3, detailsType = 4, details = 5, quantizedDimension = 6
    }

    enum Buffer {
        /// `data:[ubyte]`; models over 2 GB store `offset`/`size` (from the start of the file) instead.
        static let data = 0, offset = 1, size = 2
    }

    enum OperatorCode {
        /// `deprecated_builtin_code` is an int8; `builtin_code` an int32. Writers fill one or both: use the larger.
        static let deprecatedBuiltinCode = 0, customCode = 1, version = 2, builtinCode = 3
    }

    enum Operator {
        static let opcodeIndex = 0, inputs = 1, outputs = 2, builtinOptionsType = 3, builtinOptions = 4
        static let customOptions = 5
    }

    /// Tags of the `BuiltinOptions` union (its member order, NONE = 0).
    enum OptionsTag {
        static let conv2D: UInt8 = 1, depthwiseConv2D: UInt8 = 2, pool2D: UInt8 = 5, fullyConnected: UInt8 = 8
        static let softmax: UInt8 = 9, add: UInt8 = 11, reshape: UInt8 = 17, pad: UInt8 = 22, reducer: UInt8 = 27
        static let dequantize: UInt8 = 38, quantize: UInt8 = 89
        static let stridedSlice: UInt8 = 32, padV2: UInt8 = 43, shape: UInt8 = 55, pack: UInt8 = 59
    }

    enum Conv2DOptions {
        static let padding = 0, strideW = 1, strideH = 2, fusedActivation = 3, dilationW = 4, dilationH = 5
    }

    enum DepthwiseConv2DOptions {
        static let padding = 0, strideW = 1, strideH = 2, depthMultiplier = 3, fusedActivation = 4
    }

    enum Pool2DOptions {
        static let padding = 0, strideW = 1, strideH = 2, filterWidth = 3, filterHeight = 4, fusedActivation = 5
    }

    enum FullyConnectedOptions {
        static let fusedActivation = 0, weightsFormat = 1, keepNumDims = 2, asymmetricQuantizeInputs = 3
    }

    enum SoftmaxOptions { static let beta = 0 }
    enum AddOptions { static let fusedActivation = 0 }
    enum ReshapeOptions { static let newShape = 0 }
    enum ReducerOptions { static let keepDims = 0 }
    enum StridedSliceOptions {
        static let beginMask = 0, endMask = 1, ellipsisMask = 2, newAxisMask = 3, shrinkAxisMask = 4, offset = 5
    }
    enum PackOptions { static let valuesCount = 0, axis = 1 }

    /// `enum Padding : byte { SAME, VALID }`.
    static let paddingSame: UInt8 = 0, paddingValid: UInt8 = 1

    /// `enum ActivationFunctionType : byte`.
    static let activationNames: [UInt8: String] = [
        0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT",
    ]

    /// `enum TensorType : byte`, for naming refused types.
    static let tensorTypeNames: [Int8: String] = [
        0: "FLOAT32", 1: "FLOAT16", 2: "INT32", 3: "UINT8", 4: "INT64", 5: "STRING", 6: "BOOL", 7: "INT16",
        8: "COMPLEX64", 9: "INT8", 10: "FLOAT64", 11: "COMPLEX128", 12: "UINT64", 13: "RESOURCE", 14: "VARIANT",
        15: "UINT32", 16: "UINT16", 17: "INT4",
    ]

    /// `enum BuiltinOperator : int32`: the codes EdgeQuant reads, and the names of others a digit model may
    /// contain, so that a refusal names the op. Codes missing here are reported by number.
    static let builtinNames: [Int32: String] = [
        0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D",
        5: "DEPTH_TO_SPACE", 6: "DEQUANTIZE", 8: "FLOOR", 9: "FULLY_CONNECTED", 11: "L2_NORMALIZATION",
        12: "L2_POOL_2D", 13: "LOCAL_RESPONSE_NORMALIZATION", 14: "LOGISTIC", 16: "LSTM", 17: "MAX_POOL_2D",
        18: "MUL", 19: "RELU", 20: "RELU_N1_TO_1", 21: "RELU6", 22: "RESHAPE", 23: "RESIZE_BILINEAR", 25: "SOFTMAX",
        26: "SPACE_TO_DEPTH", 28: "TANH", 31: "CALL", 32: "CUSTOM", 34: "PAD", 36: "GATHER",
        37: "BATCH_TO_SPACE_ND", 38: "SPACE_TO_BATCH_ND", 39: "TRANSPOSE", 40: "MEAN", 41: "SUB", 42: "DIV",
        43: "SQUEEZE", 45: "STRIDED_SLICE", 47: "EXP", 49: "SPLIT", 50: "LOG_SOFTMAX", 53: "CAST", 54: "PRELU",
        55: "MAXIMUM", 56: "ARG_MAX", 57: "MINIMUM", 60: "PADV2", 65: "SLICE", 67: "TRANSPOSE_CONV",
        70: "EXPAND_DIMS", 74: "SUM", 75: "SQRT", 76: "RSQRT", 77: "SHAPE", 82: "REDUCE_MAX", 83: "PACK",
        88: "UNPACK", 92: "SQUARE", 97: "RESIZE_NEAREST_NEIGHBOR", 98: "LEAKY_RELU", 100: "MIRROR_PAD",
        102: "SPLIT_V", 106: "ADD_N", 111: "ELU", 114: "QUANTIZE", 117: "HARD_SWISH", 118: "IF", 119: "WHILE",
        126: "BATCH_MATMUL", 132: "CONV_3D", 150: "GELU",
    ]

    static func builtinName(_ code: Int32) -> String {
        builtinNames[code] ?? "builtin operator \(code)"
    }
}
