import ModelFormat

/// Fuses each ReLU or ReLU6 into the Conv2D, Dense or Add that feeds it, as that op's activation clamp,
/// when nothing else reads the op's raw output. Others stay as separate nodes.
public func fuseActivations(_ graph: FloatGraph) -> FloatGraph {
    var g = graph
    var position = 0
    while position < g.nodes.count {
        let node = g.nodes[position]
        let activation: Activation? = switch node.op {
        case .relu: .relu
        case .relu6: .relu6
        default: nil
        }
        let source = node.inputs[0]
        if let activation, let producerIndex = g.producer(of: source),
           g.nodes[producerIndex].op.fusedActivation == .none,
           let fused = g.nodes[producerIndex].op.fusing(activation),
           g.consumers(of: source) == [position], source != g.output {
            g.nodes[producerIndex].op = fused
            g.bypass(node: position)
        } else {
            position += 1
        }
    }
    return g.pruned()
}
