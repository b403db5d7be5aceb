import ArgumentParser
import Boards
import Foundation

/// `--board` and `--boards`: a board from the shipped catalog or from the user's own catalog file.
public struct BoardOptions: ParsableArguments {
    @Option(name: .long, help: "The board to check the model against (edge-sim run and demo also simulate it; default for them: \(BoardCatalog.defaultBoard)).")
    public var board: String?

    @Option(name: .long, help: "A board catalog JSON file instead of the shipped one (docs/boards.md).")
    public var boards: String?

    public init() {}

    /// The catalog named by `--boards`, or the shipped one.
    public func catalog() throws(BoardError) -> BoardCatalog {
        guard let boards else { return try BoardCatalog.shipped() }
        return try BoardCatalog.load(path: boards)
    }
}

/// `--data` and `--limit`: the MNIST test images a command runs over.
public struct MNISTOptions: ParsableArguments {
    @Option(name: .long, help: "Folder with the MNIST IDX files.")
    public var data = "../shared/data/mnist"

    @Option(name: .long, help: "Use only the first N test images.")
    public var limit: Int?

    public init() {}

    public func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }
}

/// `--cores`: worker threads for batch runs.
public struct WorkerOptions: ParsableArguments {
    @Option(name: .long, help: "Worker threads (default: every core).")
    public var cores: Int = ProcessInfo.processInfo.activeProcessorCount

    public init() {}

    public func validate() throws {
        guard cores >= 1 else { throw ValidationError("--cores must be at least 1") }
    }
}

/// `--json`: machine-readable output instead of text.
public struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the result as JSON.")
    public var json = false

    public init() {}
}

/// `--model`: the model a command runs.
public struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "The model: a float model.bin or an int8 .q8.")
    public var model: String

    public init() {}
}
