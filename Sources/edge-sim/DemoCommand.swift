import ArgumentParser
import EdgeSim

/// `edge-sim demo`: the main job on the shipped models and sample digits.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the shipped models on the sample digits and, when MNIST is present, on its test set."
    )

    @Option(name: .long, help: "Folder with the MNIST IDX files.")
    var data = "../shared/data/mnist"

    @Option(name: .long, help: "Use only the first N MNIST test images.")
    var limit: Int?

    @Option(name: .long, help: "Folder with the sample digit PNGs.")
    var samples = "Samples/digits"

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let demo = Demo(modelPaths: ["Models/vgg-mnist.bin", "Models/resnet-mnist.bin"],
                        samplesDirectory: samples, mnistDirectory: data, limit: limit)
        try demo.run { print($0) }
    }
}
