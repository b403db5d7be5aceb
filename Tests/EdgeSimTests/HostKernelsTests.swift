import CInt8Host
import EdgeSim
import HostKernels
import Foundation
import Int8Runtime
import ModelFormat
import Quantizer
import Testing
import TestSupport

/// The host's AVX-512 Conv2D and Add against the reference kernels: whole models run both ways must give the
/// same bytes in every tensor, for the shipped models (with fused conv + pool) and for random conv shapes; the
/// conv kernels both as planned per call and from the plans made once per model (what `Int8Scorer` runs).
@Suite("host fast kernels are bit-exact",
       .enabled(if: HostKernels.isAvailable, "this CPU has no AVX-512 VNNI: the host kernels decline here and the reference runs"))
struct HostKernelsTests {
    /// Every tensor written by every op, for one input, with the given kernels.
    static func allTensors<K: KernelOverrides>(_ loaded: LoadedQ8, _ input: [Int8], _ kernel: K.Type) throws -> [[Int8]] {
        let model = loaded.model
        let buffer = Int8Interpreter.inputBuffer(model, arena: loaded.arena)
        for i in buffer.indices { buffer[i] = input[i] }
        var seen: [[Int8]] = []
        try Int8Interpreter.invoke(model, arena: loaded.arena, kernels: kernel) { step in
            seen.append(Array(Int8Interpreter.region(model.tensor(model.op(step).output), loaded.arena)))
        }
        return seen
    }

    static func compare(_ bytes: [UInt8], inputs: Int, seed: UInt64) throws {
        let loaded = try LoadedQ8(bytes)
        var random = SeededRandom(seed: seed)
        let size = Int8Interpreter.inputBuffer(loaded.model, arena: loaded.arena).count
        let convs = (0..<loaded.model.opCount).filter { loaded.model.op($0).opcode == .conv2D }.count
        let plans = try #require(HostKernelPlans(loaded.model))
        #expect(plans.count == convs, "one plan per Conv2D op")
        plans.countHits(true)
        let recorded = plans.hits
        for _ in 0..<inputs {
            let input = (0..<size).map { _ in Int8(truncatingIfNeeded: Int(random.next() % 256) - 128) }
            let reference = try allTensors(loaded, input, ReferenceKernels.self)
            let perCall = try allTensors(loaded, input, HostKernels.self)
            let planned = try plans.withActive { try allTensors(loaded, input, HostKernels.self) }
            for (name, fast) in [("per call", perCall), ("planned", planned)] {
                let differing = zip(fast, reference).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
                #expect(differing.isEmpty, "\(name): op outputs that differ from the reference: \(differing)")
            }
        }
        #expect(plans.hits - recorded == convs * inputs, "every conv call served by its plan")
    }

