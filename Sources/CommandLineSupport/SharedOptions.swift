import ArgumentParser
import Boards
import Foundation
import ModelFormat
import ModelImport

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
    @Option(name: .long, help: "The model: a float model (model.bin, .keras, .h5, .onnx, .tflite) or an int8 .q8.")
    public var model: String

    public init() {}
}

/// `--input-normalization MEAN,STD`: what a float model expects of pixel / 255, `(p - MEAN) / STD` (PyTorch's MNIST
/// convention is 0.1307,0.3081), for a file that does not record it. Defined once for quantize, edge-sim run,
/// compare and evaluate; quantize folds it into the .q8's input quantization, so the .q8 still takes pixels.
public struct InputNormalizationOptions: ParsableArguments {
    @Option(name: .customLong("input-normalization"), help: ArgumentHelp(
        "The float model's input normalization of pixel / 255, (p - MEAN) / STD, when its file does not record one (e.g. 0.1307,0.3081).",
        valueName: "mean,std"))
    public var inputNormalization: String?

    public init() {}

    public func validate() throws {
        if let inputNormalization { _ = try Self.parse(inputNormalization) }
    }

    /// The parsed normalization, nil when the flag is absent.
    public var normalization: InputNormalization? {
        inputNormalization.flatMap { try? Self.parse($0) }
    }

    /// The import options the flag gives.
    public var importOptions: ImportOptions { ImportOptions(inputNormalization: normalization) }

    /// `MEAN,STD`: two finite numbers, STD > 0; anything else is one line naming the flag and the value.
    public static func parse(_ text: String) throws(ValidationError) -> InputNormalization {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let problem = "--input-normalization '\(text)': give MEAN,STD as two numbers with STD > 0 (for example 0.1307,0.3081)"
        guard parts.count == 2, let mean = Float(parts[0]), let std = Float(parts[1]) else { throw ValidationError(problem) }
        let normalization = InputNormalization(mean: mean, std: std)
        guard normalization.isValid else { throw ValidationError(problem) }
        return normalization
    }
}
