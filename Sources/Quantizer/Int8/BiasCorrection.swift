import FloatEngine
import Foundation
import Int8Runtime
import ModelFormat
import Parallel

/// Empirical bias correction (Nagel et al. 2019, "Data-Free Quantization Through Weight Equalization and Bias
/// Correction", section 4.2, the variant that uses data).
///
/// Quantizing weights (and the activations before a layer) shifts the *mean* of a layer's output: the rounding
/// errors of one output channel's weights need not cancel, and clipped activation ranges lower the mean of what
/// the next layer reads. That shift `E[ỹ] − E[y]` is the same for every input on average, so subtracting it from
/// the layer's float bias, before the bias is quantized, removes it.
///
/// For each Conv2D and Dense in execution order, the calibration samples run through the float graph and through
/// the int8 program lowered so far (the real runtime, with every earlier layer already corrected); the layer's
/// pre-activation is then computed from each side's input: `W·x + b` in float, and `W̃·x̃ + b̃` from the
/// dequantized int8 input `x̃`, the dequantized int8 weights `W̃` and the dequantized int32 bias `b̃` (exactly the
/// int8 accumulator, in real units). The per-output-channel mean of the difference, over all positions and all
/// samples, is subtracted from the bias.
///
/// With `Inputs.weights` the layer's input `x̃` comes instead from the float graph with every Conv2D and Dense
/// weight dequantized from int8 (and the earlier biases corrected), activations left in float: only the error of
/// weight quantization is corrected, as in the paper's analytic form.
public enum BiasCorrection {
    /// Where a corrected layer's quantized-side input comes from.
    public enum Inputs: String, CaseIterable, Sendable {
        /// The int8 program lowered so far, run by the runtime: weight and activation quantization.
        case int8
        /// The float graph with dequantized int8 weights: weight quantization only.
        case weights
    }

