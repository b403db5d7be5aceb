import ArgumentParser
import Boards
import CommandLineSupport
import DigitImage
import Foundation
import ModelFormat
import ModelImport
import Quantizer

/// `quantize model.bin`: converts a float model to an int8 .q8 with a report and a board verdict.
@main
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Convert a float model.bin to an int8 .q8 model for microcontrollers.",
        discussion: """
        Folds BatchNorm, fuses ReLU/ReLU6, calibrates activation ranges, quantizes weights per output channel, \
        plans the arena statically and writes the .q8. Without --calibration the ranges come from the BatchNorm \
        statistics (data-free). With --emit DIR --target CORE it also writes the C library folder for a firmware \
        (docs/deploy.md); an existing .q8 given with --emit is emitted as it is.
        """
    )

    static func main() { mainWithOneLineErrors() }

    @Argument(help: "The model: a float model.bin, .keras, .h5, .onnx or .tflite, or an int8 .tflite (full-integer, converted as it is).")
    var model: String

    @OptionGroup var normalization: InputNormalizationOptions

    @Option(name: [.short, .long], help: "Where to write the .q8 (default: the model's name with .q8; with --emit only DIR/model/model.q8 unless -o is given).")
    var output: String?

    @Option(name: .long, help: "MNIST IDX folder (training images) or a folder of PNG digits, brought to the model's input shape (padded or resized).")
    var calibration: String?

    @Option(name: .customLong("calibration-count"), help: "Calibration images to use.")
    var calibrationCount = 1000

    @Option(name: .long, help: "Range method: minmax, percentile or mse (see docs/calibration.md).")
    var method: CalibrationMethod = .recommended

    @Flag(name: .customLong("bias-correction"),
          help: "Correct each Conv2D/Dense bias for the mean int8 error of its output, measured on the calibration images (needs --calibration; docs/calibration.md).")
    var biasCorrection = false

    @Option(name: .customLong("bias-correction-inputs"),
            help: "What --bias-correction measures: int8 (the int8 program's inputs: weight and activation error) or weights (float inputs, dequantized weights: weight error only).")
    var biasCorrectionInputs: BiasCorrection.Inputs?

    @OptionGroup var boards: BoardOptions

    @Option(name: .customLong("plan-svg"), help: "Draw the memory plan into this SVG file.")
    var planSVG: String?

    @OptionGroup var format: OutputOptions

    @OptionGroup var deploy: EmitOptions

    func validate() throws {
        guard calibrationCount >= 1 else { throw ValidationError("--calibration-count must be at least 1") }
        guard !biasCorrection || calibration != nil else { throw ValidationError("--bias-correction needs --calibration (it measures errors on the calibration images)") }
        guard biasCorrectionInputs == nil || biasCorrection else { throw ValidationError("--bias-correction-inputs needs --bias-correction") }
    }

    func run() throws {
        let catalog = try boards.catalog()
        let target = try boards.board.map { try catalog.board(named: $0) }
        let emitPlan = try deploy.plan(board: target)
        // An int8 .q8 has nothing to convert: with --emit it becomes the library folder as it is.
        if let bytes = try? ModelFile.readBytes(path: model), ModelFileFormat.detect(bytes) == .q8 {
            guard let emitPlan else {
                throw CommandLineError(file: model, "already an int8 .q8: nothing to convert (pass --emit DIR to make a firmware library of it)")
            }
            guard calibration == nil, !biasCorrection, output == nil, planSVG == nil else {
                throw CommandLineError(file: model, "already an int8 .q8: --calibration, --bias-correction, -o and --plan-svg do not apply")
            }
            if let bill = try deploy.write(emitPlan, q8: bytes, model: model, board: target, catalog: catalog) {
                print(EmitOptions.summary(bill, directory: emitPlan.directory))
            }
            return
        }
        // With --emit the folder holds the .q8 (DIR/model/model.q8): a copy beside the model only when -o asks for it.
        let writesQ8 = output != nil || emitPlan == nil
        let destination = output
            ?? emitPlan.map { URL(fileURLWithPath: $0.directory).appendingPathComponent("model/model.q8").path }
            ?? URL(fileURLWithPath: model).deletingPathExtension().appendingPathExtension("q8").path
        // A full-integer .tflite keeps its producer's quantization: imported as it is, not converted.
        let imported: TFLiteInt8Import.Result?
        do { imported = try ModelImporter.int8Program(path: model, options: normalization.importOptions) } catch { throw CommandLineError(error.description) }
        if let imported {
            do {
                if writesQ8 { try ModelFile.checkWritable(destination) }
                if let planSVG { try ModelFile.checkWritable(planSVG) }
            } catch {
                throw CommandLineError(error.description)
            }
            return try runImported(imported, catalog: catalog, target: target, destination: destination, writesQ8: writesQ8, emitPlan: emitPlan)
        }
        let graph: FloatGraph
        do { graph = try ModelImporter.floatGraph(path: model, options: normalization.importOptions) } catch { throw CommandLineError(error.description) }
        // Fail before the work, not after it, when an output cannot be written.
        do {
            if writesQ8 { try ModelFile.checkWritable(destination) }
            if let planSVG { try ModelFile.checkWritable(planSVG) }
        } catch {
            throw CommandLineError(error.description)
        }

        // Calibration images are made at the model's input shape, as edge-sim feeds it.
        let images = try calibration.map { (directory) throws in
            let shape = graph.tensors[graph.input].shape
            guard let digit = DigitInputShape(tensorShape: shape) else {
                throw CommandLineError(file: model, "model input is \(shape); calibration images need one where \(DigitInputShape.requirement)")
            }
            return try CalibrationImages(directory: directory, count: calibrationCount, shape: digit)
        }
        let progress = TerminalProgress(label: "calibrating")
        let conversion: Conversion
        do {
            conversion = try Conversion(graph: graph, calibration: images.map { .samples($0.samples, method) } ?? .dataFree,
                                        biasCorrection: biasCorrection ? biasCorrectionInputs ?? .int8 : nil, progress: { done, total in progress.update(done, total) })
        } catch {
            progress.finish()
            throw CommandLineError(file: model, error.description)
        }
        progress.finish()
        let description = images.map { "\(method.rawValue) on \($0.source)" + (biasCorrection ? ", bias-corrected (\((biasCorrectionInputs ?? .int8).rawValue))" : "") }
            ?? "data-free (ranges from BatchNorm statistics)"
        let report = try QuantizationReport(conversion, calibration: description, samples: images?.samples ?? [])
        let verdict = target.map { catalog.verdict($0, modelBytes: report.flashBytes, arenaBytes: report.arenaBytes) }
        // Without a named board, every known board gets a verdict line.
        let verdicts = verdict.map { [$0] } ?? catalog.boards.map {
            catalog.verdict($0, modelBytes: report.flashBytes, arenaBytes: report.arenaBytes)
        }

        let bill = try deploy.write(emitPlan, q8: conversion.bytes, model: model, board: target, catalog: catalog)
        do {
            // Both files or neither.
            try ModelFile.writeAllAtomically((writesQ8 ? [(conversion.bytes, destination)] : [])
                + (planSVG.map { [(Array(PlanSVG.render(conversion.program, plan: conversion.plan).utf8), $0)] } ?? []))
        } catch {
            throw CommandLineError(error.description)
        }
        if format.json {
            print(try ReportJSON.render(report, output: destination, verdict: verdict))
        } else {
            print(ReportText.render(report, model: model, output: destination, verdicts: verdicts))
            if let bill, let emitPlan { print(EmitOptions.summary(bill, directory: emitPlan.directory)) }
        }
    }
}

extension CalibrationMethod: ExpressibleByArgument {}
extension BiasCorrection.Inputs: ExpressibleByArgument {}
