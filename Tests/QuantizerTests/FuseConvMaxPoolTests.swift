import Int8Runtime
import ModelFormat
import Quantizer
import Testing
import TestSupport

/// The fused Conv2D + max pooling kernel against the reference conv followed by the reference max pooling:
/// the same graph lowered with and without `fuseConvMaxPool`, run on the same inputs, must give the same bytes.
@Suite("conv + max pool fusion")
struct FuseConvMaxPoolTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var size, cin, cout, kernel, stride: Int
        var padding: Padding
        var pool: Int
        var activation: Activation
        var testDescription: String { "\(size)x\(size)x\(cin) k\(kernel) s\(stride) \(padding) \(activation) -> \(cout), pool \(pool)" }
    }

    static let cases = [
        Case(size: 9, cin: 3, cout: 8, kernel: 3, stride: 1, padding: .same, pool: 2, activation: .relu),
        Case(size: 8, cin: 1, cout: 5, kernel: 3, stride: 1, padding: .valid, pool: 2, activation: .relu6),
        Case(size: 10, cin: 4, cout: 7, kernel: 1, stride: 1, padding: .valid, pool: 3, activation: .none),
        Case(size: 11, cin: 2, cout: 6, kernel: 5, stride: 2, padding: .same, pool: 2, activation: .relu),
    ]

    /// input → Conv2D → MaxPool2D → Flatten → Dense(10).
    static func graph(_ c: Case, _ random: inout SeededRandom) throws -> FloatGraph {
        var b = GraphBuilder(inputShape: [1, c.size, c.size, c.cin])
        let w = b.constant("w", shape: [c.kernel, c.kernel, c.cin, c.cout], data: random.floats(c.kernel * c.kernel * c.cin * c.cout, in: -1...1))
        let bias = b.constant("b", shape: [c.cout], data: random.floats(c.cout, in: -0.5...0.5))
        let conv = try b.add(.conv2D(strideY: c.stride, strideX: c.stride, padding: c.padding, activation: c.activation), name: "conv", inputs: [b.input, w, bias])
        let pool = try b.add(.maxPool2D(Window2D(height: c.pool, width: c.pool, strideY: c.pool, strideX: c.pool, padding: .valid)), name: "pool", inputs: [conv])
        let flat = try b.add(.flatten, name: "flatten", inputs: [pool])
        let n = b.shape(flat).last!
        let dw = b.constant("dw", shape: [n, 10], data: random.floats(n * 10, in: -0.3...0.3))
        let logits = try b.add(.dense(), name: "logits", inputs: [flat, dw])
        return try b.finish(output: logits)
    }

    static func run(_ program: Int8Program, _ inputs: [[Int8]]) throws -> [[Int8]] {
        let loaded = try LoadedQ8(Q8Writer.write(program, plan: MemoryPlanner.plan(Q8Writer.buffers(of: program))))
        return try inputs.map { try loaded.run($0) }
    }

    @Test(arguments: cases)
    func fusedEqualsConvThenPool(_ c: Case) throws {
        var random = SeededRandom(seed: UInt64(c.size * 97 + c.cout))
        let graph = try Self.graph(c, &random)
        let samples = (0..<8).map { _ in random.floats(c.size * c.size * c.cin, in: 0...1) }
        let ranges = try Calibration.ranges(graph, samples: samples, method: .minmax, workers: 1)
        let unfused = try lowerToInt8(graph, ranges: ranges)
        let fused = fuseConvMaxPool(unfused)
        // The pool is gone and the conv writes the pooled tensor.
        #expect(fused.layers.count == unfused.layers.count - 1)
        #expect(fused.tensors.count == unfused.tensors.count - 1)
        #expect(fused.layers[0].parameters == [Int32(c.pool), Int32(c.pool), Int32(c.pool), Int32(c.pool), 0])

        let inputs = (0..<20).map { _ in (0..<(c.size * c.size * c.cin)).map { _ in Int8(truncatingIfNeeded: Int(random.next() % 256) - 128) } }
        let expected = try Self.run(unfused, inputs), got = try Self.run(fused, inputs)
        #expect(got == expected)
        // The fusion exists to save arena: the full-size conv output is never stored.
        let before = MemoryPlanner.plan(Q8Writer.buffers(of: unfused)).arenaSize
        let after = MemoryPlanner.plan(Q8Writer.buffers(of: fused)).arenaSize
        #expect(after < before, "arena \(before) -> \(after)")
    }

    @Test func overlappingOrSharedOutputsAreLeftAlone() throws {
        var random = SeededRandom(seed: 5)
        var b = GraphBuilder(inputShape: [1, 8, 8, 2])
        let w = b.constant("w", shape: [3, 3, 2, 4], data: random.floats(72, in: -1...1))
        let conv = try b.add(.conv2D(strideY: 1, strideX: 1, padding: .same, activation: .relu), name: "conv", inputs: [b.input, w])
        // 3x3 windows with stride 2 overlap: fusing would compute conv values twice, so it is not done.
        let pool = try b.add(.maxPool2D(Window2D(height: 3, width: 3, strideY: 2, strideX: 2, padding: .valid)), name: "pool", inputs: [conv])
        let graph = try b.finish(output: pool)
        let ranges = try Calibration.ranges(graph, samples: [random.floats(128, in: 0...1)], method: .minmax, workers: 1)
        let program = try lowerToInt8(graph, ranges: ranges)
        #expect(fuseConvMaxPool(program) == program)
    }
}
