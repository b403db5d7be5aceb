import Int8Runtime
import ModelFormat
import Quantizer

/// A full-integer .tflite (TFLiteConverter with `TFLITE_BUILTINS_INT8`) as an int8 program, AS IT IS: the file's
/// own scales, zero points, per-channel int8 weights and int32 biases; nothing re-quantized, nothing calibrated.
/// Every derived parameter (requantization multipliers, Add's input shifts, Softmax's beta multiplier and
/// diff_min) is computed from the file's scales the way TFLite Micro's Prepare computes it, so the runtime's
/// outputs equal TFLite Micro's reference kernels byte for byte (docs/importing.md, "int8 TFLite").
///
/// Ops: CONV_2D, FULLY_CONNECTED, MAX/AVERAGE_POOL_2D, MEAN over H and W, ADD, RESHAPE (as a view), SOFTMAX, PAD
/// folded into the next CONV_2D or MAX_POOL_2D where that is exact, SHAPE/STRIDED_SLICE/PACK feeding only a
/// RESHAPE's shape (dropped), QUANTIZE/DEQUANTIZE at the graph edges (stripped, with a note). Anything else is
/// refused with one line naming the op and its operator index.
public enum TFLiteInt8Import {
    /// The program and what was done to the file on the way (stripped edge ops), one line each.
    public struct Result: Sendable, Equatable {
        public var program: Int8Program
        public var notes: [String]
    }

    /// Whether `model` is a full-integer model: an INT8 graph input, or a FLOAT32 input that a QUANTIZE turns
    /// into INT8 first.
    public static func isFullInteger(_ model: TFLiteModel) -> Bool {
        guard model.inputs.count == 1 else { return false }
        let input = model.tensors[model.inputs[0]]
        if input.type == .int8 { return true }
        return model.operators.first.map { $0.op == .quantize && $0.inputs.first == model.inputs[0] } ?? false
    }

    public static func program(_ model: TFLiteModel) throws(ImportError) -> Result {
        var builder = Builder(model: model)
        try builder.run()
        return Result(program: Int8Program(tensors: builder.tensors, layers: builder.layers, input: builder.input,
                                           output: builder.output, outputIsLogits: builder.outputIsLogits),
                      notes: builder.notes)
    }
}

/// A PAD not yet applied: its input's int8 tensor and the zeros it adds on each side of H and W.
private struct PendingPad {
    var source: Int
    var top: Int, bottom: Int, left: Int, right: Int
    var operatorIndex: Int
}

private struct Builder {
    let model: TFLiteModel
    var tensors: [Int8Tensor] = []
    var layers: [Int8Layer] = []
    var input = 0
    var output = 0
    var outputIsLogits = true
    var notes: [String] = []
    /// TFLite tensor index to int8 tensor index.
    var map: [Int: Int] = [:]
    /// TFLite tensor index of a PAD's output to the pad it stands for.
    var pads: [Int: PendingPad] = [:]
    /// Operators that read each TFLite tensor (operator index, operand position).
    var readers: [Int: [(op: Int, position: Int)]] = [:]

    init(model: TFLiteModel) {
        self.model = model
        for op in model.operators {
            for (position, t) in op.inputs.enumerated() {
                if let t { readers[t, default: []].append((op.index, position)) }
            }
        }
    }

    mutating func run() throws(ImportError) {
        guard model.inputs.count == 1, model.outputs.count == 1 else {
            throw .unsupported("the model has \(model.inputs.count) inputs and \(model.outputs.count) outputs; EdgeQuant imports one of each")
        }
        var graphInput = model.inputs[0]
        var graphOutput = model.outputs[0]
        var operators = model.operators[...]
        // Float edges: a QUANTIZE first and a DEQUANTIZE last are TFLite's float interface around an int8 model.
        // The .q8 takes and gives int8 (the tools quantize pixels with the input's own scale and zero point,
        // as QUANTIZE would), so they are stripped.
        if model.tensors[graphInput].type == .float32, let first = operators.first, first.op == .quantize,
           first.inputs.first == graphInput {
            graphInput = first.outputs[0]
            operators = operators.dropFirst()
            notes.append("operator \(first.index) (QUANTIZE) of the float32 input stripped: the .q8 takes the int8 input "
                + "(scale \(model.tensors[graphInput].quantization?.scales.first ?? 0), zero point \(model.tensors[graphInput].quantization?.zeroPoints.first ?? 0))")
        }
        if model.tensors[graphOutput].type == .float32, let last = operators.last, last.op == .dequantize,
           last.outputs[0] == graphOutput, let source = last.inputs.first ?? nil {
            graphOutput = source
            operators = operators.dropLast()
            notes.append("operator \(last.index) (DEQUANTIZE) of the float32 output stripped: the .q8 gives the int8 output")
        }
        input = try activation(graphInput, what: "the graph input")
        for op in operators {
            try inContext("operator \(op.index) (\(op.op.name))") { () throws(ImportError) in try lower(op) }
        }
        guard pads[graphOutput] == nil, let out = map[graphOutput] else {
            throw .unsupported("the graph output '\(printable(model.tensors[graphOutput].name))' is not computed by an op EdgeQuant imports")
        }
        guard out != input else { throw .unsupported("the graph output is its input (no op to run)") }
        output = out
    }

