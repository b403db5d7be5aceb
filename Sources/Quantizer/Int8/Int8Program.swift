import Int8Runtime
import ModelFormat

/// An activation of the int8 model: its shape, quantization, and the float tensor it stands for.
public struct Int8Tensor: Equatable, Sendable {
    public var name: String
    public var height: Int
    public var width: Int
    public var channels: Int
    public var quantization: ActivationQuantization
    /// Index of the matching tensor in the prepared float graph (for SQNR against float).
    public var floatTensor: Int

    public var size: Int { height * width * channels }

    public init(name: String, height: Int, width: Int, channels: Int, quantization: ActivationQuantization, floatTensor: Int = -1) {
        self.name = name
        self.height = height
        self.width = width
        self.channels = channels
        self.quantization = quantization
        self.floatTensor = floatTensor
    }
}

/// One int8 op with everything the runtime needs, before placement in memory and serialization.
public struct Int8Layer: Equatable, Sendable {
    public var name: String
    public var opcode: Q8Opcode
    public var input: Int
    public var input2: Int?
    public var output: Int
    public var kernelHeight = 1, kernelWidth = 1, strideY = 1, strideX = 1, padTop = 0, padLeft = 0
    public var activationMin: Int8 = -128
    public var activationMax: Int8 = 127
    /// int8 weights, OHWI for Conv2D and `[M][N]` for FullyConnected.
    public var weights: [Int8] = []
    public var weightScales: [Float] = []
    public var bias: [Int32]? = nil
    public var multipliers: [Int32] = []
    public var shifts: [Int32] = []
    public var parameters: [Int32] = [0, 0, 0, 0, 0]

    public init(name: String, opcode: Q8Opcode, input: Int, output: Int) {
        self.name = name
        self.opcode = opcode
        self.input = input
        self.output = output
    }
}

/// The whole int8 model before memory planning.
public struct Int8Program: Equatable, Sendable {
    public var tensors: [Int8Tensor]
    public var layers: [Int8Layer]
    public var input: Int
    public var output: Int
    /// The output is logits; scores are their softmax after dequantization.
    public var outputIsLogits: Bool
    /// What a pixel / 255 becomes before the model reads it; the input quantization includes it (`inputQuantization`)
    /// and the .q8 header records it.
    public var inputNormalization: InputNormalization

    public init(tensors: [Int8Tensor], layers: [Int8Layer], input: Int, output: Int, outputIsLogits: Bool,
                inputNormalization: InputNormalization = .identity) {
        self.tensors = tensors
        self.layers = layers
        self.input = input
        self.output = output
        self.outputIsLogits = outputIsLogits
        self.inputNormalization = inputNormalization
    }

    /// The work of layer `index` as the runtime counts it (`Q8OpWork`: the loader's bound, the cost model and
    /// Firmware-Sim use the same definition); a fused pool's conv counts only the outputs its windows cover.
    /// `nil` when a figure overflows 64 bits.
    public func work(ofLayer index: Int) -> Q8OpWork? {
        let layer = layers[index]
        let x = tensors[layer.input], y = tensors[layer.output]
        // A fused max pool's window sits in parameters 0 and 1 (FuseConvMaxPool); all zero otherwise.
        var poolHeight: UInt64 = 0, poolWidth: UInt64 = 0
        if layer.opcode == .conv2D, layer.parameters.count >= 2, layer.parameters[0] > 0, layer.parameters[1] > 0 {
            poolHeight = UInt64(layer.parameters[0])
            poolWidth = UInt64(layer.parameters[1])
        }
        let inputSize = UInt64(x.size), inputChannels = UInt64(x.channels), outputSize = UInt64(y.size)
        let kernelHeight = UInt64(layer.kernelHeight), kernelWidth = UInt64(layer.kernelWidth)
        return Q8OpWork(opcode: layer.opcode, inputSize: inputSize, inputChannels: inputChannels, outputSize: outputSize,
                        kernelHeight: kernelHeight, kernelWidth: kernelWidth, poolHeight: poolHeight, poolWidth: poolWidth)
    }

    /// Multiply-accumulates of layer `index` (Int.max when they overflow).
    public func macs(ofLayer index: Int) -> Int {
        work(ofLayer: index).map { Int(clamping: $0.macs) } ?? .max
    }

    /// Multiply-accumulates per inference (Int.max when they overflow).
    public var macs: Int {
        layers.indices.reduce(0) { total, index in
            let (sum, overflow) = total.addingReportingOverflow(macs(ofLayer: index))
            return overflow ? .max : sum
        }
    }
    /// Bytes of weights, biases, multipliers and shifts.
    public var constantBytes: Int {
        layers.reduce(0) { $0 + $1.weights.count + 4 * (($1.bias?.count ?? 0) + $1.multipliers.count + $1.shifts.count) }
    }

    /// For each layer, the bytes of arena scratch its kernel needs (the kernels' `scratchSize` twins, computed from
    /// the op's shapes: the most any target's kernels take, so one .q8 serves them all); 0 for none.
    public var scratchSizes: [Int] {
        layers.map { layer in
            let input = tensors[layer.input], output = tensors[layer.output]
            switch layer.opcode {
            case .conv2D:
                return ConvInt8.scratchSize(
                    kernelHeight: layer.kernelHeight, kernelWidth: layer.kernelWidth, inputChannels: input.channels,
                    outputChannels: output.channels, poolHeight: Int(layer.parameters[0]), poolWidth: Int(layer.parameters[1]))
            case .add:
                return AddInt8.scratchSize(count: output.size)
            case .fullyConnected, .maxPool2D, .averagePool2D, .mean, .softmax, .pad:
                return 0
            }
        }
    }

    /// For each tensor, the step that writes it (−1 for the input) and the last step that reads it
    /// (the layer count for the output).
    public var lifetimes: [(first: Int, last: Int)] {
        var result = tensors.map { _ in (first: Int.max, last: -1) }
        result[input].first = -1
        for (step, layer) in layers.enumerated() {
            result[layer.output].first = min(result[layer.output].first, step)
            for read in [layer.input] + (layer.input2.map { [$0] } ?? []) {
                result[read].last = max(result[read].last, step)
            }
        }
        result[output].last = layers.count
        return result
    }
}
