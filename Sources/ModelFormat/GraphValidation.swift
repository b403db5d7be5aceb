/// Limits that keep a hostile file from asking for absurd work or memory.
public enum GraphLimits {
    public static let maxTensors = 65_536
    public static let maxNodes = 65_536
    public static let maxElements = 1 << 28
    public static let maxRank = 4
    public static let maxStringBytes = 1024
}

extension FloatGraph {
    /// Checks every rule of docs/model-format.md ("Graph rules"): names, indices, execution order, weights,
    /// and that every stored activation shape equals the shape its producer computes.
    public func validate() throws(ModelFormatError) {
        guard (1...GraphLimits.maxTensors).contains(tensors.count) else {
            throw .countOutOfRange(what: "tensor count", value: tensors.count, limit: GraphLimits.maxTensors)
        }
        guard (1...GraphLimits.maxNodes).contains(nodes.count) else {
            throw .countOutOfRange(what: "node count", value: nodes.count, limit: GraphLimits.maxNodes)
        }
        guard tensors.indices.contains(input) else {
            throw .indexOutOfRange(what: "graph input", index: input, count: tensors.count)
        }
        guard tensors.indices.contains(output) else {
            throw .indexOutOfRange(what: "graph output", index: output, count: tensors.count)
        }

        var tensorNames = Set<String>()
        for tensor in tensors {
            guard tensorNames.insert(tensor.name).inserted else { throw .duplicateName(kind: "tensor", name: tensor.name) }
            try Self.checkShape(tensor)
        }
        guard inputNormalization.isValid else {
            throw .badGraph(reason: "the input normalization (\(inputNormalization)) needs a finite mean and a finite std > 0")
        }
        guard !tensors[input].isConstant else { throw .badGraph(reason: "the graph input '\(tensors[input].name)' is a constant") }
        guard tensors[input].shape.count == 4, tensors[input].shape[0] == 1 else {
            throw .badGraph(reason: "the graph input must be [1, H, W, C], got \(tensors[input].shape)")
        }

        // An activation may be read only after it is written, and written only once.
        var written = [Bool](repeating: false, count: tensors.count)
        written[input] = true
        var nodeNames = Set<String>()
        for node in nodes {
            guard nodeNames.insert(node.name).inserted else { throw .duplicateName(kind: "node", name: node.name) }
            for index in node.inputs + node.outputs where !tensors.indices.contains(index) {
                throw .indexOutOfRange(what: "node '\(node.name)'", index: index, count: tensors.count)
            }
            for index in node.inputs where !tensors[index].isConstant && !written[index] {
                throw .badNode(node: node.name, reason: "reads '\(tensors[index].name)' before any node writes it")
            }
            guard node.outputs.count == 1 else {
                throw .badNode(node: node.name, reason: "\(node.op.name) writes exactly 1 tensor, not \(node.outputs.count)")
            }
            let out = node.outputs[0]
            guard !tensors[out].isConstant else {
                throw .badNode(node: node.name, reason: "writes the constant '\(tensors[out].name)'")
            }
            guard !written[out] else {
                throw .badNode(node: node.name, reason: "writes '\(tensors[out].name)', which is already written")
            }
            let expected = try ShapeInference.outputShape(of: node, in: self)
            guard expected == tensors[out].shape else {
                throw .shapeMismatch(node: node.name, tensor: tensors[out].name, expected: expected, stored: tensors[out].shape)
            }
            written[out] = true
        }
        guard output != input, written[output], !tensors[output].isConstant else {
            throw .badGraph(reason: "the graph output '\(tensors[output].name)' is not written by any node")
        }
    }

    private static func checkShape(_ tensor: Tensor) throws(ModelFormatError) {
        guard (1...GraphLimits.maxRank).contains(tensor.shape.count) else {
            throw .badShape(tensor: tensor.name, reason: "rank \(tensor.shape.count) is outside 1...\(GraphLimits.maxRank)")
        }
        var count = 1
        for dimension in tensor.shape {
            guard dimension >= 1 else { throw .badShape(tensor: tensor.name, reason: "dimension \(dimension) is not positive") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= GraphLimits.maxElements else {
                throw .badShape(tensor: tensor.name, reason: "more than \(GraphLimits.maxElements) elements")
            }
            count = product
        }
        if let data = tensor.data {
            guard data.count == count else {
                throw .badShape(tensor: tensor.name, reason: "holds \(data.count) values for shape \(tensor.shape)")
            }
            if let bad = data.firstIndex(where: { !$0.isFinite }) {
                throw .nonFiniteWeight(tensor: tensor.name, index: bad)
            }
        }
    }
}
