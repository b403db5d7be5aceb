/// A named tensor of a float graph: an activation (shape only) or a constant (shape and float32 data).
public struct Tensor: Sendable, Equatable {
    /// The tensor's name, unique in its graph.
    public var name: String
    /// Dimensions, NHWC with batch 1 for activations (`[1, H, W, C]` or `[1, N]`).
    public var shape: [Int]
    /// Row-major values for constants; `nil` for activations.
    public var data: [Float]?

    /// Creates an activation tensor, whose values exist only while the graph runs.
    public init(activation name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
        self.data = nil
    }

    /// Creates a constant tensor holding `data`, which must have `shape`'s element count.
    public init(constant name: String, shape: [Int], data: [Float]) {
        self.name = name
        self.shape = shape
        self.data = data
    }

    /// Whether the tensor carries data (weights, biases, statistics).
    public var isConstant: Bool { data != nil }

    /// The number of elements: the product of the dimensions.
    public var elementCount: Int { shape.reduce(1, *) }
}
