import ArgumentParser
import Boards
import CommandLineSupport
import EdgeSim

/// `edge-sim demo`: the main job on the shipped models and sample digits.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Quantize the shipped models, run them on the sample digits in a simulated board, and compare int8 with float on MNIST."
    )

    @OptionGroup var mnist: MNISTOptions

    @Option(name: .long, help: "Folder with the sample digit PNGs.")
    var samples = "Samples/digits"

    @OptionGroup var boards: BoardOptions

    func run() throws {
        let demo = Demo(modelPaths: ["Models/vgg-mnist.bin", "Models/resnet-mnist.bin"], samplesDirectory: samples,
                        mnistDirectory: mnist.data, boardName: boards.board ?? BoardCatalog.defaultBoard, limit: mnist.limit)
        try demo.run(catalog: try boards.catalog()) { print($0) }
    }
}
