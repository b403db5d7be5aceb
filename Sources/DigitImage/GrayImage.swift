/// An 8-bit grayscale image, row-major, 0 = black and 255 = white.
public struct GrayImage: Sendable, Equatable {
    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// `width * height` values, row by row from the top left.
    public private(set) var pixels: [UInt8]

    /// An image over `pixels`; nil unless the sizes are non-negative and `pixels` holds exactly
    /// `width * height` values.
    public init?(width: Int, height: Int, pixels: [UInt8]) {
        guard width >= 0, height >= 0 else { return nil }
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, count == pixels.count else { return nil }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A `width` x `height` image of one value (black by default); negative sizes give an empty image.
    public init(width: Int, height: Int, value: UInt8 = 0) {
        let width = max(0, width), height = max(0, height)
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        self.width = overflow ? 0 : width
        self.height = overflow ? 0 : height
        self.pixels = [UInt8](repeating: value, count: overflow ? 0 : count)
    }

    /// The pixel at column `x`, row `y`; black outside the image.
    public subscript(x x: Int, y y: Int) -> UInt8 {
        guard x >= 0, x < width, y >= 0, y < height else { return 0 }
        return pixels[y * width + x]
    }
}
