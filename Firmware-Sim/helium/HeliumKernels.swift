// Built only into the Cortex-M55 firmware (Firmware-Sim/run --board mps3-an547, fast kernels: -D EDGEQUANT_HELIUM),
// compiled with main.swift and the Int8Runtime sources as one module.
import CInt8Helium

/// Conv2D, Add and FullyConnected through the Helium (MVE) kernels of Firmware-Sim/helium/helium.c, byte-equal to
/// the reference kernels (helium/run-check.sh on QEMU, and Firmware-Sim/run against the host). A shape the C kernels
/// decline (a column or channel count beyond their stack buffers, an input offset outside int8) runs as on any
/// ARMv7E-M core: the DSP paths of Int8Runtime, then the reference.
enum HeliumKernels: KernelOverrides {
    static func convolution(_ c: ConvolutionCall) -> Bool {
        var p = eqh_conv_params(
            x: c.x, in_h: Int32(c.inputHeight), in_w: Int32(c.inputWidth), cin: Int32(c.inputChannels),
            input_offset: c.inputOffset, w: c.weights, bias: c.bias, multipliers: c.multipliers, shifts: c.shifts,
            y: c.y, out_h: Int32(c.outputHeight), out_w: Int32(c.outputWidth), cout: Int32(c.outputChannels),
            output_offset: c.outputOffset, kh: Int32(c.kernelHeight), kw: Int32(c.kernelWidth),
            stride_y: Int32(c.strideY), stride_x: Int32(c.strideX), pad_top: Int32(c.padTop), pad_left: Int32(c.padLeft),
            act_min: c.activationMin, act_max: c.activationMax,
            pool_h: c.pool.0, pool_w: c.pool.1, pool_stride_y: c.pool.2, pool_stride_x: c.pool.3)
        return eqh_conv(&p) == 0
    }

    static func add(_ c: AddCall) -> Bool {
        var p = eqh_add_params(
            x: c.x, z: c.z, y: c.y, count: Int32(c.count), offset1: c.offset1, offset2: c.offset2,
            output_offset: c.outputOffset, multiplier1: c.multiplier1, multiplier2: c.multiplier2,
            output_multiplier: c.outputMultiplier, shift1: c.shift1, shift2: c.shift2, output_shift: c.outputShift,
            left_shift: c.leftShift, act_min: c.activationMin, act_max: c.activationMax)
        return eqh_add(&p) == 0
    }

    static func fullyConnected(_ c: FullyConnectedCall) -> Bool {
        var p = eqh_fc_params(
            x: c.x, n: Int32(c.inputs), input_offset: c.inputOffset, w: c.weights, bias: c.bias,
            multipliers: c.multipliers, shifts: c.shifts, y: c.y, m: Int32(c.outputs), output_offset: c.outputOffset,
            act_min: c.activationMin, act_max: c.activationMax)
        return eqh_fully_connected(&p) == 0
    }
}