    /// `bytes` with each Conv2D channel's requantization replaced by a random multiplier in [2^30, 2^31) and a
    /// shift in −8 ... 30 (CRC made anew): positive shifts, which quantized models rarely have, shift the
    /// accumulator left before the multiply and (large ones) wrap it, the one step of the requantization that is
    /// not monotone, so a kernel that pooled before that step would differ.
    static func withLeftShifts(_ bytes: [UInt8], seed: UInt64) throws -> [UInt8] {
        var patched = bytes
        let loaded = try LoadedQ8(bytes)
        let model = loaded.model
        var random = SeededRandom(seed: seed)
        let constants = Int(UInt32(littleEndian: model.bytes.loadUnaligned(fromByteOffset: Q8Layout.Header.constants, as: UInt32.self)))
        func put(_ value: Int32, at offset: Int) {
            for k in 0..<4 { patched[offset + k] = UInt8(truncatingIfNeeded: UInt32(bitPattern: value) >> (8 * UInt32(k))) }
        }
        for step in 0..<model.opCount where model.op(step).opcode == .conv2D {
            let op = model.op(step), channels = model.tensor(op.output).channels
            for c in 0..<channels {
                put(Int32(1 << 30) + Int32(truncatingIfNeeded: random.next() % (1 << 30)), at: constants + op.multipliers! + 4 * c)
                put(Int32(Int(random.next() % 39)) - 8, at: constants + op.shifts! + 4 * c)
            }
        }
        let crc = patched.withUnsafeBytes { Checksum.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<(patched.count - 4)])) }
        put(Int32(bitPattern: crc), at: patched.count - 4)
        return patched
    }

    @Test(arguments: ["Models/vgg-mnist.bin", "Models/resnet-mnist.bin"])
    func shippedModels(_ path: String) throws {
        let graph = try ModelFile.load(path: CommandLineRun.repository.appendingPathComponent(path).path)
        let conversion = try Conversion(graph: graph, calibration: .dataFree)
        try Self.compare(conversion.bytes, inputs: 6, seed: 3)
    }

    /// Every op kind, Add with two differently scaled inputs among them, under several calibrations.
    @Test(arguments: 0..<6)
    func everyOpGraph(_ seed: Int) throws {
        var random = SeededRandom(seed: UInt64(500 + seed))
        let graph = try SampleGraphs.everyOp()
        let size = graph.tensors[graph.input].elementCount
        let samples = (0..<4).map { _ in random.floats(size, in: 0...Float(1 + seed)) }
        let conversion = try Conversion(graph: graph, calibration: .samples(samples, [.minmax, .percentile, .mse][seed % 3]))
        try Self.compare(conversion.bytes, inputs: 4, seed: UInt64(seed))
    }

    /// Every output channel count that picks a different kernel group (1 ... 4 full blocks of 16, with and
    /// without a half block of 1 ... 8, more than 4 blocks) against every kind of fused pooling (none, windows of
    /// 4 positions, of 9, of 2), the rest of the shape random; one block of 16 gets windows long enough for its
    /// 16-position tiles. A third of the cases (at random) get requantizations with positive shifts.
    @Test(arguments: 0..<52)
    func randomConvolutions(_ index: Int) throws {
        var random = SeededRandom(seed: UInt64(1000 + index))
        func pick(_ values: [Int]) -> Int { values[Int(random.next() % UInt64(values.count))] }
        let cout = [5, 8, 16, 24, 32, 33, 40, 48, 56, 64, 72, 80, 100][index % 13]
        let pool: (Int, Int)? = [nil, (2, 2), (3, 3), (1, 2)][index / 13]
        let size = pool.map { $0.0 == 3 ? 13 : pick([8, 13]) } ?? pick([5, 8, 13])
        let cin = cout == 16 ? pick([16, 24, 70]) : pick([1, 3, 16, 24, 70])
        let kernel = cout == 16 ? 3 : pick([1, 3, 5]), stride = pick([1, 2])
        let padding: Padding = random.next() % 2 == 0 ? .same : .valid
        let activation: Activation = [.none, .relu, .relu6][Int(random.next() % 3)]
        var b = GraphBuilder(inputShape: [1, size, size, cin])
        let w = b.constant("w", shape: [kernel, kernel, cin, cout], data: random.floats(kernel * kernel * cin * cout, in: -1...1))
        let bias = b.constant("b", shape: [cout], data: random.floats(cout, in: -1...1))
        var x = try b.add(.conv2D(strideY: stride, strideX: stride, padding: padding, activation: activation), name: "conv", inputs: [b.input, w, bias])
        if let (poolHeight, poolWidth) = pool, b.shape(x)[1] >= poolHeight, b.shape(x)[2] >= poolWidth {
            let window = Window2D(height: poolHeight, width: poolWidth, strideY: poolHeight, strideX: poolWidth, padding: .valid)
            x = try b.add(.maxPool2D(window), name: "pool", inputs: [x])
        }
        let graph = try b.finish(output: x)
        let samples = (0..<4).map { _ in random.floats(size * size * cin, in: 0...1) }
        let conversion = try Conversion(graph: graph, calibration: .samples(samples, .minmax))
        let bytes = random.next() % 3 == 0 ? try Self.withLeftShifts(conversion.bytes, seed: UInt64(index)) : conversion.bytes
        try Self.compare(bytes, inputs: 3, seed: UInt64(index))
    }

    /// The vector input quantization against the Swift loop, on values that land on and next to halves,
    /// negatives, large values, infinities and zeros, for several scales and zero points, and odd counts.
    @Test func inputQuantizationMatchesTheLoop() throws {
        var random = SeededRandom(seed: 91)
        for round in 0..<300 {
            let scale = [Float(1) / 255, 0.0039215689, 0.5, 3, 1e-6, 0.1][round % 6]
            let zeroPoint = Int32(Int(random.next() % 256) - 128)
            let count = 1 + Int(random.next() % 100)
            let input: [Float] = (0..<count).map { _ in
                let k = Float(Int(random.next() % 600) - 300)
                switch random.next() % 6 {
                case 0: return (k + 0.5) * scale
                case 1: return (k + 0.5).nextUp * scale
                case 2: return (k + 0.5).nextDown * scale
                case 3: return [Float.infinity, -.infinity, 0, -0.0, 1e30, -1e30, .ulpOfOne][Int(random.next() % 7)]
                default: return k * 0.37 * scale
                }
            }
            var fast = [Int8](repeating: 0, count: count), reference = fast
            fast.withUnsafeMutableBufferPointer { HostKernels.quantize(input, scale: scale, zeroPoint: zeroPoint, into: $0) }
            reference.withUnsafeMutableBufferPointer { HostKernels.quantizeReference(input, scale: scale, zeroPoint: zeroPoint, into: $0) }
            #expect(fast == reference, "scale \(scale) zero point \(zeroPoint) input \(input)")
        }
    }

    /// The kernel's requantization, scalar and 16 lanes at a time, against the runtime's
    /// multiplyByQuantizedMultiplier on random and extreme accumulators, every shift from -31 to 30.
    @Test func requantizationMatchesTheRuntime() throws {
        var random = SeededRandom(seed: 77)
        let extremes: [Int32] = [0, 1, -1, .max, .min, .min + 1, 1 << 30, -(1 << 30), 12345, -12345]
        for round in 0..<4000 {
            var x = [Int32](repeating: 0, count: 16), m = x, s = x, lanes = x
            for i in 0..<16 {
                x[i] = round % 4 == 0 ? extremes[Int(random.next() % UInt64(extremes.count))]
                    : Int32(truncatingIfNeeded: Int64(random.next() % (1 << 24)) - (1 << 23)) << Int32(random.next() % 8)
                m[i] = [0, 1 << 30, Int32.max, Int32(truncatingIfNeeded: random.next() % (1 << 31))][Int(random.next() % 4)]
                s[i] = Int32(Int(random.next() % 62)) - 31
            }
            let expected = (0..<16).map { multiplyByQuantizedMultiplier(x[$0], m[$0], s[$0]) }
            #expect((0..<16).map { eq_requantize_for_test(x[$0], m[$0], s[$0]) } == expected)
            if eq_requantize16_for_test(x, m, s, &lanes) == 0 {
                #expect(lanes == expected, "x \(x) m \(m) s \(s)")
            }
        }
    }
}
