import ArgumentParser
import CommandLineSupport
import EdgeSim
import Foundation

/// `edge-sim run --model M IMAGE...`: the digit each image shows, with its probability.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Classify digit PNGs with a model.",
        discussion: "Each PNG is prepared like MNIST (dark ink on light paper inverted, cropped, fitted to 20x20 and centred by mass in 28x28) "
            + "unless --raw is given, then brought to the model's input shape as MNIST is: padded (32x32) or resized (smaller), "
            + "the gray in every channel."
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var normalization: InputNormalizationOptions
    @OptionGroup var boards: BoardOptions

    @Flag(name: .long, help: "Print each layer's int8 output range and saturation count.")
    var trace = false

    @Flag(name: .long, help: "With --json and an int8 model: add each image's int8 input and output tensors.")
    var tensors = false

    @Argument(help: "PNG images of single digits.")
    var images: [String]

    @OptionGroup var output: OutputOptions

    @Flag(name: .long, help: "Use the images as they are: white ink on black, no preprocessing; 28x28 (brought to the model's shape as MNIST is) or exactly the model's size.")
    var raw = false

    @Option(name: .customLong("save-input"), help: "Write each prepared input (at the model's height and width) as a PNG into this folder.")
    var saveInput: String?

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one PNG image") }
    }

    func run() throws {
        let run = DigitRun(modelPath: model.model, imagePaths: images, raw: raw, saveInputDirectory: saveInput,
                           boardName: boards.board, catalog: try boards.catalog(), trace: trace, tensors: tensors,
                           importOptions: normalization.importOptions)
        let report = try run.report()
        if output.json {
            print(try JSONOutput.encode(report))
            return
        }
        for (index, prediction) in report.predictions.enumerated() {
            print("\(prediction.file): \(prediction.digit) (\(String(format: "%.1f", prediction.confidence * 100))%)")
            for layer in report.trace?[index] ?? [] {
                print("  layer \(layer.layer) \(layer.op): int8 range [\(layer.minimum), \(layer.maximum)], \(layer.saturated)/\(layer.count) saturated")
            }
        }
        if let memory = report.memory, let board = report.board {
            let measuredIn = memory.footprintSource == "c-library" ? "the C library in the example firmware" : "Firmware-Sim's Swift firmware"
            print("board \(board): flash \(memory.flashBytes) B (model), arena \(memory.arenaBytes) B planned, "
                + "\(memory.arenaHighWaterBytes) B high-water, SRAM \(memory.sramBytes) B; with the library's measured code, statics and "
                + "stack: flash \(memory.flashNeededBytes) B, SRAM \(memory.sramNeededBytes) B needed")
            print("stack: budget \(memory.stackBudgetBytes) B (measured on the board's core in \(measuredIn)); inference ran on a "
                + "guarded \(memory.hostStackBytes) B thread stack, using \(memory.hostStackUsedBytes) B of it in host code")
            if let estimate = report.estimate {
                print(String(format: "estimated latency %.2f ms (%.2f M instructions from costs fitted to Firmware-Sim, %d cycles: "
                    + "%@; an estimate, not measured on hardware)", estimate.latencyMS,
                    Double(estimate.instructions) / 1e6, estimate.cycles, estimate.cyclesBasis))
            } else {
                print("no latency estimate: the board's core has no cost model (docs/boards.md)")
            }
        }
    }
}