    // MARK: Tensors

    /// The (height, width, channels) of an activation shape: NHWC with batch 1, [1, C] or [C].
    func dims(_ shape: [Int], what: String) throws(ImportError) -> (Int, Int, Int) {
        switch shape.count {
        case 4 where shape[0] == 1: return (shape[1], shape[2], shape[3])
        case 3 where shape[0] == 1: return (1, shape[1], shape[2])
        case 2 where shape[0] == 1: return (1, 1, shape[1])
        case 1: return (1, 1, shape[0])
        default: throw .unsupported("\(what) has shape \(shape); EdgeQuant imports batch-1 NHWC, [1, C] or [C] activations")
        }
    }

    /// The per-tensor int8 quantization of TFLite tensor `t`.
    func quantization(_ t: Int, what: String) throws(ImportError) -> ActivationQuantization {
        let tensor = model.tensors[t]
        guard tensor.type == .int8 else {
            throw .unsupported("\(what) '\(printable(tensor.name))' is \(tensor.type.name), not INT8 (a model not fully integer-quantized)")
        }
        guard let q = tensor.quantization, q.scales.count == 1 else {
            throw .unsupported("\(what) '\(printable(tensor.name))' has no per-tensor quantization")
        }
        return ActivationQuantization(scale: q.scales[0], zeroPoint: Int32(q.zeroPoints[0]))
    }

    /// The int8 tensor for TFLite activation `t`, created on first use.
    mutating func activation(_ t: Int, what: String) throws(ImportError) -> Int {
        if let index = map[t] { return index }
        let tensor = model.tensors[t]
        guard !tensor.isConstant else { throw .unsupported("\(what) '\(printable(tensor.name))' is a constant; EdgeQuant needs an activation there") }
        let (h, w, c) = try dims(tensor.shape, what: what)
        let q = try quantization(t, what: what)
        tensors.append(Int8Tensor(name: tensor.name, height: h, width: w, channels: c, quantization: q))
        map[t] = tensors.count - 1
        return tensors.count - 1
    }

    /// The int8 tensor an op reads at operand `position` (already written by an earlier op, or the input).
    func read(_ op: TFLiteOperator, _ position: Int) throws(ImportError) -> Int {
        guard position < op.inputs.count, let t = op.inputs[position] else { throw .malformed("input \(position) is absent") }
        guard let index = map[t] else {
            if pads[t] != nil { throw .unsupported("reads the output of a PAD folded into its one CONV_2D or MAX_POOL_2D") }
            throw .unsupported("input \(position) '\(printable(model.tensors[t].name))' is not computed by an op EdgeQuant imports")
        }
        return index
    }

    /// Operand `position`'s constant tensor.
    func constant(_ op: TFLiteOperator, _ position: Int, what: String) throws(ImportError) -> TFLiteTensor? {
        guard position < op.inputs.count, let t = op.inputs[position] else { return nil }
        let tensor = model.tensors[t]
        guard tensor.isConstant else { throw .unsupported("the \(what) '\(printable(tensor.name))' is not a constant") }
        return tensor
    }

    // MARK: Ops

