/// The quad path's pair pass (columns of more than `smallCapacity` values: the 3x3 convs, the 3-channel stems, the
/// 1x1 projections, pooled or not): two output channels at three positions per step of the inner loop
/// (`dsp_pair3`), so that each loaded word feeds two SMLADs (a column word both channels, a weight word all three
/// positions) instead of one.
///
/// A pass takes `pairWidth(k)` positions (a multiple of 12, so both triples and pooled groups of four fit):
/// their columns are filled once, in triples (position j's group g at word 3 (groups (j / 3) + g) + j % 3, so the
/// kernel reads them in order). Then per channel pair its k weights are widened once into the scratch (4 words per
/// group of 4: both channels' SXTB16 pairs, zeros past k), the kernel runs over the pass's triples writing the two
/// channels' int32 sums, and each channel is requantized and written by the shared steps (QuadOutput.swift). An
/// odd last channel is paired with itself (its second sums are not written out).
extension ConvInt8 {
    /// Bytes of columns a pass may take when more than 12 positions fit: 24 positions of a 3x3x16 column. The
    /// scratch is arena: at 13,824 the MNIST models' arenas grew by 9-14 KB and tiny-mnist no longer fit the
    /// micro:bit's 16 KB. Columns longer than 144 values still take 12 positions (up to 13,824 bytes at k = 576).
    static let pairColumnBudget: Int = 6_912
    /// Most positions per pass (the output pointers, flags and sums grow by 17 bytes per position).
    static let pairMaxWidth: Int = 96

    /// Positions per pass for columns of k values: as many multiples of 12 as `pairColumnBudget` holds, 12 to
    /// `pairMaxWidth`. More positions per pass widen each pair's weights fewer times.
    static func pairWidth(_ k: Int) -> Int {
        let perPosition: Int = 8 &* max((k &+ 3) >> 2, 1)
        let fit: Int = (pairColumnBudget / perPosition) / 12
        return min(max(fit &* 12, 12), pairMaxWidth)
    }

    /// What `pairChannels` needs about one pass.
    struct PairPass {
        var columns: UnsafePointer<UInt64>
        /// One channel pair's widened weights (scratch).
        var weights: UnsafeMutablePointer<UInt32>
        /// Positions of the pass (a multiple of 3; of 12 with pooling).
        var count, k: Int
        var biases: UnsafePointer<Int32>
        var block, end: Int
        var targets: UnsafePointer<UnsafeMutablePointer<Int8>>
        var firsts: UnsafePointer<Bool>
        /// The first channel's `count` sums, then (at + `width`) the second's.
        var first, second: UnsafeMutablePointer<Int32>
    }

    /// Every output channel of [block, end) at the pass's positions, two at a time, written as `Output` says.
    @inline(never)
    static func pairChannels<Output: QuadOutput>(_ c: ConvolutionCall, _ pass: PairPass, _ mode: Output.Type) {
        let k = pass.k, groups = (k &+ 3) >> 2, triples = pass.count / 3
        var oc = pass.block
        while oc < pass.end {
            let other = oc &+ 1 < pass.end ? oc &+ 1 : oc
            DSP.widenPair(c.weights + oc &* k, c.weights + other &* k, k, pass.weights)
            DSP.pair3(UnsafePointer(pass.weights), pass.columns, groups, triples, pass.biases[oc &- pass.block],
                      pass.biases[other &- pass.block], pass.first, pass.second)
            emitChannel(Output.self, c, oc, UnsafePointer(pass.first), pass.count, pass.targets, pass.firsts)
            if other != oc {
                emitChannel(Output.self, c, other, UnsafePointer(pass.second), pass.count, pass.targets, pass.firsts)
            }
            oc &+= 2
        }
    }
}
