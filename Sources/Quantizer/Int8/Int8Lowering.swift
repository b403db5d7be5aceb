import Foundation
import Int8Runtime
import ModelFormat

/// Turns a prepared float graph (Dropout removed, BatchNorm folded, activations fused) and its calibrated
/// ranges into an int8 program with TFLite's scheme: per-channel symmetric int8 weights, per-tensor asymmetric
/// int8 activations, int32 biases at input_scale · weight_scale, Q31 multipliers with shifts.
public func lowerToInt8(_ graph: FloatGraph, ranges: [Int: TensorRange]) throws(QuantizerError) -> Int8Program {
    var tensors: [Int8Tensor] = []
    /// Float tensor index to int8 tensor index (Flatten maps its output onto its input: same bytes).
    var map: [Int: Int] = [:]

    func addTensor(_ float: Int, quantization: ActivationQuantization, shapeOf: Int? = nil) -> Int {
        let shape = graph.tensors[shapeOf ?? float].shape
        let (h, w, c) = shape.count == 4 ? (shape[1], shape[2], shape[3]) : (1, 1, shape[shape.count - 1])
        tensors.append(Int8Tensor(name: graph.tensors[float].name, height: h, width: w, channels: c,
                                  quantization: quantization, floatTensor: float))
        map[float] = tensors.count - 1
        return tensors.count - 1
    }
    func quantization(of float: Int, node: String) throws(QuantizerError) -> ActivationQuantization {
        guard let range = ranges[float], range.min.isFinite, range.max.isFinite else {
            throw QuantizerError(node: node, "no calibrated range for '\(graph.tensors[float].name)'")
        }
        return ActivationQuantization(min: range.min, max: range.max)
    }

    // Callers feed pixel / 255; the normalization is folded into the input's quantization so that the int8 input
    // stays q = pixel − 128 (exactly, for the identity and whenever 255·mean rounds into 0 ... 255).
    let input = addTensor(graph.input, quantization: try inputQuantization(graph.inputNormalization))
    var layers: [Int8Layer] = []
    var output = graph.output
    var outputIsLogits = false

    for (position, node) in graph.nodes.enumerated() {
        let source = node.inputs[0]
        guard let x = map[source] else { throw QuantizerError(node: node.name, "reads a tensor that has no int8 form") }
        let out = node.outputs[0]
        switch node.op {
        case .flatten:
            map[out] = x
        case let .pad(top, _, left, _):
            // What foldPads left: its own op, keeping its input's quantization (TFLite's PAD), filled with the zero point.
            let y = addTensor(out, quantization: tensors[x].quantization)
            var layer = Int8Layer(name: node.name, opcode: .pad, input: x, output: y)
            (layer.padTop, layer.padLeft) = (top, left)
            layers.append(layer)
        case .softmax:
            guard position == graph.nodes.count - 1, out == graph.output else {
                throw QuantizerError(node: node.name, "Softmax is supported only as the last op (its input becomes the int8 output)")
            }
            output = source
            outputIsLogits = true
        case let .conv2D(strideY, strideX, padding, activation):
            let y = addTensor(out, quantization: try quantization(of: out, node: node.name))
            var layer = Int8Layer(name: node.name, opcode: .conv2D, input: x, output: y)
            let kernel = graph.tensors[node.inputs[1]]
            let (kh, kw, cin, cout) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
            let window = Window2D(height: kh, width: kw, strideY: strideY, strideX: strideX, padding: padding)
            let geometry = window.output(inputHeight: tensors[x].height, inputWidth: tensors[x].width)!
            (layer.kernelHeight, layer.kernelWidth, layer.strideY, layer.strideX) = (kh, kw, strideY, strideX)
            (layer.padTop, layer.padLeft) = (geometry.padTop, geometry.padLeft)
            let quantized = ChannelQuantizedWeights(weights: kernel.data!, channels: cout)
            // HWIO (Keras) to OHWI (TFLite): output channel outermost, input channel innermost.
            layer.weights = [Int8](unsafeUninitializedCapacity: quantized.values.count) { buffer, count in
                for o in 0..<cout { for k in 0..<(kh * kw) { for i in 0..<cin {
                    buffer[(o * kh * kw + k) * cin + i] = quantized.values[(k * cin + i) * cout + o]
                } } }
                count = quantized.values.count
            }
            try finishWeighted(&layer, node: node, graph: graph, scales: quantized.scales, tensors: tensors, activation: activation)
            layers.append(layer)
        case let .dense(activation):
            let y = addTensor(out, quantization: try quantization(of: out, node: node.name))
            var layer = Int8Layer(name: node.name, opcode: .fullyConnected, input: x, output: y)
            let kernel = graph.tensors[node.inputs[1]]
            let (n, m) = (kernel.shape[0], kernel.shape[1])
            let quantized = ChannelQuantizedWeights(weights: kernel.data!, channels: m)
            layer.weights = [Int8](unsafeUninitializedCapacity: n * m) { buffer, count in
                for o in 0..<m { for i in 0..<n { buffer[o * n + i] = quantized.values[i * m + o] } }
                count = n * m
            }
            try finishWeighted(&layer, node: node, graph: graph, scales: quantized.scales, tensors: tensors, activation: activation)
            layers.append(layer)
        case let .maxPool2D(window), let .averagePool2D(window):
            // Pooling keeps its input's quantization, so no requantization is needed.
            let y = addTensor(out, quantization: tensors[x].quantization)
            var isMax = false
            if case .maxPool2D = node.op { isMax = true }
            var layer = Int8Layer(name: node.name, opcode: isMax ? .maxPool2D : .averagePool2D, input: x, output: y)
            let geometry = window.output(inputHeight: tensors[x].height, inputWidth: tensors[x].width)!
            (layer.kernelHeight, layer.kernelWidth, layer.strideY, layer.strideX) = (window.height, window.width, window.strideY, window.strideX)
            (layer.padTop, layer.padLeft) = (geometry.padTop, geometry.padLeft)
            layers.append(layer)
        case .globalAveragePool:
            let y = addTensor(out, quantization: try quantization(of: out, node: node.name))
            var layer = Int8Layer(name: node.name, opcode: .mean, input: x, output: y)
            let m = meanParameters(tensors[x].quantization.scale, tensors[y].quantization.scale,
                                   count: tensors[x].height * tensors[x].width)
            layer.parameters = [m.multiplier, m.shift, 0, 0, 0]
            layers.append(layer)
        case let .add(activation):
            guard let z = map[node.inputs[1]] else { throw QuantizerError(node: node.name, "reads a tensor that has no int8 form") }
            let y = addTensor(out, quantization: try quantization(of: out, node: node.name))
            var layer = Int8Layer(name: node.name, opcode: .add, input: x, output: y)
            layer.input2 = z
            layer.parameters = addParameters(tensors[x].quantization.scale, tensors[z].quantization.scale, tensors[y].quantization.scale)
            (layer.activationMin, layer.activationMax) = tensors[y].quantization.clampRange(activation)
            layers.append(layer)
        case .relu, .relu6:
            throw QuantizerError(node: node.name, "\(node.op.name) could not be fused into a Conv2D, Dense or Add; a standalone activation is not supported in int8")
        case .batchNormalization:
            throw QuantizerError(node: node.name, "BatchNormalization was not folded; run foldBatchNorm first")
        case .dropout:
            throw QuantizerError(node: node.name, "Dropout was not removed; run removeDropout first")
        }
    }
    guard let finalOutput = map[output] else { throw QuantizerError("the graph output has no int8 form") }
    return Int8Program(tensors: tensors, layers: layers, input: input, output: finalOutput, outputIsLogits: outputIsLogits,
                       inputNormalization: graph.inputNormalization)
}

