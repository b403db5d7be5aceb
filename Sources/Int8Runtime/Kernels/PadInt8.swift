/// Int8 zero padding of height and width, as TFLite Micro's PAD for int8 without a constant operand: every output
/// value is the output zero point (the real 0) except the input, copied unchanged at (pad_top, pad_left); the bottom
/// and right pads are what the output size leaves. Input and output share their quantization (the loader checks),
/// so nothing is requantized. What lowering emits for a Pad that could not be folded into the next op's padding.
enum PadInt8 {
    static func reference(_ c: KernelContext) {
        let xt = c.input, yt = c.output
        let channels = yt.channels
        let zero = Int8(truncatingIfNeeded: yt.zeroPoint)
        var i = 0
        while i < yt.size {
            c.y[i] = zero
            i &+= 1
        }
        let row = xt.width &* channels
        for iy in 0..<xt.height {
            let from = c.x + iy &* row
            let to = c.y + ((iy &+ c.op.padTop) &* yt.width &+ c.op.padLeft) &* channels
            var k = 0
            while k < row {
                to[k] = from[k]
                k &+= 1
            }
        }
    }
}
