/// A float32 inference graph: tensors, nodes in execution order, and the graph's input and output.
public struct FloatGraph: Sendable, Equatable {
    public var tensors: [Tensor]
    public var nodes: [Node]
    /// Index of the graph input tensor (an activation, `[1, H, W, C]`).
    public var input: Int
    /// Index of the graph output tensor.
    public var output: Int
    /// What the input holds, from a pixel / 255 fed by every caller; the identity for model.bin.
    public var inputNormalization: InputNormalization

    public init(tensors: [Tensor], nodes: [Node], input: Int, output: Int, inputNormalization: InputNormalization = .identity) {
        self.tensors = tensors
        self.nodes = nodes
        self.input = input
        self.output = output
        self.inputNormalization = inputNormalization
    }

    /// The tensor holding the class scores before a final softmax: the softmax's input when the graph ends in
    /// one, the output otherwise.
    public var logits: Int {
        if let last = nodes.last, last.outputs == [output], case .softmax = last.op {
            return last.inputs[0]
        }
        return output
    }

    /// The number of learned parameters: the elements of every constant tensor.
    public var parameterCount: Int {
        tensors.reduce(0) { $0 + ($1.isConstant ? $1.elementCount : 0) }
    }
}
