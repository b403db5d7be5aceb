import DigitImage

/// Draws simple test figures: filled rectangles on a plain background.
struct Canvas {
    let width: Int
    let height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int, paper: UInt8) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: paper, count: width * height)
    }

    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ value: UInt8) {
        for row in max(0, y)..<min(height, y + h) {
            for column in max(0, x)..<min(width, x + w) { pixels[row * width + column] = value }
        }
    }

    var image: GrayImage { GrayImage(width: width, height: height, pixels: pixels)! }

    /// Ink statistics of a prepared (white on black) image.
    static func inkBox(_ image: GrayImage, threshold: UInt8 = 1) -> (minX: Int, maxX: Int, minY: Int, maxY: Int)? {
        var box: (minX: Int, maxX: Int, minY: Int, maxY: Int)?
        for y in 0..<image.height {
            for x in 0..<image.width where image[x: x, y: y] >= threshold {
                box = (min(box?.minX ?? x, x), max(box?.maxX ?? x, x), min(box?.minY ?? y, y), max(box?.maxY ?? y, y))
            }
        }
        return box
    }

    static func centreOfMass(_ image: GrayImage) -> (x: Double, y: Double)? {
        var total = 0.0, sumX = 0.0, sumY = 0.0
        for y in 0..<image.height {
            for x in 0..<image.width {
                let v = Double(image[x: x, y: y])
                total += v
                sumX += v * Double(x)
                sumY += v * Double(y)
            }
        }
        return total > 0 ? (sumX / total, sumY / total) : nil
    }
}
