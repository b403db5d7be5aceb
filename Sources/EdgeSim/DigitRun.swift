import Boards
import DigitImage
import Int8Runtime
import ModelImport

/// `edge-sim run`: classify PNG digits with a float model, or with an int8 .q8 inside a simulated board. Each PNG is
/// prepared to the model's input shape (`DigitInput`).
public struct DigitRun {
    public var modelPath: String
    public var imagePaths: [String]
    public var raw: Bool
    public var saveInputDirectory: String?
    /// The board an int8 model runs in (the catalog's default when nil).
    public var boardName: String?
    public var catalog: BoardCatalog
    public var trace: Bool
    /// Whether int8 predictions carry their input and output tensors (for byte-for-byte comparisons).
    public var tensors: Bool
    /// How a float model is read (`--input-normalization`); an int8 model takes pixels and refuses one.
    public var importOptions: ImportOptions

    public init(modelPath: String, imagePaths: [String], raw: Bool = false, saveInputDirectory: String? = nil,
                boardName: String? = nil, catalog: BoardCatalog, trace: Bool = false, tensors: Bool = false,
                importOptions: ImportOptions = ImportOptions()) {
        self.tensors = tensors
        self.importOptions = importOptions
        self.modelPath = modelPath
        self.imagePaths = imagePaths
        self.raw = raw
        self.saveInputDirectory = saveInputDirectory
        self.boardName = boardName
        self.catalog = catalog
        self.trace = trace
    }

    /// Loads the model and every image first, so that a bad file stops the run before any output is written.
    public func report() throws(EdgeSimError) -> RunReport {
        let kind = try ModelKind.of(path: modelPath)
        let board: Board
        do { board = try catalog.board(named: boardName ?? BoardCatalog.defaultBoard) } catch { throw EdgeSimError(error.description) }
        // The model first: its input shape decides how every image is prepared.
        enum Loaded { case float(FloatClassifier), int8(Q8File) }
        let loadedModel: Loaded, shape: DigitInputShape
        switch kind {
        case .float:
            let classifier = try FloatClassifier(path: modelPath, options: importOptions)
            (loadedModel, shape) = (.float(classifier), classifier.shape)
        case .int8:
            try ModelKind.refuseNormalization(importOptions, int8Model: modelPath)
            let loaded: Q8File
            do { loaded = try Q8File(path: modelPath) } catch { throw EdgeSimError(error) }
            (loadedModel, shape) = (.int8(loaded), try ModelInputShape.of(loaded.model, file: modelPath))
        }
        var inputs: [(path: String, image: GrayImage)] = []
        for path in imagePaths {
            inputs.append((path, try DigitInput.load(path: path, raw: raw, shape: shape)))
        }
        if let saveInputDirectory {
            var saver = try InputSaver(directory: saveInputDirectory)
            for input in inputs { try saver.save(input.image, source: input.path) }
        }
        switch loadedModel {
        case var .float(classifier):
            let predictions = inputs.map { Prediction(file: $0.path, scores: classifier.scores(DigitInput.tensor($0.image, shape: shape))) }
            return RunReport(predictions: predictions, board: nil, memory: nil, estimate: nil, trace: nil)
        case let .int8(loaded):
            let verdict = catalog.verdict(board, modelBytes: loaded.bytes.count, arenaBytes: loaded.model.arenaSize)
            // The simulator enforces the budget: a model that does not fit, or cannot be judged, does not run.
            guard verdict.fits == true, let measured = verdict.measured, let flashNeeded = verdict.flashNeeded,
                  let sramNeeded = verdict.sramNeeded else { throw EdgeSimError(file: modelPath, verdict.summary) }
            let classifier = try Int8Classifier(loaded, stackBudget: measured.stackBytes)
            let model = classifier.model
            var predictions: [Prediction] = [], traces: [[TraceEntry]] = [], highWater = 0, stackUsed = 0
            for input in inputs {
                let outcome = try classifier.classify(DigitInput.tensor(input.image, shape: shape), trace: trace)
                predictions.append(Prediction(file: input.path, scores: outcome.scores,
                                              input: tensors ? outcome.input : nil, output: tensors ? outcome.logits : nil))
                highWater = max(highWater, outcome.highWaterMark)
                stackUsed = max(stackUsed, outcome.hostStackUsed)
                traces.append(outcome.trace.enumerated().map { step, layer in
                    TraceEntry(layer: step, op: "\(model.op(step).opcode)", minimum: Int(layer.minimum), maximum: Int(layer.maximum),
                               saturated: layer.saturated, count: layer.count)
                })
            }
            let estimate = catalog.costs(on: board).flatMap { CostEstimate(model: model, core: $0, clockMHz: board.clockMHz) }
            return RunReport(
                predictions: predictions, board: board.name,
                memory: MemoryReport(flashBytes: model.bytes.count, arenaBytes: model.arenaSize, arenaHighWaterBytes: highWater,
                                     sramBytes: board.sramBytes, fits: true, flashNeededBytes: flashNeeded,
                                     sramNeededBytes: sramNeeded, stackBudgetBytes: measured.stackBytes,
                                     footprintSource: measured.origin.rawValue,
                                     hostStackBytes: classifier.stackBytes, hostStackUsedBytes: stackUsed),
                estimate: estimate.map {
                    EstimateReport(instructions: Int($0.instructions.rounded()), cycles: Int($0.cycles.rounded()), latencyMS: $0.milliseconds,
                                   cyclesBasis: $0.cyclesBasis)
                },
                trace: trace ? traces : nil)
        }
    }
}
