import DigitImage
import Testing

/// The reader on the real MNIST files; skipped, with a message saying so, when they are not there.
@Suite("MNIST real data")
struct MNISTDatasetTests {
    @Test(.enabled(if: MNISTLocation.present, Comment(rawValue: MNISTLocation.skipMessage)))
    func testSplit() throws {
        let test = try MNISTDataset(directory: MNISTLocation.directory, split: .test)
        #expect(test.count == 10_000 && test.rows == 28 && test.cols == 28)
        #expect(test.images.count == 10_000 * 784 && test.labels.count == 10_000)
        #expect(test.labels.first == 7)
        #expect(test.label(at: 0) == 7)
        let first = test.image(at: 0)
        #expect(first.width == 28 && first.height == 28 && first.pixels.max() == 255)
        #expect(first[x: 0, y: 0] == 0, "white digit on black")
        // Label counts published with the data set.
        let counts = (0...9).map { digit in test.labels.count { $0 == digit } }
        #expect(counts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    }

    @Test(.enabled(if: MNISTLocation.present, Comment(rawValue: MNISTLocation.skipMessage)))
    func trainSplit() throws {
        let train = try MNISTDataset(directory: MNISTLocation.directory, split: .train)
        #expect(train.count == 60_000 && train.images.count == 60_000 * 784)
        #expect(train.labels.first == 5)
    }

    @Test(.enabled(if: MNISTLocation.present, Comment(rawValue: MNISTLocation.skipMessage)))
    func limitKeepsTheFirstImages() throws {
        let all = try MNISTDataset(directory: MNISTLocation.directory, split: .test)
        let some = try MNISTDataset(directory: MNISTLocation.directory, split: .test, limit: 100)
        #expect(some.count == 100 && some.labels == Array(all.labels.prefix(100)))
        #expect(some.image(at: 99) == all.image(at: 99))
        #expect(some.image(at: 100) == GrayImage(width: 28, height: 28), "out of range is a black image, not a trap")
        #expect(some.label(at: -1) == nil)
    }

    @Test(.enabled(if: MNISTLocation.present, Comment(rawValue: MNISTLocation.skipMessage)))
    func mnistDigitsSurvivePreprocessing() throws {
        // An MNIST digit is already prepared: doing it again keeps it close (same centre, same size).
        let test = try MNISTDataset(directory: MNISTLocation.directory, split: .test, limit: 50)
        for index in 0..<test.count {
            let again = DigitPreprocessor.mnistStyle(test.image(at: index))
            let mass = try #require(Canvas.centreOfMass(again))
            #expect(abs(mass.x - 14) <= 1 && abs(mass.y - 14) <= 1)
            let box = try #require(Canvas.inkBox(again, threshold: 128))
            #expect(max(box.maxX - box.minX, box.maxY - box.minY) + 1 >= 18)
        }
    }
}