    mutating func lower(_ op: TFLiteOperator) throws(ImportError) {
        switch op.op {
        case let .conv2D(options):
            try weighted(op, kind: .conv2D(options))
        case let .fullyConnected(activation, _):
            try weighted(op, kind: .fullyConnected(activation))
        case let .maxPool2D(options), let .averagePool2D(options):
            var isMax = false
            if case .maxPool2D = op.op { isMax = true }
            try pool(op, options, isMax: isMax)
        case .mean:
            try mean(op)
        case let .add(fused):
            let x = try read(op, 0), z = try read(op, 1)
            let y = try activation(op.outputs[0], what: "the output")
            let (tx, tz, ty) = (tensors[x], tensors[z], tensors[y])
            guard (tx.height, tx.width, tx.channels) == (ty.height, ty.width, ty.channels),
                  (tz.height, tz.width, tz.channels) == (ty.height, ty.width, ty.channels) else {
                throw .unsupported("broadcasting ADD (shapes \(shape(tx)), \(shape(tz)) -> \(shape(ty))) is not supported")
            }
            var layer = Int8Layer(name: model.tensors[op.outputs[0]].name, opcode: .add, input: x, output: y)
            layer.input2 = z
            // TFLite Micro's int8 ADD Prepare: left shift 20, both inputs to twice the larger input scale.
            layer.parameters = addParameters(tx.quantization.scale, tz.quantization.scale, ty.quantization.scale)
            (layer.activationMin, layer.activationMax) = ty.quantization.clampRange(Self.activation(fused))
            layers.append(layer)
        case .reshape:
            try reshape(op)
        case let .softmax(beta):
            try softmax(op, beta: beta)
        case .pad:
            try pad(op)
        case .padV2:
            throw .unsupported("PADV2 is not supported in an int8 model (TFLiteConverter writes PAD; its fill is the zero point)")
        case .shape, .stridedSlice, .pack:
            // Its result may feed only RESHAPE shapes (operand 1) or more shape arithmetic.
            for t in op.outputs {
                for reader in readers[t] ?? [] {
                    let consumer = model.operators[reader.op]
                    let ok: Bool
                    switch consumer.op {
                    case .reshape: ok = reader.position == 1
                    case .shape, .stridedSlice, .pack: ok = true
                    default: ok = false
                    }
                    guard ok else {
                        throw .unsupported("its int32 result feeds operator \(reader.op) (\(consumer.op.name)); EdgeQuant drops shape arithmetic only when it computes a RESHAPE's shape")
                    }
                }
            }
        case .relu, .relu6:
            throw .unsupported("a standalone \(op.op.name) is not supported (EdgeQuant's int8 ops take it fused, as TFLiteConverter usually writes it)")
        case .quantize, .dequantize:
            throw .unsupported("\(op.op.name) inside the graph is not supported (only a float input's QUANTIZE and a float output's DEQUANTIZE, which are stripped)")
        }
    }

    enum WeightedKind {
        case conv2D(TFLiteConv2DOptions)
        case fullyConnected(TFLiteActivation)
    }

