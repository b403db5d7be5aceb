import ModelFormat

/// Activation ranges without calibration data, from the BatchNorm statistics of the unfolded graph: a
/// BatchNorm output is roughly `beta ± k·|gamma|` per channel, so its producer's output (what the folded
/// graph keeps) gets the union over channels. Other tensors follow by interval arithmetic.
public enum DataFreeRanges {
    /// Standard deviations covered on each side of the mean.
    public static let deviations: Float = 6

    /// Ranges for the activations of `prepared` (the graph after `removeDropout`, `foldBatchNorm` and
    /// `fuseActivations`), derived from `original` (the graph as loaded), matched by tensor name.
    public static func ranges(original: FloatGraph, prepared: FloatGraph) -> [Int: TensorRange] {
        var byName: [String: TensorRange] = [:]
        for node in original.nodes {
            guard case .batchNormalization = node.op else { continue }
            let gamma = original.tensors[node.inputs[1]].data ?? [], beta = original.tensors[node.inputs[2]].data ?? []
            let low = zip(gamma, beta).map { $1 - deviations * abs($0) }.min() ?? 0
            let high = zip(gamma, beta).map { $1 + deviations * abs($0) }.max() ?? 0
            // After folding, the producer of the BatchNorm input writes what the BatchNorm wrote.
            byName[original.tensors[node.inputs[0]].name] = TensorRange(min: low, max: high)
        }
        // The graph input is a pixel / 255 after the input normalization (std > 0: apply is increasing).
        let normalization = prepared.inputNormalization
        var result: [Int: TensorRange] = [prepared.input: TensorRange(min: normalization.apply(0), max: normalization.apply(1))]
        for node in prepared.nodes {
            let out = node.outputs[0]
            let x = result[node.inputs[0]] ?? TensorRange(min: 0, max: 1)
            var range: TensorRange
            switch node.op {
            case .conv2D, .dense:
                range = byName[prepared.tensors[out].name] ?? linearBound(node, prepared, x)
            case .add:
                let y = result[node.inputs[1]] ?? x
                range = TensorRange(min: x.min + y.min, max: x.max + y.max)
            case .relu: range = TensorRange(min: 0, max: max(x.max, 0))
            case .relu6: range = TensorRange(min: 0, max: min(max(x.max, 0), 6))
            default: range = x
            }
            switch node.op.fusedActivation {
            case .none: break
            case .relu: range = TensorRange(min: 0, max: max(range.max, 0))
            case .relu6: range = TensorRange(min: 0, max: min(max(range.max, 0), 6))
            }
            result[out] = range
        }
        return result
    }

    /// A bound for a Conv2D or Dense without BatchNorm statistics: the largest absolute input times each
    /// output channel's sum of absolute weights, plus its bias.
    private static func linearBound(_ node: Node, _ graph: FloatGraph, _ x: TensorRange) -> TensorRange {
        let kernel = graph.tensors[node.inputs[1]]
        guard let weights = kernel.data, let channels = kernel.shape.last else { return x }
        var sums = [Float](repeating: 0, count: channels)
        for (i, w) in weights.enumerated() { sums[i % channels] += abs(w) }
        let bias = node.inputs.count > 2 ? graph.tensors[node.inputs[2]].data ?? [] : []
        let magnitude = max(abs(x.min), abs(x.max))
        let high = sums.enumerated().map { $0.element * magnitude + (bias.isEmpty ? 0 : bias[$0.offset]) }.max() ?? 0
        let low = sums.enumerated().map { -$0.element * magnitude + (bias.isEmpty ? 0 : bias[$0.offset]) }.min() ?? 0
        return TensorRange(min: low, max: high)
    }
}
