/// Bounds the decoder checks against the IHDR before it allocates or inflates anything.
public struct PNGLimits: Sendable, Equatable {
    /// Largest width and height accepted.
    public var maxDimension: Int
    /// Largest amount of decompressed image data, or of decoder working memory, accepted.
    public var maxDecodedBytes: Int

    public init(maxDimension: Int, maxDecodedBytes: Int) {
        self.maxDimension = maxDimension
        self.maxDecodedBytes = maxDecodedBytes
    }

    /// 8192 x 8192 at most, and 128 MiB: room for any photo of a digit, not for a bomb.
    public static let standard = PNGLimits(maxDimension: 8192, maxDecodedBytes: 128 << 20)
}