    /// CONV_2D and FULLY_CONNECTED: int8 weights (per channel along dimension 0, or per tensor), zero points 0,
    /// an optional INT32 bias, and TFLite Micro's per-channel multipliers.
    mutating func weighted(_ op: TFLiteOperator, kind: WeightedKind) throws(ImportError) {
        let pending = op.inputs[0].flatMap { pads[$0] }
        let x: Int
        if let pending { x = pending.source } else { x = try read(op, 0) }
        let y = try activation(op.outputs[0], what: "the output")
        guard let filter = try constant(op, 1, what: "filter"), filter.type == .int8, let weights = filter.int8Values else {
            throw .unsupported("the filter is not an INT8 constant")
        }
        guard let fq = filter.quantization, fq.zeroPoints.allSatisfy({ $0 == 0 }) else {
            throw .unsupported("the filter '\(printable(filter.name))' is not symmetrically quantized (zero points must be 0)")
        }
        let outChannels = filter.shape.first ?? 0
        guard fq.scales.count == 1 || (fq.quantizedDimension == 0 && fq.scales.count == outChannels) else {
            throw .unsupported("the filter is quantized along dimension \(fq.quantizedDimension); EdgeQuant takes per-tensor or per-output-channel (dimension 0)")
        }
        let tx = tensors[x], ty = tensors[y]
        guard ty.channels == outChannels else {
            throw .malformed("the filter has \(outChannels) output channels, the output \(ty.channels)")
        }
        var layer: Int8Layer
        let activation: TFLiteActivation
        var multiplierScales: [Double]
        let inScale = Double(tx.quantization.scale), outScale = Double(ty.quantization.scale)
        switch kind {
        case let .conv2D(options):
            activation = options.activation
            guard filter.shape.count == 4, filter.shape[3] == tx.channels else {
                throw .malformed("filter shape \(filter.shape) does not match \(tx.channels) input channels")
            }
            layer = Int8Layer(name: model.tensors[op.outputs[0]].name, opcode: .conv2D, input: x, output: y)
            (layer.kernelHeight, layer.kernelWidth) = (filter.shape[1], filter.shape[2])
            (layer.strideY, layer.strideX) = (options.strideH, options.strideW)
            try place(&layer, padding: options.padding, pending: pending, operatorIndex: op.index)
            // TFLite Micro's PopulateConvolutionQuantizationParams: input_scale · filter_scale / output_scale in double.
            multiplierScales = (0..<outChannels).map { c in inScale * Double(fq.scales[fq.scales.count == 1 ? 0 : c]) / outScale }
        case let .fullyConnected(fused):
            activation = fused
            guard pending == nil else { throw .unsupported("a PAD before FULLY_CONNECTED cannot be folded") }
            guard filter.shape.count == 2, filter.shape[1] == tx.size, ty.size == outChannels else {
                throw .unsupported("weights \(filter.shape) for an input of \(tx.size) values and an output of \(ty.size) "
                    + "(EdgeQuant's FULLY_CONNECTED takes the whole input as one row)")
            }
            layer = Int8Layer(name: model.tensors[op.outputs[0]].name, opcode: .fullyConnected, input: x, output: y)
            if fq.scales.count == 1 {
                // Per-tensor: TFLite's GetQuantizedConvolutionMultipler takes the product of the scales in float.
                multiplierScales = [Double](repeating: Double(tx.quantization.scale * fq.scales[0]) / outScale, count: outChannels)
            } else {
                multiplierScales = (0..<outChannels).map { c in inScale * Double(fq.scales[c]) / outScale }
            }
        }
        layer.weights = weights
        layer.weightScales = fq.scales.count == 1 ? [Float](repeating: fq.scales[0], count: outChannels) : fq.scales
        if let bias = try constant(op, 2, what: "bias") {
            guard bias.type == .int32, let values = bias.int32Values, values.count == outChannels else {
                throw .unsupported("the bias '\(printable(bias.name))' is not an INT32 constant of \(outChannels) values")
            }
            layer.bias = values
        }
        for real in multiplierScales {
            let m = QuantizedMultiplier(real)
            layer.multipliers.append(m.multiplier)
            layer.shifts.append(m.shift)
        }
        (layer.activationMin, layer.activationMax) = ty.quantization.clampRange(Self.activation(activation))
        layers.append(layer)
    }

    /// Sets the window's top and left padding from TFLite's SAME/VALID rule plus a folded PAD, and checks the
    /// output size the file records.
    func place(_ layer: inout Int8Layer, padding: TFLitePadding, pending: PendingPad?, operatorIndex: Int) throws(ImportError) {
        let tx = tensors[layer.input], ty = tensors[layer.output]
        let inH = tx.height + (pending.map { $0.top + $0.bottom } ?? 0)
        let inW = tx.width + (pending.map { $0.left + $0.right } ?? 0)
        func axis(_ size: Int, _ k: Int, _ stride: Int) -> (out: Int, before: Int) {
            switch padding {
            case .valid: return (size >= k ? (size - k) / stride + 1 : 0, 0)
            case .same:
                let out = (size + stride - 1) / stride
                return (out, max((out - 1) * stride + k - size, 0) / 2)
            }
        }
        let v = axis(inH, layer.kernelHeight, layer.strideY), h = axis(inW, layer.kernelWidth, layer.strideX)
        guard v.out == ty.height, h.out == ty.width else {
            throw .malformed("the output is \(ty.height)x\(ty.width), the window gives \(v.out)x\(h.out)")
        }
        layer.padTop = v.before + (pending?.top ?? 0)
        layer.padLeft = h.before + (pending?.left ?? 0)
        // The runtime skips padded positions; that equals zero padding only while every window still covers a
        // real pixel and each padding is smaller than the window (the .q8 validation rule).
        guard layer.padTop < layer.kernelHeight, layer.padLeft < layer.kernelWidth,
              (ty.height - 1) * layer.strideY - layer.padTop < tx.height,
              (ty.width - 1) * layer.strideX - layer.padLeft < tx.width,
              max(layer.kernelHeight, layer.kernelWidth, layer.strideY, layer.strideX) <= 255 else {
            throw .unsupported("padding \(layer.padTop) top, \(layer.padLeft) left"
                + (pending.map { " (with the PAD of operator \($0.operatorIndex))" } ?? "")
                + " for a \(layer.kernelHeight)x\(layer.kernelWidth) window is not supported (each pad must be smaller than the window)")
        }
    }

