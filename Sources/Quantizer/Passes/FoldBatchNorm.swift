import ModelFormat

/// Folds every BatchNormalization into the Conv2D or Dense that feeds it:
/// with `s = gamma / sqrt(variance + epsilon)` per output channel, `kernel' = kernel · s` and
/// `bias' = (bias − mean) · s + beta`. The graph computes the same function with one node less per BN.
public func foldBatchNorm(_ graph: FloatGraph) throws(QuantizerError) -> FloatGraph {
    var g = graph
    while let position = g.nodes.firstIndex(where: { if case .batchNormalization = $0.op { true } else { false } }) {
        let bn = g.nodes[position]
        guard case let .batchNormalization(epsilon) = bn.op else { break }
        let source = bn.inputs[0]
        guard let producerIndex = g.producer(of: source),
              g.nodes[producerIndex].op.fusedActivation == .none,
              isConvOrDense(g.nodes[producerIndex].op)
        else {
            throw QuantizerError(node: bn.name, "BatchNormalization can be folded only into a Conv2D or Dense without activation that feeds it")
        }
        guard g.consumers(of: source) == [position], source != g.output else {
            throw QuantizerError(node: bn.name, "the output of '\(g.nodes[producerIndex].name)' is also used elsewhere, so BatchNormalization cannot be folded into it")
        }
        let parameters = bn.inputs.dropFirst().map { g.tensors[$0].data ?? [] }
        let (gamma, beta, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3])
        let scale = zip(gamma, variance).map { $0 / ($1 + epsilon).squareRoot() }

        var producer = g.nodes[producerIndex]
        let kernelIndex = producer.inputs[1]
        var kernel = g.tensors[kernelIndex]
        let channels = scale.count
        kernel.data = kernel.data!.enumerated().map { $0.element * scale[$0.offset % channels] }
        kernel.name = "\(kernel.name)/bn_folded"
        g.tensors[kernelIndex] = kernel

        let oldBias = producer.inputs.count > 2 ? g.tensors[producer.inputs[2]].data! : [Float](repeating: 0, count: channels)
        let bias = (0..<channels).map { (oldBias[$0] - mean[$0]) * scale[$0] + beta[$0] }
        let biasTensor = Tensor(constant: "\(producer.name)/bias/bn_folded", shape: [channels], data: bias)
        if producer.inputs.count > 2 {
            g.tensors[producer.inputs[2]] = biasTensor
        } else {
            g.tensors.append(biasTensor)
            producer.inputs.append(g.tensors.count - 1)
        }
        g.nodes[producerIndex] = producer
        g.bypass(node: position)
    }
    return g.pruned()
}

private func isConvOrDense(_ op: Op) -> Bool {
    switch op {
    case .conv2D, .dense: true
    default: false
    }
}