/// Bias, multipliers, shifts and the activation clamp of a Conv2D or FullyConnected layer.
private func finishWeighted(
    _ layer: inout Int8Layer, node: Node, graph: FloatGraph, scales: [Float], tensors: [Int8Tensor], activation: Activation
) throws(QuantizerError) {
    let inputScale = tensors[layer.input].quantization.scale
    let output = tensors[layer.output].quantization
    layer.weightScales = scales
    if node.inputs.count > 2, let bias = graph.tensors[node.inputs[2]].data {
        var values: [Int32] = []
        for (c, b) in bias.enumerated() {
            let q = (Double(b) / (Double(inputScale) * Double(scales[c]))).rounded(.toNearestOrAwayFromZero)
            guard abs(q) < Double(Int32.max) else {
                throw QuantizerError(node: node.name, "bias of channel \(c) does not fit int32 at scale \(inputScale * scales[c])")
            }
            values.append(Int32(q))
        }
        layer.bias = values
    }
    for scale in scales {
        let m = QuantizedMultiplier(Double(inputScale) * Double(scale) / Double(output.scale))
        layer.multipliers.append(m.multiplier)
        layer.shifts.append(m.shift)
    }
    (layer.activationMin, layer.activationMax) = output.clampRange(activation)
}

/// TFLite Micro's MEAN parameters: the multiplier of `input_scale / output_scale` with the division by the
/// `count` averaged values folded in (`M' = (M << k) / count`, `shift' = shift − k`, with
/// `k = min(floor(log2 count), 32, 31 + shift)`), so the kernel needs no division.
public func meanParameters(_ inputScale: Float, _ outputScale: Float, count: Int) -> QuantizedMultiplier {
    let base = QuantizedMultiplier(Double(inputScale) / Double(outputScale))
    let log2Count = Int.bitWidth - 1 - max(count, 1).leadingZeroBitCount
    let k = min(log2Count, 32, 31 + Int(base.shift))
    let multiplier = (Int64(base.multiplier) << k) / Int64(max(count, 1))
    return QuantizedMultiplier(multiplier: Int32(truncatingIfNeeded: multiplier), shift: base.shift - Int32(k))
}

/// TFLite's Add parameters: both inputs to a common scale of twice the larger input scale, with a left shift
/// of 20 for precision; the shifts packed as bytes (input1, input2, output, left shift).
public func addParameters(_ scale1: Float, _ scale2: Float, _ outputScale: Float) -> [Int32] {
    let leftShift: Int32 = 20
    let twiceMax = Double(2 * max(scale1, scale2))
    let m1 = QuantizedMultiplier(Double(scale1) / twiceMax)
    let m2 = QuantizedMultiplier(Double(scale2) / twiceMax)
    let mOut = QuantizedMultiplier(twiceMax / (Double(1 << leftShift) * Double(outputScale)))
    let packed = UInt32(UInt8(bitPattern: Int8(m1.shift))) | UInt32(UInt8(bitPattern: Int8(m2.shift))) << 8
        | UInt32(UInt8(bitPattern: Int8(mOut.shift))) << 16 | UInt32(leftShift) << 24
    return [m1.multiplier, m2.multiplier, mOut.multiplier, Int32(bitPattern: packed), 0]
}