    mutating func pool(_ op: TFLiteOperator, _ options: TFLitePool2DOptions, isMax: Bool) throws(ImportError) {
        let pending = op.inputs[0].flatMap { pads[$0] }
        let x: Int
        if let pending { x = pending.source } else { x = try read(op, 0) }
        let y = try activation(op.outputs[0], what: "the output")
        guard tensors[x].quantization == tensors[y].quantization else {
            throw .unsupported("input and output quantization differ (TFLite pools keep their input's)")
        }
        if pending != nil {
            // A PAD writes the zero point; a max pool that skips the padded positions gives the same maximum only
            // when the zero point is -128 (it never wins). An average pool would count the padded zeros.
            guard isMax, tensors[x].quantization.zeroPoint == -128 else {
                throw .unsupported("the PAD before it cannot be folded (only into a MAX_POOL_2D whose zero point is -128)")
            }
        }
        guard tensors[x].channels == tensors[y].channels else { throw .malformed("input and output channels differ") }
        var layer = Int8Layer(name: model.tensors[op.outputs[0]].name, opcode: isMax ? .maxPool2D : .averagePool2D, input: x, output: y)
        (layer.kernelHeight, layer.kernelWidth) = (options.filterH, options.filterW)
        (layer.strideY, layer.strideX) = (options.strideH, options.strideW)
        try place(&layer, padding: options.padding, pending: pending, operatorIndex: op.index)
        (layer.activationMin, layer.activationMax) = tensors[y].quantization.clampRange(Self.activation(options.activation))
        layers.append(layer)
    }

    mutating func mean(_ op: TFLiteOperator) throws(ImportError) {
        let x = try read(op, 0)
        guard let axes = try constant(op, 1, what: "axes")?.int32Values, Set(axes) == [1, 2], axes.count == 2,
              model.tensors[op.inputs[0]!].shape.count == 4 else {
            throw .unsupported("only a MEAN over height and width (axes 1 and 2) of an NHWC tensor is supported")
        }
        let y = try activation(op.outputs[0], what: "the output")
        let tx = tensors[x], ty = tensors[y]
        guard ty.height == 1, ty.width == 1, ty.channels == tx.channels else {
            throw .malformed("the output \(shape(ty)) is not the input's channels")
        }
        // TFLite Micro's reference MEAN (reduce.h QuantizedMeanOrSum): the sum minus input_zero_point · n,
        // requantized by QuantizeMultiplier(in_scale / out_scale) with 1/n folded in (`meanParameters`), exactly the
        // runtime's MEAN. With equal input and output quantization TFLite Micro instead divides the raw sum by n,
        // truncating, which the runtime does not do.
        guard tx.quantization != ty.quantization else {
            throw .unsupported("a MEAN with equal input and output quantization (TFLite Micro truncates the average there; EdgeQuant's MEAN rounds)")
        }
        let m = meanParameters(tx.quantization.scale, ty.quantization.scale, count: tx.height * tx.width)
        var layer = Int8Layer(name: model.tensors[op.outputs[0]].name, opcode: .mean, input: x, output: y)
        layer.parameters = [m.multiplier, m.shift, 0, 0, 0]
        layers.append(layer)
    }

    mutating func reshape(_ op: TFLiteOperator) throws(ImportError) {
        let x = try read(op, 0)
        let out = op.outputs[0]
        let (h, w, c) = try dims(model.tensors[out].shape, what: "the output")
        let q = try quantization(out, what: "the output")
        let tx = tensors[x]
        guard q == tx.quantization else { throw .unsupported("RESHAPE changes the quantization (a view must keep it)") }
        guard h * w * c == tx.size else { throw .malformed("RESHAPE from \(tx.size) to \(h * w * c) values") }
        // A view: the same bytes. Ops that look at the layout (all but FULLY_CONNECTED) must see the same shape.
        if (h, w, c) != (tx.height, tx.width, tx.channels) {
            for reader in readers[out] ?? [] {
                guard case .fullyConnected = model.operators[reader.op].op else {
                    throw .unsupported("its output of shape \(model.tensors[out].shape) feeds operator \(reader.op) "
                        + "(\(model.operators[reader.op].op.name)); EdgeQuant takes a RESHAPE that changes the layout only before FULLY_CONNECTED")
                }
            }
            guard out != model.outputs[0] else { throw .unsupported("a RESHAPE that changes the layout of the graph output is not supported") }
        }
        map[out] = x
    }

