import DigitImage
import Foundation
import Testing

/// The drawn sample digits in Samples/digits.
@Suite("Sample digits")
struct SampleDigitsTests {
    static let folder = MNISTLocation.repository.appendingPathComponent("Samples/digits").path

    static func samples() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
    }

    @Test func thereAreAtLeastTwelveCoveringEveryDigit() {
        let names = Self.samples()
        #expect(names.count >= 12)
        #expect(Set(names.compactMap { $0.first?.wholeNumberValue }) == Set(0...9))
    }

    @Test func everySampleDecodesAndPreparesLikeMNIST() throws {
        for name in Self.samples() {
            let image = try ImageFile.readPNG(path: (Self.folder as NSString).appendingPathComponent(name))
            #expect(image.width >= 28 && image.height >= 28, "\(name)")
            let prepared = DigitPreprocessor.mnistStyle(image)
            let mass = try #require(Canvas.centreOfMass(prepared), "\(name) has no ink")
            #expect(abs(mass.x - 14) <= 1 && abs(mass.y - 14) <= 1, "\(name): centre of mass \(mass)")
            let box = try #require(Canvas.inkBox(prepared, threshold: 128))
            #expect(box.maxY - box.minY + 1 >= 18, "\(name) fills the 20-pixel box")
            #expect(prepared[x: 0, y: 0] == 0 && prepared[x: 27, y: 27] == 0, "\(name): paper is black")
        }
    }
}
