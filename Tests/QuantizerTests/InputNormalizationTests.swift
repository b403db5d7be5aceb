import FloatEngine
import Int8Runtime
import ModelFormat
import Quantizer
import Testing
import TestSupport

/// An input normalization (PyTorch's MNIST mean 0.1307, std 0.3081) folded into the input quantization: the int8
/// input stays pixel − 128, int8 follows the float graph that normalizes, the .q8 records mean and std, and the
/// loader refuses a header whose normalization is not finite or whose std is not above 0.
@Suite("input normalization in the input quantization")
struct InputNormalizationTests {
    static let mnist = InputNormalization(mean: 0.1307, std: 0.3081)

    static func graph() throws -> FloatGraph {
        var graph = try SampleGraphs.everyOp(seed: 3)
        graph.inputNormalization = mnist
        return graph
    }

    /// The feeder (`Q8Model.quantizeInput`, what edge-sim runs) on pixels / 255, the .q8 run, dequantized.
    static func runInt8(_ bytes: [UInt8], _ input: [Float]) throws -> [Float] {
        let loaded = try LoadedQ8(bytes)
        let buffer = Int8Interpreter.inputBuffer(loaded.model, arena: loaded.arena)
        loaded.model.quantizeInput(input, into: buffer)
        try Int8Interpreter.invoke(loaded.model, arena: loaded.arena)
        let output = loaded.model.output
        return Int8Interpreter.outputBuffer(loaded.model, arena: loaded.arena).map { Float(Int32($0) - output.zeroPoint) * output.scale }
    }

    @Test(arguments: [false, true])
    func int8FollowsTheNormalizingFloatGraph(dataFree: Bool) throws {
        var random = SeededRandom(seed: 11)
        let samples = (0..<64).map { _ in random.floats(144, in: 0...1) }
        let conversion = try Conversion(graph: try Self.graph(), calibration: dataFree ? .dataFree : .samples(samples, .minmax))
        #expect(conversion.prepared.inputNormalization == Self.mnist)
        #expect(conversion.program.inputNormalization == Self.mnist)
        let input = conversion.program.tensors[conversion.program.input].quantization
        #expect(input == ActivationQuantization(scale: Float(1 / (255 * Double(Float(0.3081)))), zeroPoint: 33 - 128))
        if dataFree {
            #expect(conversion.ranges[conversion.prepared.input] == TensorRange(min: Self.mnist.apply(0), max: Self.mnist.apply(1)))
        }
        let loaded = try LoadedQ8(conversion.bytes)
        #expect(loaded.model.inputMean == 0.1307 && loaded.model.inputStd == 0.3081)
        // Every pixel value maps exactly onto pixel − 128 (the mean is 33.33/255: it runs as 33/255).
        let pixels = (0...255).map { Float($0) / 255 }
        var fed = [Int8](repeating: 0, count: 256)
        fed.withUnsafeMutableBufferPointer { loaded.model.quantizeInput(pixels, into: $0) }
        #expect(fed == (0...255).map { Int8($0 - 128) })

        var float = FloatInterpreter(graph: conversion.prepared)
        var worst: Float = 0, spread: Float = 0
        for _ in 0..<16 {
            let x = random.floats(144, in: 0...1)
            try float.run(x)
            let expected = float.values(of: conversion.prepared.logits)
            let got = try Self.runInt8(conversion.bytes, x)
            spread = max(spread, (expected.max() ?? 0) - (expected.min() ?? 0))
            worst = max(worst, zip(expected, got).map { abs($0 - $1) }.max() ?? 0)
        }
        // As ConversionTests: a few percent of the logits' spread calibrated, wider ranges data-free.
        #expect(worst <= (dataFree ? 0.25 : 0.05) * spread, "worst \(worst), spread \(spread)")
    }

    @Test func aMeanOutsideThePixelRangeStillCoversTheInput() throws {
        let q = try inputQuantization(InputNormalization(mean: -0.5, std: 2))
        // Pixels 0 ... 255 are 0.25 ... 0.75 after normalization: all inside the int8 range, none clipped.
        #expect(q.quantize(0.25) > -128 && q.quantize(0.75) == 127)
        #expect(throws: QuantizerError.self) { try inputQuantization(InputNormalization(mean: 0, std: 0)) }
        #expect(throws: QuantizerError.self) { try inputQuantization(InputNormalization(mean: .nan, std: 1)) }
    }

    /// The bytes of a converted model with header bytes `at` replaced, the version minor set, and the CRC recomputed.
    static func damaged(_ bytes: [UInt8], mean: UInt32, std: UInt32, minor: UInt16 = 1) -> [UInt8] {
        var b = bytes
        func put(_ value: UInt32, _ at: Int) { for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) } }
        b[Q8Layout.Header.versionMinor] = UInt8(minor & 0xFF)
        b[Q8Layout.Header.versionMinor + 1] = UInt8(minor >> 8)
        put(mean, Q8Layout.Header.inputMean)
        put(std, Q8Layout.Header.inputStd)
        let crc = b.withUnsafeBytes { Checksum.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<(b.count - 4)])) }
        put(crc, b.count - 4)
        return b
    }

    static func outcome(_ bytes: [UInt8]) -> String {
        do {
            let loaded = try LoadedQ8(bytes)
            return "accepted \(loaded.model.inputMean) \(loaded.model.inputStd)"
        } catch { return "\(error)" }
    }

    @Test func theLoaderRefusesAHostileNormalization() throws {
        let bytes = try Conversion(graph: try Self.graph(), calibration: .dataFree).bytes
        let one: UInt32 = Float(1).bitPattern, half: UInt32 = Float(0.5).bitPattern
        let refused = "badHeader(offset: 56)"
        #expect(Self.outcome(bytes) == "accepted 0.1307 0.3081")
        #expect(Self.outcome(Self.damaged(bytes, mean: half, std: Float.nan.bitPattern)) == refused)
        #expect(Self.outcome(Self.damaged(bytes, mean: half, std: Float.infinity.bitPattern)) == refused)
        #expect(Self.outcome(Self.damaged(bytes, mean: half, std: Float(-1).bitPattern)) == refused)
        #expect(Self.outcome(Self.damaged(bytes, mean: half, std: 0)) == refused)
        #expect(Self.outcome(Self.damaged(bytes, mean: half, std: Float(-0.0).bitPattern)) == refused)
        #expect(Self.outcome(Self.damaged(bytes, mean: Float.nan.bitPattern, std: one)) == refused)
        #expect(Self.outcome(Self.damaged(bytes, mean: Float.infinity.bitPattern, std: one)) == refused)
        // A 1.0 file: both zero is the identity; anything else there was reserved.
        #expect(Self.outcome(Self.damaged(bytes, mean: 0, std: 0, minor: 0)) == "accepted 0.0 1.0")
        #expect(Self.outcome(Self.damaged(bytes, mean: half, std: one, minor: 0)) == refused)
        #expect(Self.outcome(Self.damaged(bytes, mean: 0, std: 0, minor: 2)) == "unsupportedVersion")
    }
}
