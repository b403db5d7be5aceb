/// The input a digit model takes, `[1, height, width, channels]` (NHWC): 28x28x1 as MNIST, 32x32x1 as LeNet's padded
/// MNIST, or three channels that all carry the same gray.
public struct DigitInputShape: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let height: Int
    public let width: Int
    public let channels: Int

    /// Heights and widths the tools prepare images for: from a thumbnail to a canvas nine times MNIST's.
    public static let sides = 8...256
    /// Gray (1) or gray replicated into RGB (3).
    public static let channelCounts = [1, 3]
    /// MNIST's own shape.
    public static let mnist = DigitInputShape(unchecked: 28, 28, 1)
    /// What a digit model's input must be, for error messages.
    public static let requirement = "a digit model takes [1, H, W, C] with H and W in 8...256 and C 1 or 3"

    /// A shape within `sides` and `channelCounts`, or nil.
    public init?(height: Int, width: Int, channels: Int) {
        guard Self.sides.contains(height), Self.sides.contains(width), Self.channelCounts.contains(channels) else { return nil }
        self.init(unchecked: height, width, channels)
    }

    /// The shape of a `[1, H, W, C]` tensor, or nil for any other rank, batch or size.
    public init?(tensorShape shape: [Int]) {
        guard shape.count == 4, shape[0] == 1 else { return nil }
        self.init(height: shape[1], width: shape[2], channels: shape[3])
    }

    private init(unchecked height: Int, _ width: Int, _ channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// Values in one input tensor.
    public var elements: Int { height * width * channels }

    /// `32x32x1`.
    public var description: String { "\(height)x\(width)x\(channels)" }
}
