import DigitImage
import Foundation
import Testing

/// The one adapter from a 28x28 MNIST-style image to a model's input shape: exact pixels on a fixed image for each
/// rule (pad, area resize, mixed), channel replication, the wording the tools print, and the shapes refused.
@Suite("Digit input adapter")
struct DigitInputAdapterTests {
    /// A fixed 28x28 image: pixel (x, y) = (7x + 13y) mod 256, every value known without the adapter.
    static let fixed = GrayImage(width: 28, height: 28, pixels: (0..<28).flatMap { y in (0..<28).map { x in UInt8((7 * x + 13 * y) % 256) } })!

    static func shape(_ h: Int, _ w: Int, _ c: Int) throws -> DigitInputShape {
        try #require(DigitInputShape(height: h, width: w, channels: c))
    }

    @Test func paddingCentresTheImageInZeros() throws {
        // 32x32 (LeNet's padded MNIST): two zero rows and columns on every side, the image unchanged inside.
        let padded = DigitInputAdapter(shape: try Self.shape(32, 32, 1)).image(Self.fixed)
        #expect(padded.width == 32 && padded.height == 32)
        for y in 0..<32 {
            for x in 0..<32 {
                let inside = (2..<30).contains(x) && (2..<30).contains(y)
                #expect(padded[x: x, y: y] == (inside ? Self.fixed[x: x - 2, y: y - 2] : 0), "(\(x), \(y))")
            }
        }
        // An odd difference: the extra zero goes after (bottom, right), none before.
        let odd = DigitInputAdapter(shape: try Self.shape(29, 31, 1)).image(Self.fixed)
        #expect(odd.width == 31 && odd.height == 29)
        #expect(odd[x: 1, y: 0] == Self.fixed[x: 0, y: 0])
        #expect(odd[x: 0, y: 0] == 0 && odd[x: 29, y: 28] == 0 && odd[x: 30, y: 27] == 0)
        #expect(odd[x: 28, y: 27] == Self.fixed[x: 27, y: 27])
    }

    @Test func shrinkingAveragesAreas() throws {
        // 14x14: each output is the mean of a 2x2 block, rounded half away from zero.
        let half = DigitInputAdapter(shape: try Self.shape(14, 14, 1)).image(Self.fixed)
        #expect(half.width == 14 && half.height == 14)
        for y in 0..<14 {
            for x in 0..<14 {
                let sum = [(0, 0), (1, 0), (0, 1), (1, 1)].map { Int(Self.fixed[x: 2 * x + $0.0, y: 2 * y + $0.1]) }.reduce(0, +)
                let mean = (Double(sum) / 4).rounded(.toNearestOrAwayFromZero)
                #expect(Int(half[x: x, y: y]) == Int(mean), "(\(x), \(y))")
            }
        }
        // Pinned values of a ratio that is not a whole number (28 -> 8: 3.5 source pixels per output).
        let eight = DigitInputAdapter(shape: try Self.shape(8, 8, 1)).image(Self.fixed)
        // Output (0, 0) covers source rows and columns 0, 1, 2 fully and 3 by half: weights 2/7, 2/7, 2/7, 1/7.
        let w: [Double] = [2, 2, 2, 1].map { $0 / 7 }
        var expected = 0.0
        for y in 0..<4 { for x in 0..<4 { expected += Double(Self.fixed[x: x, y: y]) * w[x] * w[y] } }
        #expect(Int(eight[x: 0, y: 0]) == Int(expected.rounded()))
        #expect(eight.pixels.prefix(8) == [26, 50, 75, 99, 124, 148, 173, 197])
    }

    @Test func mixedAxesPadOneAndShrinkTheOther() throws {
        // 32 rows (padded) by 14 columns (averaged in pairs).
        let mixed = DigitInputAdapter(shape: try Self.shape(32, 14, 1)).image(Self.fixed)
        #expect(mixed.width == 14 && mixed.height == 32)
        #expect(mixed.pixels.prefix(28).allSatisfy { $0 == 0 })  // two zero rows
        for x in 0..<14 {
            let mean = (Double(Int(Self.fixed[x: 2 * x, y: 0]) + Int(Self.fixed[x: 2 * x + 1, y: 0])) / 2).rounded(.toNearestOrAwayFromZero)
            #expect(Int(mixed[x: x, y: 2]) == Int(mean))
        }
    }

    @Test func channelsCarryTheSameGray() throws {
        let adapter = DigitInputAdapter(shape: try Self.shape(28, 28, 3))
        let tensor = adapter.input(Self.fixed)
        #expect(tensor.count == 28 * 28 * 3)
        for (i, pixel) in Self.fixed.pixels.enumerated() {
            #expect(tensor[3 * i] == Float(pixel) / 255 && tensor[3 * i + 1] == Float(pixel) / 255 && tensor[3 * i + 2] == Float(pixel) / 255)
        }
        // MNIST's own shape: exactly pixel / 255, as before the adapter.
        #expect(DigitInputAdapter.mnist.input(Self.fixed) == DigitPreprocessor.modelInput(Self.fixed))
        #expect(DigitInputAdapter.mnist.image(Self.fixed) == Self.fixed)
    }

