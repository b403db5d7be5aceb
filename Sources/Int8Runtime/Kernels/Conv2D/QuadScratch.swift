/// The quad path's scratch: one layout for every pass width, as named byte offsets from the scratch's start
/// aligned up to 8. The scratch is the op's region of the arena (placed by the quantizer's plan, sized by
/// `ConvInt8.scratchSize`, which is this layout's `size`); nothing in it is cleared first: the kernel writes
/// every byte it reads.
struct QuadScratchLayout: Equatable {
    /// Positions per pass: `smallChunk` (k <= `smallCapacity`), 6 (no pooling, k <= `hexCapacity`), else 4.
    let width: Int
    /// The int16 columns as 64-bit words (group g of position j at word `width · g + j`; the small path always
    /// has 3 groups).
    let columns = 0
    /// `width` output pointers, 8 bytes each whatever the target, so the size does not depend on it.
    let targets: Int
    /// The small path's `width` int32 accumulators (none otherwise).
    let accumulators: Int
    /// A channel block's folded biases (int32).
    let biases: Int
    /// The small path's value offsets (k int32; none otherwise).
    let offsets: Int
    /// One receptive field's gathered bytes when channels are not a multiple of 4, up to k rounded up to 4
    /// (the zeros of the padded last group).
    let gathered: Int
    /// Where outputs past the last position go: one byte per channel of a block.
    let sink: Int
    /// First-of-window flags (`width` Bools).
    let firsts: Int
    /// Bytes used from the aligned start.
    let end: Int

    /// Bytes of scratch the quad path needs: `end`, and 7 to align any start to 8.
    var size: Int { end &+ 7 }

    /// The layout for a conv with columns of k values (1...quadCapacity), `channels` output channels (> 0) and
    /// `window` conv outputs per pooled output (1 without pooling).
    init(k: Int, channels: Int, window: Int) {
        let groups = (k &+ 3) >> 2
        let small = k <= ConvInt8.smallCapacity
        width = small ? ConvInt8.smallChunk : window == 1 && k <= ConvInt8.hexCapacity ? 6 : 4
        let block = min(channels, ConvInt8.quadChannelBlock)
        targets = columns &+ 8 &* (small ? 3 : groups) &* width
        accumulators = targets &+ 8 &* width
        biases = accumulators &+ (small ? 4 &* width : 0)
        offsets = biases &+ 4 &* block
        gathered = offsets &+ (small ? 4 &* k : 0)
        sink = gathered &+ 4 &* groups
        firsts = sink &+ block
        end = firsts &+ width
    }

    /// The largest layout of any conv the quad path takes (the most scratch a conv op can be planned with).
    static var largest: QuadScratchLayout {
        var best = QuadScratchLayout(k: 1, channels: 1, window: 1)
        for k in 1...ConvInt8.quadCapacity {
            for window in [1, 4] {
                let layout = QuadScratchLayout(k: k, channels: ConvInt8.quadChannelBlock, window: window)
                if layout.size > best.size { best = layout }
            }
        }
        return best
    }
}
