@testable import DigitImage
import Testing

/// MNIST-style preparation: inversion, crop, 20x20 fit, centre of mass, blanks.
@Suite("Digit preprocessing")
struct PreprocessorTests {
    /// A "7"-like figure: a bar across the top and a stem down the right, dark on light.
    static func seven(width: Int = 120, height: Int = 160, at origin: (x: Int, y: Int) = (30, 20),
                      ink: UInt8 = 20, paper: UInt8 = 240) -> GrayImage {
        var canvas = Canvas(width: width, height: height, paper: paper)
        canvas.fill(x: origin.x, y: origin.y, width: 60, height: 12, ink)
        canvas.fill(x: origin.x + 48, y: origin.y, width: 12, height: 100, ink)
        return canvas.image
    }

    static func inverted(_ image: GrayImage) -> GrayImage {
        GrayImage(width: image.width, height: image.height, pixels: image.pixels.map { 255 - $0 })!
    }

    @Test func outputIs28x28WithFullInk() {
        let out = DigitPreprocessor.mnistStyle(Self.seven())
        #expect(out.width == 28 && out.height == 28)
        #expect(out.pixels.max() == 255)
        #expect(out[x: 0, y: 0] == 0, "paper becomes black")
    }

    @Test func inkDetection() {
        #expect(DigitPreprocessor.inkIsDark(Self.seven()))
        #expect(!DigitPreprocessor.inkIsDark(Self.seven(ink: 250, paper: 5)))
        // Mid-grey paper with darker ink is still dark ink.
        #expect(DigitPreprocessor.inkIsDark(Self.seven(ink: 30, paper: 140)))
    }

    @Test func darkOnLightAndLightOnDarkGiveTheSameDigit() {
        let dark = DigitPreprocessor.mnistStyle(Self.seven(ink: 0, paper: 255))
        let light = DigitPreprocessor.mnistStyle(Self.inverted(Self.seven(ink: 0, paper: 255)))
        #expect(dark == light)
        let grey = DigitPreprocessor.mnistStyle(Self.seven(ink: 60, paper: 190))
        #expect(grey == dark, "levels are stretched: grey paper is black, the ink full white")
    }

    @Test func cropMakesPositionIrrelevant() {
        let a = DigitPreprocessor.mnistStyle(Self.seven(width: 300, height: 200, at: (10, 10)))
        let b = DigitPreprocessor.mnistStyle(Self.seven(width: 300, height: 200, at: (200, 80)))
        #expect(a == b)
    }

    @Test func tallFigureFitsTwentyHighKeepingItsAspect() throws {
        // 10 wide, 40 tall -> 5 x 20.
        var canvas = Canvas(width: 100, height: 100, paper: 255)
        canvas.fill(x: 20, y: 30, width: 10, height: 40, 0)
        let box = try #require(Canvas.inkBox(DigitPreprocessor.mnistStyle(canvas.image)))
        #expect(box.maxY - box.minY + 1 == 20)
        #expect(box.maxX - box.minX + 1 == 5)
    }

    @Test func wideFigureFitsTwentyWideKeepingItsAspect() throws {
        var canvas = Canvas(width: 300, height: 120, paper: 0)
        canvas.fill(x: 50, y: 40, width: 120, height: 30, 255)
        let box = try #require(Canvas.inkBox(DigitPreprocessor.mnistStyle(canvas.image)))
        #expect(box.maxX - box.minX + 1 == 20)
        #expect(box.maxY - box.minY + 1 == 5)
    }

    @Test func tinyFigureIsScaledUp() throws {
        var canvas = Canvas(width: 9, height: 9, paper: 255)
        canvas.fill(x: 3, y: 2, width: 2, height: 5, 0)
        let out = DigitPreprocessor.mnistStyle(canvas.image)
        let box = try #require(Canvas.inkBox(out, threshold: 128))
        #expect(box.maxY - box.minY + 1 == 20)
        #expect((7...9).contains(box.maxX - box.minX + 1))
    }

