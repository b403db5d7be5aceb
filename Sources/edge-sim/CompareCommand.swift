import ArgumentParser
import EdgeSim
import CommandLineSupport
import Foundation
import ModelFormat

/// `edge-sim compare --float model.bin --int8 m.q8 --data DIR`: int8 against float accuracy on MNIST.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Measure int8 against float accuracy on the MNIST test set.",
        discussion: """
        Runs outside the simulated board: the int8 model runs on the host's fast kernels (bit-exact with the \
        runtime's) with a plain arena on ordinary worker threads, for speed. `edge-sim run` runs inside the board \
        (read-only flash, guarded arena and stack; docs/boards.md).
        """
    )

    @Option(name: .customLong("float"), help: "The float model (model.bin, .keras, .h5, .onnx or .tflite).")
    var floatModel: String

    @OptionGroup var normalization: InputNormalizationOptions

    @Option(name: .customLong("int8"), help: "The int8 model (.q8).")
    var int8Model: String

    @OptionGroup var mnist: MNISTOptions
    @OptionGroup var workers: WorkerOptions

    @Option(name: .long, help: "Write an HTML page with the confusion matrices and the int8 mistakes.")
    var report: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let json = output.json
        let comparison = try Comparison(floatPath: floatModel, int8Path: int8Model, dataDirectory: mnist.data, limit: mnist.limit,
                                        workers: workers.cores, showProgress: !json, options: normalization.importOptions)
        if let report {
            do {
                try ModelFile.writeAtomically(Array(ComparisonPage.render(comparison, floatName: floatModel, int8Name: int8Model).utf8), to: report)
            } catch {
                throw EdgeSimError(error.description)
            }
        }
        if json {
            struct Output: Encodable {
                var input: String, input_normalization: [Float], input_normalization_source: String
                var images: Int, float_accuracy: Double, int8_accuracy: Double, agreement: Double
                var float_correct: Int, int8_correct: Int, per_class_float: [Double], per_class_int8: [Double]
                var confusion_float: [[Int]], confusion_int8: [[Int]]
            }
            let c = comparison
            print(try JSONOutput.encode(Output(
                input: c.input.description, input_normalization: [c.normalization.mean, c.normalization.std],
                input_normalization_source: c.normalizationSource, images: c.images, float_accuracy: c.float.accuracy, int8_accuracy: c.int8.accuracy, agreement: c.agreement,
                float_correct: c.float.correct, int8_correct: c.int8.correct, per_class_float: c.float.perClass,
                per_class_int8: c.int8.perClass, confusion_float: c.float.confusion, confusion_int8: c.int8.confusion)))
        } else {
            print(ComparisonText.render(comparison))
        }
    }
}
