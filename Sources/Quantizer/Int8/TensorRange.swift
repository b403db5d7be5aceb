/// The real range an activation tensor is quantized to cover.
public struct TensorRange: Equatable, Sendable {
    public var min: Float
    public var max: Float

    public init(min: Float, max: Float) {
        self.min = min
        self.max = max
    }
}
