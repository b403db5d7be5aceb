import ArgumentParser
import DigitImage
import EdgeSim
import Foundation

/// `edge-sim evaluate --model M --data DIR`: one model's accuracy and speed on the MNIST test set.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure a model's accuracy and throughput on the MNIST test set."
    )

    @Option(name: .long, help: "The model: a float model.bin or an int8 .q8.")
    var model: String

    @Option(name: .long, help: "Folder with the MNIST IDX files.")
    var data = "../shared/data/mnist"

    @Option(name: .long, help: "Use only the first N test images.")
    var limit: Int?

    @Option(name: .long, help: "Worker threads (default: every core).")
    var cores: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        guard cores >= 1 else { throw ValidationError("--cores must be at least 1") }
    }

    func run() throws {
        let dataset: MNISTDataset
        do {
            dataset = try MNISTDataset(directory: data, split: .test, limit: limit)
        } catch {
            throw EdgeSimError("\(error)")
        }
        let result: MNISTResult
        var macs: Int?
        switch try ModelKind.of(path: model) {
        case .float:
            result = MNISTEvaluation.run(try FloatClassifier(path: model), on: dataset, limit: limit, workers: cores)
        case .int8:
            let shared = try SharedModelBytes(path: model)
            macs = shared.model.macs
            result = MNISTEvaluation.run(shared, on: dataset, limit: limit, workers: cores)
        }
        let rate = Double(result.images) / max(result.seconds, 1e-9)
        if json {
            struct Output: Encodable {
                var model: String, images: Int, correct: Int, accuracy: Double, seconds: Double, images_per_second: Double,
                    macs_per_second: Double?, cores: Int
            }
            print(try JSONOutput.encode(Output(model: model, images: result.images, correct: result.correct, accuracy: result.accuracy,
                                               seconds: result.seconds, images_per_second: rate,
                                               macs_per_second: macs.map { Double($0) * rate }, cores: cores)))
        } else {
            print(String(format: "%@: accuracy %.2f%% (%d/%d), %.2f s, %.0f images/s on %d core%@",
                         model, result.accuracy * 100, result.correct, result.images, result.seconds, rate, cores, cores == 1 ? "" : "s"))
        }
    }
}
