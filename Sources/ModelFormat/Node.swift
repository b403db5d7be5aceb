/// One step of a float graph: an operation reading some tensors and writing others.
public struct Node: Sendable, Equatable {
    /// The node's name, unique in its graph.
    public var name: String
    public var op: Op
    /// Indices into the graph's tensors: the data input first, then weights in the op's documented order.
    public var inputs: [Int]
    /// Indices of the tensors this node writes (exactly one for every supported op).
    public var outputs: [Int]

    public init(name: String, op: Op, inputs: [Int], outputs: [Int]) {
        self.name = name
        self.op = op
        self.inputs = inputs
        self.outputs = outputs
    }
}