    @Test(arguments: [(120, 160), (300, 200), (40, 40), (64, 300)])
    func centreOfMassLandsAtFourteen(size: (Int, Int)) throws {
        // An L: most mass low and left, so a plain box centre would be off.
        var canvas = Canvas(width: size.0, height: size.1, paper: 250)
        let unit = max(1, min(size.0, size.1) / 10)
        canvas.fill(x: unit, y: unit, width: 2 * unit, height: 8 * unit, 10)
        canvas.fill(x: unit, y: 7 * unit, width: 6 * unit, height: 2 * unit, 10)
        let mass = try #require(Canvas.centreOfMass(DigitPreprocessor.mnistStyle(canvas.image)))
        #expect(abs(mass.x - 14) <= 1 && abs(mass.y - 14) <= 1, "centre of mass \(mass)")
        let seven = try #require(Canvas.centreOfMass(DigitPreprocessor.mnistStyle(Self.seven())))
        #expect(abs(seven.x - 14) <= 1 && abs(seven.y - 14) <= 1, "centre of mass \(seven)")
    }

    @Test func blankImagesGiveBlack() {
        let black = GrayImage(width: 28, height: 28)
        #expect(DigitPreprocessor.mnistStyle(GrayImage(width: 50, height: 50, value: 255)) == black)
        #expect(DigitPreprocessor.mnistStyle(GrayImage(width: 50, height: 30, value: 0)) == black)
        #expect(DigitPreprocessor.mnistStyle(GrayImage(width: 0, height: 0)) == black)
        #expect(DigitPreprocessor.mnistStyle(GrayImage(width: 1, height: 1, value: 77)) == black)
        // Faint texture, no ink.
        let faint = GrayImage(width: 30, height: 30, pixels: (0..<900).map { UInt8(120 + $0 % 7) })!
        #expect(DigitPreprocessor.mnistStyle(faint) == black)
    }

    @Test func aSpeckOfNoiseDoesNotMoveTheBox() {
        var clean = Canvas(width: 200, height: 200, paper: 255)
        clean.fill(x: 60, y: 40, width: 20, height: 120, 0)
        clean.fill(x: 60, y: 40, width: 70, height: 20, 0)
        var noisy = clean
        noisy.fill(x: 195, y: 195, width: 2, height: 2, 0)
        #expect(DigitPreprocessor.mnistStyle(noisy.image) == DigitPreprocessor.mnistStyle(clean.image))
    }

    @Test func rawTakesOnly28x28() throws {
        let image = GrayImage(width: 28, height: 28, value: 3)
        #expect(try DigitPreprocessor.raw(image) == image)
        #expect(throws: PreprocessError.wrongSize(width: 27, height: 28)) {
            try DigitPreprocessor.raw(GrayImage(width: 27, height: 28))
        }
        #expect(PreprocessError.wrongSize(width: 40, height: 30).description.hasPrefix("image is 40x30 pixels; a raw input must be exactly 28x28"))
    }

    @Test func modelInputIsPixelOver255() {
        let image = GrayImage(width: 28, height: 28, pixels: (0..<784).map { UInt8($0 % 256) })!
        let input = DigitPreprocessor.modelInput(image)
        #expect(input.count == 784)
        #expect(input[0] == 0 && input[255] == 1 && input[51] == 0.2)
    }

    @Test func resamplerWeightsAddUpToOne() {
        for (from, to) in [(100, 20), (21, 20), (7, 20), (1, 20), (20, 20), (3, 1)] {
            for taps in Resampler.weights(from: from, to: to) {
                #expect(abs(taps.reduce(0) { $0 + $1.weight } - 1) < 1e-5, "\(from) -> \(to)")
                #expect(taps.allSatisfy { (0..<from).contains($0.index) })
            }
        }
    }
}