    /// `graph` (prepared: BatchNorm folded, activations fused) with every Conv2D and Dense bias corrected for the
    /// int8 program that `lowerToInt8(_, ranges:)` makes of it. A layer without a bias gains one. Graphs without
    /// Conv2D or Dense come back unchanged. `progress(done, total)` counts sample runs.
    public static func corrected(
        _ graph: FloatGraph, ranges: [Int: TensorRange], samples: [[Float]], inputs: Inputs = .int8,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws(QuantizerError) -> FloatGraph {
        let weighted = weightedNodes(graph)
        guard !weighted.isEmpty else { return graph }
        try check(graph, samples)
        let counter = ProgressCounter(total: samples.count * (1 + weighted.count), report: progress)
        let reference = floatMeans(graph, nodes: weighted, samples: samples, workers: workers, counter: counter)
        var g = graph
        for (k, position) in weighted.enumerated() {
            let quantized = try quantizedMeans(g, node: position, ranges: ranges, samples: samples, inputs: inputs,
                                               workers: workers, counter: counter)
            let node = g.nodes[position]
            let channels = reference[k].count
            let bias = node.inputs.count > 2 ? g.tensors[node.inputs[2]].data! : [Float](repeating: 0, count: channels)
            let fixed = (0..<channels).map { bias[$0] - Float(quantized[$0] - reference[k][$0]) }
            let tensor = Tensor(constant: "\(node.name)/bias/corrected", shape: [channels], data: fixed)
            if node.inputs.count > 2 {
                g.tensors[node.inputs[2]] = tensor
            } else {
                g.tensors.append(tensor)
                g.nodes[position].inputs.append(g.tensors.count - 1)
            }
        }
        return g
    }

    /// The mean per-output-channel error (int8 − float) of each Conv2D and Dense pre-activation, in execution
    /// order: `reference` run in float against the int8 program `lowerToInt8(quantized, ranges:)`. The two graphs
    /// must have the same structure (`quantized` is `reference` or a bias-corrected copy of it).
    public static func meanErrors(
        reference: FloatGraph, quantized: FloatGraph, ranges: [Int: TensorRange], samples: [[Float]],
        workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(QuantizerError) -> [[Double]] {
        let weighted = weightedNodes(reference)
        guard weightedNodes(quantized) == weighted else { throw QuantizerError("the two graphs differ in their Conv2D and Dense nodes") }
        try check(reference, samples)
        let counter = ProgressCounter(total: samples.count * (1 + weighted.count), report: { _, _ in })
        let float = floatMeans(reference, nodes: weighted, samples: samples, workers: workers, counter: counter)
        var errors: [[Double]] = []
        for (k, position) in weighted.enumerated() {
            let int8 = try quantizedMeans(quantized, node: position, ranges: ranges, samples: samples, inputs: .int8,
                                          workers: workers, counter: counter)
            errors.append(zip(int8, float[k]).map { $0 - $1 })
        }
        return errors
    }

    /// Positions of the Conv2D and Dense nodes.
    static func weightedNodes(_ graph: FloatGraph) -> [Int] {
        graph.nodes.indices.filter {
            switch graph.nodes[$0].op {
            case .conv2D, .dense: true
            default: false
            }
        }
    }

    private static func check(_ graph: FloatGraph, _ samples: [[Float]]) throws(QuantizerError) {
        guard !samples.isEmpty else { throw QuantizerError("bias correction needs at least one calibration sample") }
        let inputSize = graph.tensors[graph.input].elementCount
        if let bad = samples.firstIndex(where: { $0.count != inputSize }) {
            throw QuantizerError("calibration sample \(bad) has \(samples[bad].count) values, the model input needs \(inputSize)")
        }
    }

    /// A graph of node `position` alone, without its activation, with the given kernel and bias: it turns the
    /// node's input into its pre-activation output.
    static func layerGraph(_ graph: FloatGraph, node position: Int, kernel: [Float], bias: [Float]?) -> FloatGraph {
        let node = graph.nodes[position]
        var tensors = [
            Tensor(activation: "x", shape: graph.tensors[node.inputs[0]].shape),
            Tensor(constant: "w", shape: graph.tensors[node.inputs[1]].shape, data: kernel),
            Tensor(activation: "y", shape: graph.tensors[node.outputs[0]].shape),
        ]
        var inputs = [0, 1]
        if let bias {
            tensors.append(Tensor(constant: "b", shape: [bias.count], data: bias))
            inputs.append(3)
        }
        let op = node.op.fusing(.none) ?? node.op
        return FloatGraph(tensors: tensors, nodes: [Node(name: node.name, op: op, inputs: inputs, outputs: [2])], input: 0, output: 2)
    }

    /// Adds `values` (channels innermost) to per-channel sums.
    private static func accumulate(_ values: [Float], into sums: inout [Double]) {
        let channels = sums.count
        for (i, v) in values.enumerated() { sums[i % channels] += Double(v) }
    }

    /// The float pre-activation mean of each node in `nodes`, per output channel.
    private static func floatMeans(
        _ graph: FloatGraph, nodes: [Int], samples: [[Float]], workers: Int, counter: ProgressCounter
    ) -> [[Double]] {
        let layers = nodes.map { position in
            let node = graph.nodes[position]
            return layerGraph(graph, node: position, kernel: graph.tensors[node.inputs[1]].data!,
                              bias: node.inputs.count > 2 ? graph.tensors[node.inputs[2]].data : nil)
        }
        let empty = layers.map { [Double](repeating: 0, count: $0.tensors[2].shape.last!) }
        let workerCount = max(1, min(workers, samples.count))
        let parts = parallelMap(count: workerCount, workers: workerCount, makeState: {
            (FloatInterpreter(graph: graph), layers.map { FloatInterpreter(graph: $0) })
        }, work: { state, worker in
            var sums = empty
            for index in stride(from: worker, to: samples.count, by: workerCount) {
                _ = try? state.0.run(samples[index])
                for (k, position) in nodes.enumerated() {
                    let y = (try? state.1[k].run(state.0.values(of: graph.nodes[position].inputs[0]))) ?? []
                    accumulate(y, into: &sums[k])
                }
                counter.step()
            }
            return sums
        }, fallback: empty)
        return mean(parts, empty: empty, count: samples.count, layers: layers)
    }

    /// The int8 pre-activation mean of node `position` in the program lowered from `graph`, per output channel:
    /// the program runs up to that layer (or, for `.weights`, the float graph with dequantized weights does), then
    /// the layer's accumulator is computed in float from its dequantized input, weights and bias.
    private static func quantizedMeans(
        _ graph: FloatGraph, node position: Int, ranges: [Int: TensorRange], samples: [[Float]], inputs: Inputs,
        workers: Int, counter: ProgressCounter
    ) throws(QuantizerError) -> [Double] {
        let node = graph.nodes[position]
        let program = try lowerToInt8(graph, ranges: ranges)
        guard let step = program.layers.firstIndex(where: { $0.name == node.name }) else {
            throw QuantizerError(node: node.name, "has no int8 layer")
        }
        let layer = program.layers[step]
        let inputQuantization = program.tensors[layer.input].quantization
        let channels = layer.weightScales.count
        let quantized = ChannelQuantizedWeights(weights: graph.tensors[node.inputs[1]].data!, channels: channels)
        let kernel = quantized.values.enumerated().map { Float($0.element) * quantized.scales[$0.offset % channels] }
        let bias = layer.bias.map { values in
            values.enumerated().map { Float(Double($0.element) * Double(inputQuantization.scale) * Double(layer.weightScales[$0.offset])) }
        }
        let single = layerGraph(graph, node: position, kernel: kernel, bias: bias)

        // The program up to (not including) this layer, its output the layer's input; none for the first layer.
        var prefix: [UInt8]? = nil
        if step > 0, inputs == .int8 {
            var truncated = program
            truncated.layers = Array(program.layers[..<step])
            truncated.output = layer.input
            truncated.outputIsLogits = false
            truncated = truncated.droppingUnusedTensors()
            prefix = try Q8Writer.write(truncated, plan: MemoryPlanner.plan(Q8Writer.buffers(of: truncated)))
        }
        let programInput = program.tensors[program.input].quantization
        // For `.weights`: every Conv2D and Dense kernel as int8 gives it back (only those before this layer matter).
        var dequantizedWeights = graph
        if inputs == .weights {
            for other in weightedNodes(graph) {
                let index = graph.nodes[other].inputs[1]
                let c = graph.tensors[index].shape.last!
                let q = ChannelQuantizedWeights(weights: graph.tensors[index].data!, channels: c)
                dequantizedWeights.tensors[index].data = q.values.enumerated().map { Float($0.element) * q.scales[$0.offset % c] }
            }
        }
        let empty = [Double](repeating: 0, count: channels)
        let workerCount = max(1, min(workers, samples.count))
        let parts = parallelMap(count: workerCount, workers: workerCount, makeState: { FloatInterpreter(graph: single) }, work: {
            interpreter, worker in
            var sums = empty
            var x = [Float](repeating: 0, count: single.tensors[0].elementCount)
            prefix?.withUnsafeBytes { raw in
                guard let model = try? Q8Model(validating: raw) else { return }
                let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.arenaSize, 1), alignment: 16)
                defer { arena.deallocate() }
                for index in stride(from: worker, to: samples.count, by: workerCount) {
                    let input = Int8Interpreter.inputBuffer(model, arena: arena)
                    program.quantizeInput(samples[index], into: input)
                    guard (try? Int8Interpreter.invoke(model, arena: arena)) != nil else { return }
                    let output = Int8Interpreter.outputBuffer(model, arena: arena)
                    for i in 0..<min(x.count, output.count) { x[i] = inputQuantization.dequantize(output[i]) }
                    accumulate((try? interpreter.run(x)) ?? [], into: &sums)
                    counter.step()
                }
            }
            if prefix == nil, inputs == .weights {
                var float = FloatInterpreter(graph: dequantizedWeights)
                for index in stride(from: worker, to: samples.count, by: workerCount) {
                    _ = try? float.run(samples[index])
                    x = float.values(of: node.inputs[0])
                    accumulate((try? interpreter.run(x)) ?? [], into: &sums)
                    counter.step()
                }
            } else if prefix == nil {
                for index in stride(from: worker, to: samples.count, by: workerCount) {
                    for i in 0..<x.count {
                        x[i] = programInput.dequantize(quantizedInput(samples[index][i], program.inputNormalization, programInput))
                    }
                    accumulate((try? interpreter.run(x)) ?? [], into: &sums)
                    counter.step()
                }
            }
            return sums
        }, fallback: empty)
        return mean(parts.map { [$0] }, empty: [empty], count: samples.count, layers: [single])[0]
    }

    /// Sums from every worker, divided by the values each channel saw.
    private static func mean(_ parts: [[[Double]]], empty: [[Double]], count: Int, layers: [FloatGraph]) -> [[Double]] {
        var total = empty
        for part in parts { for k in total.indices { for c in total[k].indices { total[k][c] += part[k][c] } } }
        return total.enumerated().map { k, sums in
            let positions = Double(layers[k].tensors[2].elementCount / max(sums.count, 1) * count)
            return sums.map { $0 / positions }
        }
    }
}
