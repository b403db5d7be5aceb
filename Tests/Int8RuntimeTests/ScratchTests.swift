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
    @Test(arguments: ["Models/resnet-mnist.bin", "Models/vgg-mnist.bin", "every-op"])
    func scratchIsUsedAndItsAbsenceFallsBack(source: String) throws {
        let conversion: Conversion
        if source == "every-op" {
            var random = SeededRandom(seed: 4)
            let samples = (0..<8).map { _ in random.floats(28 * 28, in: 0...1) }
            conversion = try Conversion(graph: try SampleGraphs.everyOp(size: 28, channels: 24),
                                        calibration: .samples(samples, .minmax))
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
}
