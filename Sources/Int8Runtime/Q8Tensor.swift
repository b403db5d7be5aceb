/// One activation tensor of a .q8 model: where it lives in the arena and how it is quantized.
public struct Q8Tensor: Equatable, Sendable {
    public var arenaOffset: Int
    public var size: Int
    public var height: Int
    public var width: Int
    public var channels: Int
    public var scale: Float
    public var zeroPoint: Int32
    /// The op that writes it (`-1` for the graph input).
    public var firstStep: Int
    /// The last op that reads it (the op count for the graph output).
    public var lastStep: Int
}
