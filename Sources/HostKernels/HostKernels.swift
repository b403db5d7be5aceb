import CInt8Host
import Int8Runtime

/// Conv2D and Add on the host through AVX-512 (VNNI) kernels in C when the CPU has them, bit-exact with the
/// reference kernels (proven by tests); elsewhere they decline and the reference runs.
///
/// Each Conv2D uses the calling thread's active `HostKernelPlans` when it holds a plan for the op (weights packed
/// once per model); without one the op is planned for that call only, weights packed each time.
public enum HostKernels: KernelOverrides {
    /// Whether the fast kernels run on this machine.
    public static let isAvailable = eq_conv_vnni_available() != 0

    public static func convolution(_ c: ConvolutionCall) -> Bool {
        guard isAvailable else { return false }
        var p = eq_conv_params(
            x: c.x, in_h: Int32(c.inputHeight), in_w: Int32(c.inputWidth), cin: Int32(c.inputChannels), input_offset: c.inputOffset,
            w: c.weights, bias: c.bias, multipliers: c.multipliers, shifts: c.shifts,
            y: c.y, out_h: Int32(c.outputHeight), out_w: Int32(c.outputWidth), cout: Int32(c.outputChannels), output_offset: c.outputOffset,
            kh: Int32(c.kernelHeight), kw: Int32(c.kernelWidth), stride_y: Int32(c.strideY), stride_x: Int32(c.strideX),
            pad_top: Int32(c.padTop), pad_left: Int32(c.padLeft), act_min: c.activationMin, act_max: c.activationMax,
            pool_h: c.pool.0, pool_w: c.pool.1, pool_stride_y: c.pool.2, pool_stride_x: c.pool.3)
        return eq_conv_vnni(&p) == 0
    }

    /// Quantizes `input` (floats) into `buffer` with a tensor's scale and zero point: round half away from
    /// zero, clamped to int8; AVX-512 where available, else the portable loop (the same float operations, tested).
    public static func quantize(_ input: [Float], scale: Float, zeroPoint: Int32, into buffer: UnsafeMutableBufferPointer<Int8>) {
        let count = min(buffer.count, input.count)
        let done = isAvailable && input.withUnsafeBufferPointer {
            eq_quantize_avx512($0.baseAddress, Int32(count), scale, zeroPoint, buffer.baseAddress) == 0
        }
        if !done { quantizeReference(input, scale: scale, zeroPoint: zeroPoint, into: buffer) }
    }

    /// The portable quantization loop (what `quantize` must equal).
    public static func quantizeReference(_ input: [Float], scale: Float, zeroPoint: Int32, into buffer: UnsafeMutableBufferPointer<Int8>) {
        for i in 0..<min(buffer.count, input.count) {
            let value = (input[i] / scale).rounded(.toNearestOrAwayFromZero) + Float(zeroPoint)
            buffer[i] = Int8(min(max(value, -128), 127))
        }
    }

    public static func add(_ c: AddCall) -> Bool {
        guard isAvailable else { return false }
        var p = eq_add_params(
            x: c.x, z: c.z, y: c.y, count: Int32(c.count), offset1: c.offset1, offset2: c.offset2, output_offset: c.outputOffset,
            multiplier1: c.multiplier1, multiplier2: c.multiplier2, output_multiplier: c.outputMultiplier,
            shift1: c.shift1, shift2: c.shift2, output_shift: c.outputShift, left_shift: c.leftShift,
            act_min: c.activationMin, act_max: c.activationMax)
        return eq_add_avx512(&p) == 0
    }
}

/// The host kernels' per-model preparation, made once when a model is loaded: for every Conv2D op its weights
/// packed for the kernel, biases folded with the input offset, requantization constants and output positions.
/// Made by running the model once (input zeros) with a recording plan set, so each plan is keyed by exactly the
/// call the interpreter makes; read-only afterwards, so one value may serve any number of threads.
public final class HostKernelPlans: @unchecked Sendable {
    private let set: OpaquePointer

    /// Plans for `model`'s Conv2D ops, or nil when the host kernels do not run on this CPU.
    public init?(_ model: Q8Model) {
        guard HostKernels.isAvailable, let set = eq_plan_set_create() else { return nil }
        self.set = set
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.arenaSize, 1), alignment: 16)
        defer { arena.deallocate() }
        arena.initializeMemory(as: UInt8.self, repeating: 0)
        let previous = eq_plan_set_activate(set)
        try? Int8Interpreter.invoke(model, arena: arena, kernels: HostKernels.self)
        eq_plan_set_activate(previous)
        eq_plan_set_seal(set)
    }

    deinit { eq_plan_set_destroy(set) }

    /// Conv ops planned.
    public var count: Int { Int(eq_plan_set_count(set)) }

    /// Runs `body` with these plans active on the calling thread.
    @inline(__always)
    public func withActive<R>(_ body: () throws -> R) rethrows -> R {
        let previous = eq_plan_set_activate(set)
        defer { eq_plan_set_activate(previous) }
        return try body()
    }

    /// For tests: how many conv calls a plan served while counting was on (and while recording).
    public var hits: Int { Int(eq_plan_set_hits(set)) }
    public func countHits(_ on: Bool) { eq_plan_set_count_hits(set, on ? 1 : 0) }
}
