import ArgumentParser
import EdgeSim

/// `edge-sim demo`: the main job on the shipped models and sample digits.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Quantize the shipped models, run them on the sample digits in a simulated board, and compare int8 with float on MNIST."
    )

    @Option(name: .long, help: "Folder with the MNIST IDX files.")
    var data = "../shared/data/mnist"

    @Option(name: .long, help: "Use only the first N MNIST test images.")
    var limit: Int?

    @Option(name: .long, help: "Folder with the sample digit PNGs.")
    var samples = "Samples/digits"

    @Option(name: .long, help: "The simulated board for the int8 runs.")
    var board = DigitRun.defaultBoard

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let demo = Demo(modelPaths: ["Models/vgg-mnist.bin", "Models/resnet-mnist.bin"],
                        samplesDirectory: samples, mnistDirectory: data, boardName: board, limit: limit)
        try demo.run { print($0) }
    }
}
