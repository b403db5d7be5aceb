/// FullyConnected four output rows per pass over the input (`DSP.dense4`): each input word is widened once (with
/// the input offset added, SXTAB16) and feeds the SMLADs of four rows on Cortex-M4/M7. The same wrapping int32
/// sums as the reference, so the same bytes.
extension FullyConnectedInt8 {
    /// Declines fewer than 4 outputs, and an input offset outside -127 ... 128 (x + offset must fit a halfword;
    /// the loader's zero points are int8).
    static func fast(_ f: FullyConnectedCall) -> Bool {
        let n = f.inputs, m = f.outputs
        guard m >= 4, n >= 1, f.inputOffset >= -127, f.inputOffset <= 128 else { return false }
        var o = 0
        while o < m {
            // The last block overlaps the one before when m is not a multiple of 4 (no row past the weights is read).
            let start = Swift.min(o, m &- 4)
            let a = DSP.dense4(f.weights + start &* n, n, f.x, f.inputOffset)
            var k = o &- start
            while k < 4 {
                let acc = k == 0 ? a.0 : k == 1 ? a.1 : k == 2 ? a.2 : a.3
                f.y[start &+ k] = output(acc, start &+ k, f)
                k &+= 1
            }
            o = start &+ 4
        }
        return true
    }
}
