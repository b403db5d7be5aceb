import Boards
import CommandLineSupport
import Foundation
import Int8Runtime
import ModelFormat
import ModelImport
import Quantizer

/// `quantize model_int8.tflite`: a full-integer .tflite is already quantized by its producer; it is imported as it
/// is (its own scales and zero points: TFLiteInt8Import), planned and written, and the report adds what the same
/// model costs under TFLite Micro.
extension QuantizeCommand {
    func runImported(_ imported: TFLiteInt8Import.Result, catalog: BoardCatalog, target: Board?, destination: String, writesQ8: Bool, emitPlan: EmitOptions.Plan?) throws {
        // Nothing is calibrated or re-quantized: options that would do so do not apply.
        if calibration != nil {
            throw CommandLineError("--calibration does not apply: \(model) is an int8 model already quantized by its producer (its own scales are kept)")
        }
        if biasCorrection {
            throw CommandLineError("--bias-correction does not apply: \(model) is an int8 model already quantized by its producer (its own biases are kept)")
        }
        let conversion: ProgramConversion
        do { conversion = try ProgramConversion(imported.program) } catch { throw CommandLineError(file: model, error.description) }
        let report = QuantizationReport(imported: conversion, calibration: "none: int8 TFLite, the file's own scales and zero points (nothing re-quantized)")
        let verdict = target.map { catalog.verdict($0, modelBytes: report.flashBytes, arenaBytes: report.arenaBytes) }
        let verdicts = verdict.map { [$0] } ?? catalog.boards.map {
            catalog.verdict($0, modelBytes: report.flashBytes, arenaBytes: report.arenaBytes)
        }
        let bill = try deploy.write(emitPlan, q8: conversion.bytes, model: model, board: target, catalog: catalog)
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: model)[.size] as? Int) ?? 0
        let comparison = TFLMComparison(conversion: conversion, tfliteBytes: fileBytes, board: target, catalog: catalog)
        do {
            try ModelFile.writeAllAtomically((writesQ8 ? [(conversion.bytes, destination)] : [])
                + (planSVG.map { [(Array(PlanSVG.render(conversion.program, plan: conversion.plan).utf8), $0)] } ?? []))
        } catch {
            throw CommandLineError(error.description)
        }
        if format.json {
            print(try ReportJSON.render(report, output: destination, verdict: verdict, tflm: comparison))
        } else {
            var text = ReportText.render(report, model: model, output: destination, verdicts: [])
            text += "\n" + imported.notes.map { "note: " + $0 }.joined(separator: "\n") + (imported.notes.isEmpty ? "" : "\n")
            text += comparison.lines.joined(separator: "\n")
            text += "\n" + verdicts.map(\.summary).joined(separator: "\n")
            if let bill, let emitPlan { text += "\n" + EmitOptions.summary(bill, directory: emitPlan.directory) }
            print(text)
        }
    }
}

/// The same model under TFLite Micro and under EdgeQuant: what `quantize` can state for an imported int8 .tflite.
struct TFLMComparison: Encodable {
    var tflite_bytes: Int
    var q8_bytes: Int
    var arena_bytes: Int
    /// Our greedy-by-size placement of the unfused program's buffers: a model of TFLite Micro's planner (its own
    /// arena also holds persistent structs, not counted here).
    var tflm_arena_estimate_bytes: Int
    var board: String?
    /// EdgeQuant's instructions per inference on the board's core from the cost model (an estimate).
    var instructions_estimate: Double?
    /// The same at the board's clock: milliseconds, and where the cycles per instruction come from.
    var latency_ms_estimate: Double?
    var cycles_basis: String?
    /// Ops the cost model does not price (their instructions are not in the estimate).
    var unpriced_ops: [String]

    init(conversion: ProgramConversion, tfliteBytes: Int, board: Board?, catalog: BoardCatalog) {
        tflite_bytes = tfliteBytes
        q8_bytes = conversion.bytes.count
        arena_bytes = conversion.plan.arenaSize
        tflm_arena_estimate_bytes = conversion.tflmPlan.arenaSize
        self.board = board?.name
        var unpriced: [String] = []
        instructions_estimate = nil
        var estimate: CostEstimate?
        if let board, let core = catalog.costs(on: board), let prices = core.instructions {
            let loaded = conversion.bytes.withUnsafeBytes { raw -> CostEstimate? in
                // The .q8 is validated by the runtime's loader before it is priced (16-byte aligned copy).
                let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: raw.count, alignment: 16)
                defer { copy.deallocate() }
                copy.copyMemory(from: raw)
                guard let q8 = try? Q8Model(validating: UnsafeRawBufferPointer(copy)) else { return nil }
                for step in 0..<q8.opCount where prices[CostEstimate.kind(q8.op(step).opcode)] == nil {
                    unpriced.append(CostEstimate.kind(q8.op(step).opcode))
                }
                return CostEstimate(model: q8, core: core, clockMHz: board.clockMHz)
            }
            estimate = loaded
        }
        instructions_estimate = estimate?.instructions
        latency_ms_estimate = estimate?.milliseconds
        cycles_basis = estimate?.cyclesBasis
        unpriced_ops = Array(Set(unpriced)).sorted()
    }

    var lines: [String] {
        var out = ["", "TFLite Micro on the same model:"]
        out.append("  flash (model data): .tflite \(tflite_bytes) bytes, .q8 \(q8_bytes) bytes (runtime code not included)")
        out.append("  arena: EdgeQuant \(arena_bytes) bytes (planned, with kernel scratch, conv+pool fused); TFLite Micro ~\(tflm_arena_estimate_bytes) bytes "
            + "(estimate: greedy-by-size plan of the unfused ops, TFLM's persistent structs not counted)")
        if let board, let instructions = instructions_estimate {
            out.append("  instructions on \(board): EdgeQuant ~\(Int(instructions.rounded())) per inference (estimate: cost model fitted to Firmware-Sim"
                + (unpriced_ops.isEmpty ? ")" : "; not priced: \(unpriced_ops.joined(separator: ", ")))")
                + "; TFLite Micro: not estimated (the cost model prices EdgeQuant's kernels only)")
            if let ms = latency_ms_estimate, let basis = cycles_basis {
                out.append(String(format: "  latency on %@: EdgeQuant ~%.2f ms per inference at the board's clock (%@)", board, ms, basis))
            }
        } else if let board {
            out.append("  instructions on \(board): no estimate (its core has no cost model; docs/boards.md)")
        } else {
            out.append("  instructions: name --board for EdgeQuant's cost-model estimate (TFLite Micro's are not estimated)")
        }
        return out
    }
}
