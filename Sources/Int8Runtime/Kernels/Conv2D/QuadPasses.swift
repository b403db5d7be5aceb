/// The quad path's small pass (columns of at most `smallCapacity` values: the 1-channel stems): every output
/// channel of a block at a chunk's positions, the weights held in registers (dsp_dot_small), the outputs written by
/// the shared steps (QuadOutput.swift). Longer columns take the pair path (PairPasses.swift).
extension ConvInt8 {
    /// Columns of at most this many values take the small path: chunks of `smallChunk` positions, groups at
    /// stride 56 (`dsp_dot_small`; LDRD reaches 1020 bytes), accumulators, output pointers and first-of-window
    /// flags in the scratch.
    static let smallCapacity = 12
    static let smallChunk = 56

    /// What `smallChannels` needs about one chunk.
    struct SmallChunk {
        var columns: UnsafePointer<UInt64>
        var count, k: Int
        var biases: UnsafePointer<Int32>
        var block, end: Int
        var targets: UnsafePointer<UnsafeMutablePointer<Int8>>
        var firsts: UnsafePointer<Bool>
        var acc: UnsafeMutablePointer<Int32>
    }

    /// Every output channel of [block, end) at a chunk's positions: the dot products of all positions, then
    /// each position's value written (no pooling) or each group of four written as in `emitChannel`.
    @inline(never)
    static func smallChannels<Output: QuadOutput>(_ c: ConvolutionCall, _ chunk: SmallChunk, _ mode: Output.Type) {
        var oc = chunk.block
        while oc < chunk.end {
            DSP.dotSmall(c.weights + oc &* chunk.k, chunk.k, chunk.columns, chunk.count, chunk.biases[oc &- chunk.block],
                         chunk.acc)
            emitChannel(Output.self, c, oc, UnsafePointer(chunk.acc), chunk.count, chunk.targets, chunk.firsts)
            oc &+= 1
        }
    }
}
