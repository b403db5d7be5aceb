import ArgumentParser
import DigitImage
import EdgeSim
import CommandLineSupport
import Foundation

/// `edge-sim evaluate --model M --data DIR`: one model's accuracy and speed on the MNIST test set.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure a model's accuracy and throughput on the MNIST test set.",
        discussion: """
        Runs outside the simulated board: an int8 model runs on the host's fast kernels (bit-exact with the \
        runtime's) with a plain arena on ordinary worker threads, for speed. `edge-sim run` runs inside the board \
        (read-only flash, guarded arena and stack; docs/boards.md).
        """
    )

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var mnist: MNISTOptions
    @OptionGroup var workers: WorkerOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let model = modelOptions.model, data = mnist.data, limit = mnist.limit, cores = workers.cores, json = output.json
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
