import ModelFormat

extension FloatGraph {
    /// The indices of the nodes that read tensor `index`.
    func consumers(of index: Int) -> [Int] {
        nodes.indices.filter { nodes[$0].inputs.contains(index) }
    }

    /// The index of the node that writes tensor `index`, if any.
    func producer(of index: Int) -> Int? {
        nodes.firstIndex { $0.outputs.contains(index) }
    }

    /// Removes node `position`, whose single data input takes the place of its output everywhere: in later
    /// nodes' inputs and as the graph output.
    mutating func bypass(node position: Int) {
        let node = nodes.remove(at: position)
        let from = node.outputs[0], to = node.inputs[0]
        for i in nodes.indices {
            nodes[i].inputs = nodes[i].inputs.map { $0 == from ? to : $0 }
        }
        if output == from { output = to }
    }

    /// The graph without tensors that no node reads or writes (keeping the graph input), renumbered; the input
    /// normalization is kept.
    func pruned() -> FloatGraph {
        var used = Set(nodes.flatMap { $0.inputs + $0.outputs })
        used.insert(input)
        used.insert(output)
        let kept = tensors.indices.filter(used.contains)
        var newIndex = [Int: Int]()
        for (new, old) in kept.enumerated() { newIndex[old] = new }
        let remap = { (old: Int) in newIndex[old]! }
        return FloatGraph(
            tensors: kept.map { tensors[$0] },
            nodes: nodes.map { Node(name: $0.name, op: $0.op, inputs: $0.inputs.map(remap), outputs: $0.outputs.map(remap)) },
            input: remap(input), output: remap(output), inputNormalization: inputNormalization)
    }
}
