/// Int8 mean over height and width (global average pooling), as TFLite Micro's integer MEAN: the raw sum
/// minus `input_zero_point · n`, requantized by a multiplier that already includes the division by `n`
/// (computed by the converter), plus the output zero point.
enum MeanInt8 {
    /// The kernel the interpreter runs: the channel sums four at a time (`DSP.windowSum4`, SXTAB16 on
    /// Cortex-M4/M7) with the reference's requantization; with `-D EDGEQUANT_REFERENCE_KERNELS` the reference.
    static func run(_ c: KernelContext) {
#if !EDGEQUANT_REFERENCE_KERNELS
        fast(c.meanCall)
#else
        reference(c.meanCall)
#endif
    }

    static func reference(_ c: KernelContext) { reference(c.meanCall) }

    static func reference(_ m: MeanCall) {
        let zeroPointSum = m.inputZeroPoint &* Int32(m.count)
        for ch in 0..<m.channels {
            m.y[ch] = output(channelSum(m, ch) &- zeroPointSum, m)
        }
    }

    /// The reference's sums, four channels per `DSP.windowSum4` (exact: int16 lanes widened every 256 pixels).
    static func fast(_ m: MeanCall) {
        let zeroPointSum = m.inputZeroPoint &* Int32(truncatingIfNeeded: m.count)
        var ch = 0
        while ch &+ 4 <= m.channels {
            let s = DSP.windowSum4(m.x + ch, 1, m.count, 0, m.channels)
            m.y[ch] = output(s.0 &- zeroPointSum, m)
            m.y[ch &+ 1] = output(s.1 &- zeroPointSum, m)
            m.y[ch &+ 2] = output(s.2 &- zeroPointSum, m)
            m.y[ch &+ 3] = output(s.3 &- zeroPointSum, m)
            ch &+= 4
        }
        while ch < m.channels {
            m.y[ch] = output(channelSum(m, ch) &- zeroPointSum, m)
            ch &+= 1
        }
    }

    /// Channel `ch` summed over the `count` pixels (wrapping), one value at a time: the reference, and the fast
    /// path's channels past the last multiple of 4.
    @inline(__always) static func channelSum(_ m: MeanCall, _ ch: Int) -> Int32 {
        var sum: Int32 = 0
        for p in 0..<m.count { sum = sum &+ Int32(m.x[p &* m.channels &+ ch]) }
        return sum
    }

    @inline(__always) static func output(_ centered: Int32, _ m: MeanCall) -> Int8 {
        clampToInt8(multiplyByQuantizedMultiplier(centered, m.multiplier, m.shift) &+ m.outputZeroPoint,
                    m.activationMin, m.activationMax)
    }
}

/// One Mean op as plain values and pointers: `count` pixels of `channels` int8 values.
struct MeanCall {
    var x: UnsafePointer<Int8>
    var y: UnsafeMutablePointer<Int8>
    var count, channels: Int
    var inputZeroPoint, outputZeroPoint, multiplier, shift: Int32
    var activationMin, activationMax: Int32
}

extension KernelContext {
    var meanCall: MeanCall {
        MeanCall(x: x, y: y, count: input.height * input.width, channels: input.channels,
                 inputZeroPoint: input.zeroPoint, outputZeroPoint: output.zeroPoint, multiplier: op.parameters.0,
                 shift: op.parameters.1, activationMin: op.activationMin, activationMax: op.activationMax)
    }
}
