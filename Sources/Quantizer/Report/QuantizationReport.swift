import FloatEngine
import Foundation
import Int8Runtime

/// The converter's report: every layer, and the totals a board budget is checked against.
public struct QuantizationReport: Sendable {
    public var layers: [LayerReport]
    /// Bytes of the .q8 file: what goes to flash.
    public var flashBytes: Int
    /// Bytes of working memory of the static plan: tensors and kernel scratch.
    public var arenaBytes: Int
    /// The largest kernel scratch of any layer (inside `arenaBytes`, at that layer's step).
    public var scratchBytes: Int
    /// TFLite Micro's greedy-by-size placement of the same tensors.
    public var tflmPlanBytes: Int
    /// The most bytes live at any one step.
    public var arenaLowerBound: Int
    public var macs: Int
    public var parameters: Int
    /// How ranges were chosen: a calibration method and sample count, or "data-free".
    public var calibration: String
    /// Samples the SQNR figures were measured on (0 when data-free and none given).
    public var sqnrSamples: Int

    /// Builds the report, measuring SQNR on up to `limit` of `samples`.
    public init(_ conversion: Conversion, calibration: String, samples: [[Float]], limit: Int = 200) throws(QuantizerError) {
        let program = conversion.program
        let used = Array(samples.prefix(limit))
        let sqnr = try Self.measureSQNR(conversion, samples: used)
        let scratch = program.scratchSizes
        layers = Self.layerReports(program, sqnr: sqnr)
        flashBytes = conversion.bytes.count
        arenaBytes = conversion.plan.arenaSize
        scratchBytes = scratch.max() ?? 0
        tflmPlanBytes = conversion.tflmPlan.arenaSize
        arenaLowerBound = conversion.plan.lowerBound
        macs = program.macs
        parameters = layers.reduce(0) { $0 + $1.parameters }
        self.calibration = calibration
        sqnrSamples = used.count
    }

    /// One row per layer of `program`; `sqnr` per layer, or empty when there is nothing to compare with.
    static func layerReports(_ program: Int8Program, sqnr: [Double]) -> [LayerReport] {
        let scratch = program.scratchSizes
        return program.layers.enumerated().map { step, layer in
            let output = program.tensors[layer.output]
            let weighted = !layer.weightScales.isEmpty
            return LayerReport(
                name: layer.name, op: layer.opcode.name, outputShape: [output.height, output.width, output.channels],
                macs: program.macs(ofLayer: step),
                parameters: layer.weights.count + (layer.bias?.count ?? 0),
                weightBytes: layer.weights.count + 4 * ((layer.bias?.count ?? 0) + layer.multipliers.count + layer.shifts.count),
                inputScale: program.tensors[layer.input].quantization.scale,
                outputScale: output.quantization.scale, outputZeroPoint: output.quantization.zeroPoint,
                weightScaleRange: weighted ? [layer.weightScales.min()!, layer.weightScales.max()!] : nil,
                scratchBytes: scratch[step], sqnrDB: sqnr.isEmpty ? nil : sqnr[step])
        }
    }

    /// SQNR per layer: float signal power over the power of (float − dequantized int8), summed over samples.
    static func measureSQNR(_ conversion: Conversion, samples: [[Float]]) throws(QuantizerError) -> [Double] {
        guard !samples.isEmpty else { return [] }
        let program = conversion.program
        var signal = [Double](repeating: 0, count: program.layers.count)
        var noise = signal
        var float = FloatInterpreter(graph: conversion.prepared)
        let result = conversion.bytes.withUnsafeBytes { raw -> Result<Void, Q8Error> in
            Result { () throws(Q8Error) in
                let model = try Q8Model(validating: raw)
                let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.arenaSize, 1), alignment: 16)
                defer { arena.deallocate() }
                for sample in samples {
                    _ = try? float.run(sample)
                    let input = Int8Interpreter.inputBuffer(model, arena: arena)
                    program.quantizeInput(sample, into: input)
                    try Int8Interpreter.invoke(model, arena: arena) { step in
                        let layer = program.layers[step], tensor = program.tensors[layer.output]
                        let expected = float.values(of: tensor.floatTensor)
                        let actual = Int8Interpreter.region(model.tensor(layer.output), arena)
                        for i in 0..<min(expected.count, actual.count) {
                            let f = Double(expected[i]), q = Double(tensor.quantization.dequantize(actual[i]))
                            signal[step] += f * f
                            noise[step] += (f - q) * (f - q)
                        }
                    }
                }
            }
        }
        if case let .failure(error) = result { throw QuantizerError("internal error: the converted model does not run (\(error))") }
        return zip(signal, noise).map { s, n in n == 0 ? 200 : 10 * log10(max(s, 1e-30) / n) }
    }
}

extension Q8Opcode {
    /// The op's name as the converter's report, `edge-sim inspect` and Firmware-Sim print it.
    public var name: String {
        switch self {
        case .conv2D: "Conv2D"
        case .fullyConnected: "FullyConnected"
        case .maxPool2D: "MaxPool2D"
        case .averagePool2D: "AveragePool2D"
        case .mean: "Mean"
        case .add: "Add"
        case .softmax: "Softmax"
        case .pad: "Pad"
        }
    }
}
