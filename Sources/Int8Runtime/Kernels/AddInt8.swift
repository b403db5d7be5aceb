/// Int8 element-wise add of two tensors with different scales (TFLite Micro's reference): both inputs are
/// shifted left to a common high-precision scale, rescaled by their own multipliers, summed and requantized.
public enum AddInt8 {
    /// The kernel the interpreter runs for an Add: the table path when it takes the op, else the reference.
    /// Built with `-D EDGEQUANT_REFERENCE_KERNELS`, always the reference.
    static func run(_ c: KernelContext, second: Q8Tensor, z: UnsafePointer<Int8>) {
        let call = c.addCall(second: second, z: z)
#if !EDGEQUANT_REFERENCE_KERNELS
        if tables(call) { return }
#endif
        reference(call)
    }

    static func reference(_ c: KernelContext, second: Q8Tensor, z: UnsafePointer<Int8>) {
        reference(c.addCall(second: second, z: z))
    }

    /// The reference loop, as TFLite Micro's AddElementwise.
    static func reference(_ a: AddCall) {
        for i in 0..<a.count {
            let x = (Int32(a.x[i]) &+ a.offset1) &* (1 << a.leftShift)
            let z = (Int32(a.z[i]) &+ a.offset2) &* (1 << a.leftShift)
            let sum = multiplyByQuantizedMultiplier(x, a.multiplier1, a.shift1)
                &+ multiplyByQuantizedMultiplier(z, a.multiplier2, a.shift2)
            let result = multiplyByQuantizedMultiplier(sum, a.outputMultiplier, a.outputShift) &+ a.outputOffset
            a.y[i] = clampToInt8(result, a.activationMin, a.activationMax)
        }
    }

    /// Tensors shorter than this run the reference (building the tables costs about 512 requantizations).
    static let tableThreshold = 512

    /// Bytes of arena scratch `run` needs for an Add of `count` elements (CMSIS-NN's _get_buffer_size): two
    /// 256-entry int32 tables, and 7 to align any start to 8, when the table path takes it; none otherwise.
    public static func scratchSize(count: Int) -> Int {
        count >= tableThreshold ? 2 * 256 * 4 + 7 : 0
    }

    /// Per element two table loads, the sum, and the output requantization (five instructions with SMLAL for
    /// a negative output shift, `DSP.requantizeNegativeShift`; `DSP.requantize` otherwise), offset and clamp.
    /// Each input's rescaled value depends only on its int8 value, so entry v of its table is exactly the
    /// reference's `multiplyByQuantizedMultiplier((v + offset) · 2^leftShift, ...)`. The tables live in the op's
    /// scratch; declines short tensors and scratch smaller than `scratchSize`.
    static func tables(_ a: AddCall) -> Bool {
        guard a.count >= tableThreshold, a.scratch.count >= scratchSize(count: a.count),
              let base = a.scratch.baseAddress else { return false }
        addWithTables(a, UnsafeMutableRawPointer(bitPattern: (Int(bitPattern: base) &+ 7) & ~7)!)
        return true
    }

    /// Fills the two tables in `scratch` (2 KB) and runs the fused path (AddInt8Fused.swift) when it is exact for
    /// the call, else the loop below.
    static func addWithTables(_ a: AddCall, _ scratch: UnsafeMutableRawPointer) {
        let first = scratch.assumingMemoryBound(to: Int32.self), second = first + 256
        let maxFirst = fillTable(first, a.offset1, a.leftShift, a.multiplier1, a.shift1)
        let maxSecond = fillTable(second, a.offset2, a.leftShift, a.multiplier2, a.shift2)
        if addFused(a, first + 128, second + 128, maxAbsSum: Int64(maxFirst) + Int64(maxSecond)) { return }
        let m = a.outputMultiplier, shift = a.outputShift
        if shift < 0 && m >= 0 {
            let rsh = ~shift, round = DSP.negativeShiftRound(rsh)
            addLoop(a, first + 128, second + 128) { DSP.requantizeNegativeShift($0, m, round, rsh) }
        } else {
            addLoop(a, first + 128, second + 128) { DSP.requantize($0, m, shift) }
        }
    }

    /// Entry v + 128 of `t` (256 entries) = multiplyByQuantizedMultiplier((v + offset) · 2^leftShift, multiplier,
    /// shift) for v in -128 ... 127; returns the largest |entry|. `DSP.addTable` (one SMMLAR per entry: the
    /// requantization's doubling high multiply and rounding shift as in AddInt8.fusedParameters' proof) when every
    /// |(v + offset) · 2^(leftShift + max(shift, 0))| < 2^30 and multiplier >= 0 (TFLite's left shift of 20 with
    /// int8 offsets is far inside); else `DSP.requantize` per entry (the same bits, proven and tested).
    static func fillTable(_ t: UnsafeMutablePointer<Int32>, _ offset: Int32, _ leftShift: Int32, _ multiplier: Int32,
                          _ shift: Int32) -> UInt32 {
        let k = Int64(leftShift) + Int64(Swift.max(shift, 0))
        let reach = Swift.max((Int64(offset) - 128).magnitude, (Int64(offset) + 127).magnitude)
        if multiplier >= 0, leftShift >= 0, shift >= -31, shift <= 30, k <= 29, reach < UInt64(1) << (30 - k) {
            return DSP.addTable(t, offset, leftShift, multiplier, shift)
        }
        var largest: UInt32 = 0
        for v in -128...127 {
            let e = DSP.requantize((Int32(v) &+ offset) &* (1 << leftShift), multiplier, shift)
            t[v &+ 128] = e
            largest = Swift.max(largest, e.magnitude)
        }
        return largest
    }

    @inline(__always)
    static func addLoop(_ a: AddCall, _ first: UnsafePointer<Int32>, _ second: UnsafePointer<Int32>,
                        _ requantize: (Int32) -> Int32) {
        let outputOffset = a.outputOffset, low = a.activationMin, high = a.activationMax
        var x = a.x, z = a.z, y = a.y
        let end = a.y + a.count
        while y < end {
            let sum = first[Int(x.pointee)] &+ second[Int(z.pointee)]
            y.pointee = clampToInt8(requantize(sum) &+ outputOffset, low, high)
            x += 1
            z += 1
            y += 1
        }
    }
}