    mutating func softmax(_ op: TFLiteOperator, beta: Float) throws(ImportError) {
        let x = try read(op, 0)
        let y = try activation(op.outputs[0], what: "the output")
        let tx = tensors[x], ty = tensors[y]
        guard ty.quantization.scale.bitPattern == (Float(1) / 256).bitPattern, ty.quantization.zeroPoint == -128 else {
            throw .unsupported("the output quantization is scale \(ty.quantization.scale), zero point \(ty.quantization.zeroPoint); "
                + "TFLite's int8 SOFTMAX gives scale 1/256, zero point -128")
        }
        guard (tx.height, tx.width, tx.channels) == (ty.height, ty.width, ty.channels) else { throw .malformed("input and output shapes differ") }
        guard tx.channels <= 256 else { throw .unsupported("a softmax over \(tx.channels) values (at most 256)") }
        // TFLite Micro's Prepare: beta · input_scale as a Q31 multiplier with a left shift, and diff_min.
        guard let p = softmaxParameters(beta: beta, inputScale: tx.quantization.scale) else {
            throw .unsupported("beta \(beta) with input scale \(tx.quantization.scale) is outside TFLite's int8 SOFTMAX (beta · scale · 2^26 must exceed 1)")
        }
        var layer = Int8Layer(name: model.tensors[op.outputs[0]].name, opcode: .softmax, input: x, output: y)
        layer.parameters = [p.multiplier, p.leftShift, p.diffMin, 0, 0]
        layers.append(layer)
        if op.outputs[0] == model.outputs[0] { outputIsLogits = false }
    }

    mutating func pad(_ op: TFLiteOperator) throws(ImportError) {
        let x = try read(op, 0)
        let out = op.outputs[0]
        guard let paddings = try constant(op, 1, what: "paddings")?.int32Values, paddings.count == 8,
              model.tensors[op.inputs[0]!].shape.count == 4 else {
            throw .unsupported("only PAD of an NHWC tensor with constant paddings is supported")
        }
        guard paddings[0] == 0, paddings[1] == 0, paddings[6] == 0, paddings[7] == 0,
              paddings[2...5].allSatisfy({ $0 >= 0 && $0 <= 255 }) else {
            throw .unsupported("paddings \(paddings) pad more than height and width (or by a negative amount)")
        }
        guard try quantization(out, what: "the output") == tensors[x].quantization else {
            throw .unsupported("PAD changes the quantization")
        }
        // Folded where exact: the one reader, a CONV_2D (the runtime skips padded taps, and a padded value is the zero
        // point: real 0) or a MAX_POOL_2D whose zero point is -128 (a padded -128 never wins), gets the padding
        // instead and the padded tensor is never built. Anywhere else the PAD is the runtime's int8 Pad op, filled
        // with the zero point as TFLite Micro's PAD is.
        let consumers = readers[out] ?? []
        var foldable = false
        if consumers.count == 1, consumers[0].position == 0, out != model.outputs[0] {
            switch model.operators[consumers[0].op].op {
            case .conv2D: foldable = true
            case .maxPool2D: foldable = tensors[x].quantization.zeroPoint == -128
            default: foldable = false
            }
        }
        if foldable {
            pads[out] = PendingPad(source: x, top: Int(paddings[2]), bottom: Int(paddings[3]), left: Int(paddings[4]),
                                   right: Int(paddings[5]), operatorIndex: op.index)
            return
        }
        let y = try activation(out, what: "the output")
        let tx = tensors[x], ty = tensors[y]
        guard ty.height == tx.height + Int(paddings[2] + paddings[3]), ty.width == tx.width + Int(paddings[4] + paddings[5]),
              ty.channels == tx.channels else {
            throw .malformed("the output shape does not equal the input's plus the paddings \(paddings)")
        }
        var layer = Int8Layer(name: model.tensors[out].name, opcode: .pad, input: x, output: y)
        (layer.padTop, layer.padLeft) = (Int(paddings[2]), Int(paddings[4]))
        layers.append(layer)
    }

    // MARK: Helpers

    static func activation(_ a: TFLiteActivation) -> Activation {
        switch a {
        case .none: .none
        case .relu: .relu
        case .relu6: .relu6
        }
    }

    func shape(_ t: Int8Tensor) -> String { "\(t.height)x\(t.width)x\(t.channels)" }
}
