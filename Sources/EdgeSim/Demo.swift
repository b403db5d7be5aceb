import Boards
import DigitImage
import Foundation
import Int8Runtime
import ModelFormat
import Quantizer

/// `edge-sim demo`: the main job on the shipped default. Quantizes the shipped models, runs float and int8 on the
/// sample digits inside a simulated board and, when MNIST is present, compares int8 with float on its test set.
public struct Demo {
    public var modelPaths: [String]
    public var samplesDirectory: String
    public var mnistDirectory: String
    public var boardName: String
    public var limit: Int?
    public var calibrationCount = 1000

    public init(modelPaths: [String], samplesDirectory: String, mnistDirectory: String, boardName: String = BoardCatalog.defaultBoard, limit: Int? = nil) {
        self.modelPaths = modelPaths
        self.samplesDirectory = samplesDirectory
        self.mnistDirectory = mnistDirectory
        self.boardName = boardName
        self.limit = limit
    }

    /// Runs everything, handing the summary to `emit` line by line as each part finishes.
    public func run(catalog: BoardCatalog, emit: (String) -> Void) throws(EdgeSimError) {
        let board: Board
        do {
            board = try catalog.board(named: boardName)
        } catch {
            throw EdgeSimError(error.description)
        }
        let names = modelPaths.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
        let graphs = try modelPaths.map { (path) throws(EdgeSimError) -> FloatGraph in
            do { return try ModelFile.load(path: path) } catch { throw EdgeSimError("\(error)") }
        }
        let mnistPresent = FileManager.default.fileExists(atPath: mnistDirectory + "/train-images-idx3-ubyte.gz")
            || FileManager.default.fileExists(atPath: mnistDirectory + "/train-images-idx3-ubyte")
        let calibration: CalibrationImages?
        do {
            calibration = mnistPresent ? try CalibrationImages(directory: mnistDirectory, count: calibrationCount) : nil
        } catch {
            throw EdgeSimError(error.description)
        }

        emit("EdgeQuant demo: board \(board.name) (\(board.mcu), \(board.core) @ \(Int(board.clockMHz)) MHz, "
            + "SRAM \(ByteCount(board.sramBytes)), flash \(ByteCount(board.flashBytes)))")
        emit("")
        emit("1. quantize (" + (calibration.map { "\(CalibrationMethod.recommended.rawValue) calibration on \($0.source)" } ?? "data-free: MNIST not found at \(mnistDirectory)") + ")")
        var converted: [[UInt8]] = []
        for (name, graph) in zip(names, graphs) {
            let conversion: Conversion
            do {
                conversion = try Conversion(graph: graph, calibration: calibration.map { .samples($0.samples, .recommended) } ?? .dataFree)
            } catch {
                throw EdgeSimError(file: name, "\(error)")
            }
            let verdict = catalog.verdict(board, modelBytes: conversion.bytes.count, arenaBytes: conversion.plan.arenaSize)
            emit("   \(pad(name, 14)) .q8 \(pad("\(ByteCount(conversion.bytes.count))", 10)) arena \(pad("\(ByteCount(conversion.plan.arenaSize))", 9))"
                + " (TFLM-style plan \(ByteCount(conversion.tflmPlan.arenaSize)), lower bound \(ByteCount(conversion.plan.lowerBound)))"
                + "  \(String(format: "%.2f", Double(conversion.program.macs) / 1e6)) M MACs  \(verdict.fits == true ? "fits" : verdict.fits == false ? "DOES NOT FIT" : "fit unknown (library not measured on \(board.core))")")
            converted.append(conversion.bytes)
        }

        let samples = try SampleDigits.files(in: samplesDirectory)
        emit("")
        emit("2. run on \(samples.count) sample digits in \(samplesDirectory) (simulated \(board.name) for int8)")
        let width = max(20, samples.map { URL(fileURLWithPath: $0).lastPathComponent.count }.max() ?? 0) + 2
        emit("   " + "file".padding(toLength: width, withPad: " ", startingAt: 0) + names.flatMap { [pad("\($0) f32", 22), pad("\($0) int8", 22)] }.joined())
        var floats = try modelPaths.map { (path) throws(EdgeSimError) in try FloatClassifier(path: path) }
        var right = [Int](repeating: 0, count: 2 * names.count)
        var images: [(String, GrayImage)] = []
        for sample in samples { images.append((sample, try DigitInput.load(path: sample, raw: false))) }
        var rows = images.map { "   " + URL(fileURLWithPath: $0.0).lastPathComponent.padding(toLength: width, withPad: " ", startingAt: 0) }
        var highWater = [Int](repeating: 0, count: names.count), planned = highWater
        var estimates: [CostEstimate?] = []
        let stackBudget: Int
        do { stackBudget = try catalog.stackBudget(on: board) } catch { throw EdgeSimError(error.description) }
        for (m, bytes) in converted.enumerated() {
            let int8 = try Int8Classifier(bytes: bytes, file: names[m], stackBudget: stackBudget)
            planned[m] = int8.model.arenaSize
            estimates.append(catalog.costs(on: board).flatMap { CostEstimate(model: int8.model, core: $0, clockMHz: board.clockMHz) })
            for (k, (path, image)) in images.enumerated() {
                let label = SampleDigits.label(of: path)
                let input = DigitInput.tensor(image)
                let f = Prediction(file: path, scores: floats[m].scores(input))
                let outcome = try int8.classify(input)
                let q = Prediction(file: path, scores: outcome.scores)
                highWater[m] = max(highWater[m], outcome.highWaterMark)
                for (slot, p) in [(2 * m, f), (2 * m + 1, q)] {
                    if p.digit == label { right[slot] += 1 }
                    rows[k] += pad("\(p.digit) \(p.digit == label ? "ok " : "BAD") \(String(format: "%5.1f%%", p.confidence * 100))", 22)
                }
            }
        }
        rows.forEach(emit)
        emit("   " + "correct".padding(toLength: width, withPad: " ", startingAt: 0) + right.map { pad("\($0)/\(samples.count)", 22) }.joined())
        for (m, name) in names.enumerated() {
            let latency = estimates[m].map {
                String(format: "estimated %.1f ms per image on %@ (%.2f M instructions from costs fitted to Firmware-Sim, "
                    + "%@; not measured on hardware)", $0.milliseconds, board.name,
                    $0.instructions / 1e6, $0.cyclesBasis)
            } ?? "no latency estimate on \(board.name): its core \(board.core) has no cost model"
            emit("   \(name): arena high-water \(highWater[m]) B of \(planned[m]) B planned; " + latency)
        }

        emit("")
        guard mnistPresent else {
            emit("3. MNIST not found at \(mnistDirectory): pass --data DIR to compare int8 with float on the test set.")
            return
        }
        emit("3. compare int8 with float on the MNIST test set (\(mnistDirectory); outside the simulated board: host fast kernels, plain arena)")
        let dataset: MNISTDataset
        do { dataset = try MNISTDataset(directory: mnistDirectory, split: .test, limit: limit) } catch { throw EdgeSimError("\(error)") }
        for (m, name) in names.enumerated() {
            let float = MNISTEvaluation.run(floats[m], on: dataset, limit: limit)
            let shared = try SharedModelBytes(bytes: converted[m], file: name)
            let int8 = MNISTEvaluation.run(shared, shape: try ModelInputShape.of(shared.model, file: name), on: dataset, limit: limit)
            let agreement = Double(zip(float.predictions, int8.predictions).filter { $0 == $1 }.count) / Double(max(1, float.images))
            emit("   \(pad(name, 14)) float32 \(String(format: "%.2f%%", float.accuracy * 100))  int8 \(String(format: "%.2f%%", int8.accuracy * 100))"
                + "  (\(String(format: "%+.2f", (int8.accuracy - float.accuracy) * 100)) points, \(int8.correct - float.correct) images; "
                + "top-1 agreement \(String(format: "%.2f%%", agreement * 100)); \(float.images) images)")
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0)
    }
}
