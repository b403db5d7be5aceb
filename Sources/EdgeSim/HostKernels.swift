import CInt8Host
import Int8Runtime

/// Conv2D and Add on the host through AVX-512 (VNNI) kernels in C when the CPU has them, bit-exact with the
/// reference kernels (proven by tests); elsewhere they decline and the reference runs.
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
