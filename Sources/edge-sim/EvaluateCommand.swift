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
    @OptionGroup var normalization: InputNormalizationOptions
    @OptionGroup var mnist: MNISTOptions
    @OptionGroup var workers: WorkerOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let model = modelOptions.model, data = mnist.data, limit = mnist.limit, cores = workers.cores, json = output.json
        // The model first: a model the tools cannot feed fails before 10,000 images are read.
        enum Loaded { case float(FloatClassifier), int8(SharedModelBytes) }
        let loaded: Loaded, shape: DigitInputShape
        switch try ModelKind.of(path: model) {
        case .float:
            let classifier = try FloatClassifier(path: model, options: normalization.importOptions)
            (loaded, shape) = (.float(classifier), classifier.shape)
        case .int8:
            try ModelKind.refuseNormalization(normalization.importOptions, int8Model: model)
            let shared = try SharedModelBytes(path: model)
            (loaded, shape) = (.int8(shared), try ModelInputShape.of(shared.model, file: model))
        }
        let dataset: MNISTDataset
        do {
            dataset = try MNISTDataset(directory: data, split: .test, limit: limit)
        } catch {
            throw EdgeSimError("\(error)")
        }
        let result: MNISTResult
        var macs: Int?
        switch loaded {
        case let .float(classifier):
            result = MNISTEvaluation.run(classifier, on: dataset, limit: limit, workers: cores)
        case let .int8(shared):
            macs = shared.model.macs
            result = MNISTEvaluation.run(shared, shape: shape, on: dataset, limit: limit, workers: cores)
        }
        let input = DigitInputAdapter(shape: shape).description
        let rate = Double(result.images) / max(result.seconds, 1e-9)
        if json {
            struct Output: Encodable {
                var model: String, input: String, images: Int, correct: Int, accuracy: Double, seconds: Double, images_per_second: Double,
                    macs_per_second: Double?, cores: Int
            }
            print(try JSONOutput.encode(Output(model: model, input: input, images: result.images, correct: result.correct, accuracy: result.accuracy,
                                               seconds: result.seconds, images_per_second: rate,
                                               macs_per_second: macs.map { Double($0) * rate }, cores: cores)))
        } else {
            print(String(format: "%@: accuracy %.2f%% (%d/%d), %.2f s, %.0f images/s on %d core%@",
                         model, result.accuracy * 100, result.correct, result.images, result.seconds, rate, cores, cores == 1 ? "" : "s")
                + (shape == .mnist ? "" : "; input \(input)"))
        }
    }
}
