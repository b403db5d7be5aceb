import ModelFormat

/// Removes Dropout nodes, which are the identity at inference.
public func removeDropout(_ graph: FloatGraph) -> FloatGraph {
    var g = graph
    while let position = g.nodes.firstIndex(where: { if case .dropout = $0.op { true } else { false } }) {
        g.bypass(node: position)
    }
    return g.pruned()
}