    @Test func wording() throws {
        #expect("\(DigitInputAdapter(shape: try Self.shape(32, 32, 1)))" == "MNIST 28x28 padded to 32x32x1")
        #expect("\(DigitInputAdapter.mnist)" == "MNIST 28x28 as it is (28x28x1)")
        #expect("\(DigitInputAdapter(shape: try Self.shape(28, 28, 3)))" == "MNIST 28x28 as it is (28x28x3) (gray in every channel)")
        #expect("\(DigitInputAdapter(shape: try Self.shape(16, 16, 1)))" == "MNIST 28x28 resized (area) to 16x16x1")
        #expect("\(DigitInputAdapter(shape: try Self.shape(32, 14, 3)))"
            == "MNIST 28x28 padded in height and resized (area) in width to 32x14x3 (gray in every channel)")
    }

    @Test func shapesOutsideTheRangeAreRefused() {
        #expect(DigitInputShape(tensorShape: [1, 28, 28, 1]) == .mnist)
        #expect(DigitInputShape(tensorShape: [1, 8, 256, 3]) != nil)
        for bad in [[1, 7, 28, 1], [1, 28, 257, 1], [1, 28, 28, 2], [1, 28, 28, 4], [2, 28, 28, 1], [1, 784], [1, 28, 28], [1, 28, 28, 1, 1]] {
            #expect(DigitInputShape(tensorShape: bad) == nil, "\(bad)")
        }
    }

    /// `edge-sim run` prepares a PNG as MNIST-style 28x28 and then pads: for 32x32 that is the pad rule's image.
    @Test func preparedPNGIsThePaddedMNISTStyleImage() throws {
        var canvas = Canvas(width: 60, height: 90, paper: 250)
        canvas.fill(x: 20, y: 10, width: 12, height: 70, 10)
        let image = canvas.image
        let prepared = DigitPreprocessor.prepared(image, for: try Self.shape(32, 32, 1))
        let style = DigitPreprocessor.mnistStyle(image)
        var padded = [UInt8](repeating: 0, count: 32 * 32)
        for y in 0..<28 { for x in 0..<28 { padded[(y + 2) * 32 + x + 2] = style[x: x, y: y] } }
        #expect(prepared.pixels == padded)
        #expect(prepared.pixels.contains { $0 > 200 })
    }

    @Test func rawTakesTheModelsSizeOr28x28() throws {
        let shape = try Self.shape(32, 32, 1)
        #expect(try DigitPreprocessor.raw(Self.fixed, for: shape) == DigitInputAdapter(shape: shape).image(Self.fixed))
        let own = GrayImage(width: 32, height: 32, value: 9)
        #expect(try DigitPreprocessor.raw(own, for: shape) == own)
        #expect(throws: PreprocessError.wrongSizeForModel(width: 30, height: 30, model: shape)) {
            try DigitPreprocessor.raw(GrayImage(width: 30, height: 30), for: shape)
        }
        #expect(PreprocessError.wrongSizeForModel(width: 30, height: 30, model: shape).description
            == "image is 30x30 pixels; a raw input for this 32x32x1 model must be 28x28 (MNIST-like, adapted as MNIST is) or exactly 32x32")
        #expect(throws: PreprocessError.wrongSize(width: 32, height: 32)) { try DigitPreprocessor.raw(own, for: .mnist) }
    }

    /// PNG calibration images go through the same preparation at the model's shape.
    @Test func calibrationPNGsAtTheModelsShape() throws {
        let folder = try TemporaryFolder("calibration-shape")
        defer { folder.remove() }
        var images: [GrayImage] = []
        for i in 0..<10 {
            var canvas = Canvas(width: 40, height: 40, paper: 255)
            canvas.fill(x: 10 + i, y: 5, width: 6, height: 30, 0)
            images.append(canvas.image)
            try ImageFile.writePNG(canvas.image, to: folder.file("digit\(i).png"))
        }
        let shape = try Self.shape(32, 32, 3)
        let calibration = try CalibrationImages(directory: folder.path, count: 10, shape: shape)
        #expect(calibration.shape == shape)
        #expect(calibration.samples == images.map { DigitInputAdapter(shape: shape).input(DigitPreprocessor.mnistStyle($0)) })
        #expect(calibration.samples.allSatisfy { $0.count == 32 * 32 * 3 })
        #expect(calibration.source.hasSuffix("(prepared MNIST-style in 28x28, then padded to 32x32x3 (gray in every channel))"))
    }
}
