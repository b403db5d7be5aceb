import Foundation
import Int8Runtime
import ModelFormat
import Quantizer
import Testing
import TestSupport

/// The kernels use the op's scratch in the arena, and a file planned without scratch (scratch 0, as the writer
/// made them before) still runs to the same bytes, on the reference kernels.
@Suite("kernel scratch in the arena")
struct ScratchTests {
    /// `bytes` with every op record's scratch offset and size set to 0 and the CRC recomputed.
    static func withoutScratch(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        func u32(_ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24 }
        func put(_ value: UInt32, _ at: Int) { for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) } }
        let ops = u32(Q8Layout.Header.opTable), count = u32(Q8Layout.Header.opCount)
        for step in 0..<count {
            put(0, ops + step * Q8Layout.opRecordSize + Q8Layout.OpRecord.scratchOffset)
            put(0, ops + step * Q8Layout.opRecordSize + Q8Layout.OpRecord.scratchSize)
        }
        put(b.withUnsafeBytes { Checksum.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<(b.count - 4)])) }, b.count - 4)
        return b
    }

    static func inputs(_ count: Int, _ size: Int) -> [[Int8]] {
        var random = SeededRandom(seed: 31)
        return (0..<count).map { _ in (0..<size).map { _ in Int8.random(in: .min ... .max, using: &random) } }
    }

    /// Both shipped models and the every-op graph: the same output bytes with and without scratch in the file;
    /// with it, every op with scratch writes into its region. (Before each such op its region is refilled with
    /// a marker: no tensor alive at that step lives there, so this disturbs nothing, as the equal outputs show.)
    @Test(arguments: ["Models/resnet-mnist.bin", "Models/vgg-mnist.bin", "every-op", "long-columns"])
    func scratchIsUsedAndItsAbsenceFallsBack(source: String) throws {
        let conversion: Conversion
        if source == "every-op" {
            var random = SeededRandom(seed: 4)
            let samples = (0..<8).map { _ in random.floats(28 * 28, in: 0...1) }
            conversion = try Conversion(graph: try SampleGraphs.everyOp(size: 28, channels: 24),
                                        calibration: .samples(samples, .minmax))
        } else if source == "long-columns" {
            conversion = try Self.longColumns()
        } else {
            conversion = try Conversion(graph: try ModelFile.load(path: source), calibration: .dataFree)
        }
        let planned = try LoadedQ8(conversion.bytes), plain = try LoadedQ8(Self.withoutScratch(conversion.bytes))
        let model = planned.model, arena = planned.arena
        let steps = (0..<model.opCount).filter { model.op($0).scratchSize > 0 }
        #expect(steps.count >= 2)
        for step in 0..<plain.model.opCount { #expect(plain.model.op(step).scratchSize == 0) }
        func region(_ step: Int) -> UnsafeMutableRawBufferPointer {
            let op = model.op(step)
            return UnsafeMutableRawBufferPointer(rebasing: arena[op.scratchOffset..<(op.scratchOffset + op.scratchSize)])
        }
        for input in Self.inputs(4, model.input.size) {
            arena.initializeMemory(as: UInt8.self, repeating: 0xEE)
            let buffer = Int8Interpreter.inputBuffer(model, arena: arena)
            for i in 0..<buffer.count { buffer[i] = input[i] }
            var unused: [Int] = []
            try Int8Interpreter.invoke(model, arena: arena) { step in
                if steps.contains(step) && !region(step).contains(where: { $0 != 0xEE }) { unused.append(step) }
                if steps.contains(step + 1) { region(step + 1).initializeMemory(as: UInt8.self, repeating: 0xEE) }
            }
            #expect(unused.isEmpty, "ops \(unused) left their scratch untouched")
            let fast = Array(Int8Interpreter.outputBuffer(model, arena: arena))
            #expect(fast == (try plain.run(input)))
        }
    }

    /// A digit model whose two middle convs have columns of 504 and 576 values (3x3x56, 3x3x64: the quad path's
    /// longest; the two-column path took these before), random weights, calibrated on random inputs.
    static func longColumns() throws -> Conversion {
        var random = SeededRandom(seed: 5)
        var b = GraphBuilder(inputShape: [1, 28, 28, 1])
        func weights(_ name: String, _ shape: [Int], _ range: ClosedRange<Float> = -0.2...0.2) -> Int {
            b.constant(name, shape: shape, data: random.floats(shape.reduce(1, *), in: range))
        }
        var x = try b.add(.conv2D(strideY: 1, strideX: 1, padding: .same, activation: .relu), name: "stem",
                          inputs: [b.input, weights("stem/kernel", [3, 3, 1, 56], -0.5...0.5), weights("stem/bias", [56])])
        x = try b.add(.maxPool2D(Window2D(height: 2, width: 2, strideY: 2, strideX: 2, padding: .valid)), name: "pool", inputs: [x])
        x = try b.add(.conv2D(strideY: 1, strideX: 1, padding: .same, activation: .relu), name: "k504",
                      inputs: [x, weights("k504/kernel", [3, 3, 56, 64], -0.05...0.05), weights("k504/bias", [64])])
        x = try b.add(.conv2D(strideY: 2, strideX: 2, padding: .same, activation: .relu), name: "k576",
                      inputs: [x, weights("k576/kernel", [3, 3, 64, 32], -0.05...0.05), weights("k576/bias", [32])])
        let gap = try b.add(.globalAveragePool, name: "gap", inputs: [x])
        let logits = try b.add(.dense(), name: "logits", inputs: [gap, weights("logits/kernel", [32, 10]), weights("logits/bias", [10])])
        let probabilities = try b.add(.softmax, name: "softmax", inputs: [logits])
        let graph = try b.finish(output: probabilities)
        let samples = (0..<8).map { _ in random.floats(784, in: 0...1) }
        return try Conversion(graph: graph, calibration: .samples(samples, .minmax))
    }

    /// Writes the long-column model for Firmware-Sim (docs/firmware-kernels.md) when EDGEQUANT_LONG_COLUMNS names a
    /// folder: `EDGEQUANT_LONG_COLUMNS=/tmp/q swift test --filter writeLongColumnModel` gives /tmp/q/long-columns.q8.
    @Test func writeLongColumnModel() throws {
        guard let folder = ProcessInfo.processInfo.environment["EDGEQUANT_LONG_COLUMNS"] else {
            print("writeLongColumnModel: EDGEQUANT_LONG_COLUMNS not set, nothing written")
            return
        }
        try Data(try Self.longColumns().bytes).write(to: URL(fileURLWithPath: folder + "/long-columns.q8"))
    }
}
