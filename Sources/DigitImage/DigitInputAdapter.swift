/// The one way every tool turns a 28x28 MNIST-style image (MNIST itself, or a PNG prepared by
/// `DigitPreprocessor.mnistStyle`) into a model's input: `edge-sim run`, `compare`, `evaluate` and the converter's
/// calibration all call it, so a model sees the same pixels whichever tool feeds it.
///
/// Each axis on its own: one at least as long as the image's is zero-padded around it, centred (the extra pixel of
/// an odd difference goes after: bottom, right), which is how LeNet's 32x32 MNIST was made, so the 20x20 digit box
/// keeps its size; a shorter axis is area-averaged down (`Resampler`), so the box shrinks with the canvas. The gray
/// is then written into every channel.
public struct DigitInputAdapter: Sendable, Equatable, CustomStringConvertible {
    public let shape: DigitInputShape

    public init(shape: DigitInputShape) {
        self.shape = shape
    }

    /// MNIST's shape: images go in as they are.
    public static let mnist = DigitInputAdapter(shape: .mnist)

    /// The `shape.height` x `shape.width` image the model sees for `image` (normally 28x28): padded or resized per
    /// axis, each pixel rounded to the nearest level.
    public func image(_ image: GrayImage) -> GrayImage {
        if image.width == shape.width, image.height == shape.height { return image }
        let rows = Self.taps(from: image.height, to: shape.height)
        let columns = Self.taps(from: image.width, to: shape.width)
        var pixels = [UInt8](repeating: 0, count: shape.height * shape.width)
        for (y, rowTaps) in rows.enumerated() {
            for (x, columnTaps) in columns.enumerated() {
                var sum: Float = 0
                for row in rowTaps {
                    for column in columnTaps {
                        sum += Float(image.pixels[row.index * image.width + column.index]) * row.weight * column.weight
                    }
                }
                pixels[y * shape.width + x] = UInt8(min(255, max(0, sum.rounded())))
            }
        }
        return GrayImage(width: shape.width, height: shape.height, pixels: pixels) ?? GrayImage(width: shape.width, height: shape.height)
    }

    /// The input tensor for an image already of the model's height and width (`image(_:)`'s result): pixel / 255,
    /// row by row, each pixel repeated in every channel (NHWC).
    public func tensor(_ image: GrayImage) -> [Float] {
        let channels = shape.channels
        guard channels > 1 else { return DigitPreprocessor.modelInput(image) }
        var values = [Float](repeating: 0, count: image.pixels.count * channels)
        for (i, pixel) in image.pixels.enumerated() {
            for c in 0..<channels { values[i * channels + c] = Float(pixel) / 255 }
        }
        return values
    }

    /// The input tensor for a 28x28 MNIST-style image: `tensor(image(_:))`.
    public func input(_ image: GrayImage) -> [Float] {
        tensor(self.image(image))
    }

    /// How MNIST reaches this shape, for the tools' output: "MNIST 28x28 padded to 32x32x1".
    public var description: String { "MNIST 28x28 \(how)" }

    /// What the adapter does to a 28x28 image: "padded to 32x32x1", "resized (area) to 16x16x1", "as it is
    /// (28x28x1)"; three channels add "(gray in every channel)".
    public var how: String {
        let source = DigitInputShape.mnist
        func verb(_ from: Int, _ to: Int) -> String? { from == to ? nil : to > from ? "padded" : "resized (area)" }
        let text: String
        switch (verb(source.height, shape.height), verb(source.width, shape.width)) {
        case (nil, nil): text = "as it is (\(shape))"
        case let (a?, b?) where a == b: text = "\(a) to \(shape)"
        case let (a, b): text = "\(a ?? "kept") in height and \(b ?? "kept") in width to \(shape)"
        }
        return text + (shape.channels > 1 ? " (gray in every channel)" : "")
    }

    /// Per output index on one axis, the source indices and weights it takes: a centred zero pad when the output
    /// is at least as long, an area average when it is shorter.
    static func taps(from source: Int, to size: Int) -> [[Resampler.Tap]] {
        guard source > 0, size > 0 else { return Array(repeating: [], count: max(0, size)) }
        if size < source { return Resampler.weights(from: source, to: size) }
        let before = (size - source) / 2
        return (0..<size).map { out in
            let index = out - before
            return (0..<source).contains(index) ? [Resampler.Tap(index: index, weight: 1)] : []
        }
    }
}
