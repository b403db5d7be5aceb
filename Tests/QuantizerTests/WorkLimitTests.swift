import Int8Runtime
import Quantizer
import Testing

/// The loader bounds the work a model may ask for (docs/q8-format.md), so no file can make a run hang; the
/// writer refuses such a model before that: its MAC count does not fit the header. (The loader's own bound, at
/// exactly 2^32, is Tests/Int8RuntimeTests/LoaderChecksTests.swift.)
@Suite("work limit")
struct WorkLimitTests {
    func program(side: Int, channels: Int) -> Int8Program {
        let q = ActivationQuantization(scale: 0.05, zeroPoint: 0)
        let tensors = [
            Int8Tensor(name: "in", height: side, width: side, channels: channels, quantization: q),
            Int8Tensor(name: "out", height: side, width: side, channels: channels, quantization: q),
        ]
        var conv = Int8Layer(name: "conv", opcode: .conv2D, input: 0, output: 1)
        (conv.kernelHeight, conv.kernelWidth, conv.padTop, conv.padLeft) = (3, 3, 1, 1)
        conv.weights = [Int8](repeating: 1, count: channels * 9 * channels)
        conv.multipliers = [Int32](repeating: 1 << 30, count: channels)
        conv.shifts = [Int32](repeating: -8, count: channels)
        return Int8Program(tensors: tensors, layers: [conv], input: 0, output: 1, outputIsLogits: false)
    }

    @Test func aModelWithinTheLimitIsWritten() throws {
        let small = program(side: 64, channels: 64)  // 151 M multiply-accumulates
        #expect(throws: Never.self) { try Q8Writer.write(small, plan: MemoryPlanner.plan(Q8Writer.buffers(of: small))) }
    }

    @Test func aModelBeyondTheLimitIsRefused() {
        let huge = program(side: 256, channels: 256)  // 38.7 G multiply-accumulates
        #expect(throws: QuantizerError("the model needs 38654705664 MACs per inference, more than a .q8 can record")) {
            try Q8Writer.write(huge, plan: MemoryPlanner.plan(Q8Writer.buffers(of: huge)))
        }
    }
}
