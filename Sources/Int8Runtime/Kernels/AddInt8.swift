/// Int8 element-wise add of two tensors with different scales (TFLite Micro's reference): both inputs are
/// shifted left to a common high-precision scale, rescaled by their own multipliers, summed and requantized.
enum AddInt8 {
    static func reference(_ c: KernelContext, second: Q8Tensor, z: UnsafePointer<Int8>) {
        let p = c.op.parameters
        let shifts = UInt32(bitPattern: p.3)
        let shift1 = Int32(Int8(truncatingIfNeeded: shifts)), shift2 = Int32(Int8(truncatingIfNeeded: shifts >> 8))
        let outputShift = Int32(Int8(truncatingIfNeeded: shifts >> 16)), leftShift = Int32(Int8(truncatingIfNeeded: shifts >> 24))
        let offset1 = -c.input.zeroPoint, offset2 = -second.zeroPoint, outputOffset = c.output.zeroPoint
        for i in 0..<c.output.size {
            let a = (Int32(c.x[i]) &+ offset1) &* (1 << leftShift)
            let b = (Int32(z[i]) &+ offset2) &* (1 << leftShift)
            let sum = multiplyByQuantizedMultiplier(a, p.0, shift1) &+ multiplyByQuantizedMultiplier(b, p.1, shift2)
            let result = multiplyByQuantizedMultiplier(sum, p.2, outputShift) &+ outputOffset
            c.y[i] = clampToInt8(result, c.op.activationMin, c.op.activationMax)
        }
    }
}
