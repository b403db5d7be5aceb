import DigitImage
import FloatEngine
import Foundation
import ModelFormat
import Testing

/// The float engine against Keras itself: logits of the first 100 MNIST test images, written by
/// Tools/train when it exported each model (Tests/Fixtures/keras-<arch>-logits.json).
@Suite("float parity with Keras")
struct KerasParityTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let mnist = ProcessInfo.processInfo.environment["EDGEQUANT_MNIST"]
        ?? repository.deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path
    static let mnistPresent = FileManager.default.fileExists(atPath: mnist + "/t10k-images-idx3-ubyte.gz")
        || FileManager.default.fileExists(atPath: mnist + "/t10k-images-idx3-ubyte")

    struct Fixture: Decodable {
        var model: String
        var logits: [[Float]]
        var labels: [Int]
    }

    @Test(
        "logits match Keras within 1e-4 on the first 100 MNIST test images",
        .enabled(if: mnistPresent, "MNIST is not at ../shared/data/mnist (set EDGEQUANT_MNIST): skipping Keras parity"),
        arguments: ["vgg", "resnet"]
    )
    func logitsMatchKeras(arch: String) throws {
        let fixtureURL = Self.repository.appendingPathComponent("Tests/Fixtures/keras-\(arch)-logits.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: fixtureURL))
        let graph = try ModelFile.load(path: Self.repository.appendingPathComponent(fixture.model).path)
        let dataset = try MNISTDataset(directory: Self.mnist, split: .test, limit: fixture.logits.count)
        #expect(fixture.logits.count == 100)
        #expect(dataset.labels.prefix(100).map(Int.init) == fixture.labels)

        var interpreter = FloatInterpreter(graph: graph)
        var worst: Float = 0
        for (index, expected) in fixture.logits.enumerated() {
            try interpreter.run(dataset.image(at: index).pixels.map { Float($0) / 255 })
            let logits = interpreter.values(of: graph.logits)
            #expect(logits.count == expected.count)
            for (a, b) in zip(logits, expected) { worst = max(worst, abs(a - b)) }
        }
        #expect(worst <= 1e-4, "largest logit difference from Keras: \(worst)")
    }
}
