import Int8Runtime

/// Folds each 'valid', non-overlapping max pooling into the Conv2D that feeds it: the conv then writes the
/// pooled tensor directly (its op parameters carry the pool window, docs/q8-format.md), so the full-size conv
/// output never occupies the arena. Bit-exact with the two ops run apart (the runtime's tests prove it).
///
/// A pair is fused only when nothing else reads the conv output, the pool keeps its input's quantization
/// (as TFLite's max pooling does), the pool's clamp is no tighter than the conv's, and the windows neither
/// overlap nor run past the conv output (so no conv value is computed twice and none are missing).
public func fuseConvMaxPool(_ program: Int8Program) -> Int8Program {
    var program = program
    var removed = Set<Int>()
    for (p, pool) in program.layers.enumerated() where pool.opcode == .maxPool2D {
        guard let c = program.layers.firstIndex(where: { $0.output == pool.input }), !removed.contains(c) else { continue }
        let conv = program.layers[c]
        let readers = program.layers.filter { $0.input == pool.input || $0.input2 == pool.input }.count
        let convOut = program.tensors[conv.output], pooled = program.tensors[pool.output]
        guard conv.opcode == .conv2D, conv.parameters.allSatisfy({ $0 == 0 }), readers == 1, pool.input != program.output,
              pool.padTop == 0, pool.padLeft == 0,
              pool.strideY == pool.kernelHeight, pool.strideX == pool.kernelWidth,
              pooled.height * pool.strideY <= convOut.height, pooled.width * pool.strideX <= convOut.width,
              convOut.quantization == pooled.quantization,
              pool.activationMin <= conv.activationMin, pool.activationMax >= conv.activationMax
        else { continue }
        program.layers[c].name += "+" + pool.name
        program.layers[c].output = pool.output
        program.layers[c].parameters = [Int32(pool.kernelHeight), Int32(pool.kernelWidth), Int32(pool.strideY), Int32(pool.strideX), 0]
        removed.insert(p)
    }
    guard !removed.isEmpty else { return program }
    program.layers = program.layers.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    return program.droppingUnusedTensors()
}

extension Int8Program {
    /// The same program without tensors that no layer reads or writes, indices renumbered.
    public func droppingUnusedTensors() -> Int8Program {
        var used: Set<Int> = [input, output]
        for layer in layers { used.formUnion([layer.input, layer.output] + (layer.input2.map { [$0] } ?? [])) }
        let kept = tensors.indices.filter { used.contains($0) }
        let index = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        var result = self
        result.tensors = kept.map { tensors[$0] }
        for i in result.layers.indices {
            result.layers[i].input = index[layers[i].input]!
            result.layers[i].output = index[layers[i].output]!
            result.layers[i].input2 = layers[i].input2.map { index[$0]! }
        }
        result.input = index[input]!
        result.output = index[output]!
        return result
    }
}
