import ArgumentParser
import EdgeSim
import Foundation

/// `edge-sim run --model M IMAGE...`: the digit each image shows, with its probability.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Classify digit PNGs with a model.",
        discussion: "Each PNG is prepared like MNIST (dark ink on light paper inverted, cropped, fitted to 20x20 and centred by mass in 28x28) unless --raw is given."
    )

    @Option(name: .long, help: "The model: a model.bin float model.")
    var model: String

    @Argument(help: "PNG images of single digits.")
    var images: [String]

    @Flag(name: .long, help: "Print the predictions as JSON.")
    var json = false

    @Flag(name: .long, help: "Use the images as they are: 28x28, white ink on black, no preprocessing.")
    var raw = false

    @Option(name: .customLong("save-input"), help: "Write each preprocessed 28x28 input as a PNG into this folder.")
    var saveInput: String?

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one PNG image") }
    }

    func run() throws {
        let run = DigitRun(modelPath: model, imagePaths: images, raw: raw, saveInputDirectory: saveInput)
        let predictions = try run.predictions()
        if json {
            print(try JSONOutput.encode(PredictionList(predictions: predictions)))
        } else {
            for prediction in predictions {
                print("\(prediction.file): \(prediction.digit) (\(String(format: "%.1f", prediction.confidence * 100))%)")
            }
        }
    }
}

/// The top-level JSON object of `run --json`.
struct PredictionList: Encodable {
    var predictions: [Prediction]
}
