/// Builds a `FloatGraph` node by node, inferring each activation's shape, for tests, tools and graph passes.
///
///     var b = GraphBuilder(inputShape: [1, 28, 28, 1])
///     let k = b.constant("conv/kernel", shape: [3, 3, 1, 8], data: weights)
///     let c = try b.add(.conv2D(strideY: 1, strideX: 1, padding: .same), name: "conv", inputs: [b.input, k])
///     let r = try b.add(.relu, name: "relu", inputs: [c])
///     let graph = try b.finish(output: r)
public struct GraphBuilder {
    public private(set) var tensors: [Tensor] = []
    public private(set) var nodes: [Node] = []
    /// Index of the graph input tensor.
    public let input: Int

    public init(inputShape: [Int], inputName: String = "input") {
        tensors.append(Tensor(activation: inputName, shape: inputShape))
        input = 0
    }

    /// Adds a constant tensor and returns its index.
    public mutating func constant(_ name: String, shape: [Int], data: [Float]) -> Int {
        tensors.append(Tensor(constant: name, shape: shape, data: data))
        return tensors.count - 1
    }

    /// Adds a node reading `inputs` and writing a new activation named `<name>:0`; returns that activation.
    @discardableResult
    public mutating func add(_ op: Op, name: String, inputs: [Int]) throws(ModelFormatError) -> Int {
        let output = tensors.count
        let node = Node(name: name, op: op, inputs: inputs, outputs: [output])
        let scratch = FloatGraph(tensors: tensors, nodes: nodes, input: input, output: input)
        for index in inputs where !tensors.indices.contains(index) {
            throw .indexOutOfRange(what: "node '\(name)'", index: index, count: tensors.count)
        }
        let shape = try ShapeInference.outputShape(of: node, in: scratch)
        tensors.append(Tensor(activation: "\(name):0", shape: shape))
        nodes.append(node)
        return output
    }

    /// The finished, validated graph with `output` as its output.
    public func finish(output: Int) throws(ModelFormatError) -> FloatGraph {
        let graph = FloatGraph(tensors: tensors, nodes: nodes, input: input, output: output)
        try graph.validate()
        return graph
    }

    /// The shape of tensor `index`.
    public func shape(_ index: Int) -> [Int] { tensors[index].shape }
}
