import ModelFormat

/// Folds each zero Pad into the op that reads it, where the result is exactly the same, so that no padded copy
/// of the feature map occupies the arena:
/// - into a Conv2D: the Pad's zeros and the conv's own padding (valid, same or explicit) become one explicit
///   padding, as long as every combined pad stays below the kernel on its axis (the `Padding.explicit` rule: every
///   window sees a real pixel). A conv skips padded taps, which is adding zeros: exact in float and in int8 (where
///   a padded tap is the input zero point, TFLite's PAD + CONV_2D).
/// - into a MaxPool2D when the Pad's input is never negative (written by an op with a fused ReLU or ReLU6, or by
///   a ReLU/ReLU6 node): max pooling ignores padded positions, and a zero never exceeds the window's real maximum
///   there. On an input that can be negative the zeros could win, so the Pad stays.
/// - AveragePool2D never: it divides by the real pixels only, the Pad's zeros would count.
/// A Pad of all zeros is removed. Everything else stays a Pad, which lowering turns into its own int8 op.
/// Only a Pad whose output has exactly one reader (and is not the graph output) is folded.
public func foldPads(_ graph: FloatGraph) -> FloatGraph {
    var g = graph
    var position = 0
    while position < g.nodes.count {
        guard case let .pad(top, bottom, left, right) = g.nodes[position].op else {
            position += 1
            continue
        }
        let out = g.nodes[position].outputs[0], source = g.nodes[position].inputs[0]
        if top == 0, bottom == 0, left == 0, right == 0 {
            g.bypass(node: position)
            continue
        }
        let readers = g.consumers(of: out)
        guard readers.count == 1, out != g.output, let reader = readers.first, g.nodes[reader].inputs.firstIndex(of: out) == 0,
              g.nodes[reader].inputs.dropFirst().allSatisfy({ $0 != out }),
              let folded = folding(top, bottom, left, right, into: g.nodes[reader].op, graph: g, node: g.nodes[reader],
                                   padded: g.tensors[out].shape, source: source)
        else {
            position += 1
            continue
        }
        g.nodes[reader].op = folded
        g.bypass(node: position)
    }
    return g.pruned()
}

/// `op` (reading the Pad's output, of shape `padded`) with the Pad's pads folded in, or nil when that is not exact.
private func folding(_ top: Int, _ bottom: Int, _ left: Int, _ right: Int, into op: Op, graph: FloatGraph, node: Node,
                     padded: [Int], source: Int) -> Op? {
    guard padded.count == 4 else { return nil }
    switch op {
    case let .conv2D(strideY, strideX, padding, activation):
        let kernel = graph.tensors[node.inputs[1]].shape
        guard kernel.count == 4,
              let pads = combined(padding, (top, bottom, left, right), window: (kernel[0], kernel[1]),
                                  stride: (strideY, strideX), padded: (padded[1], padded[2]))
        else { return nil }
        return .conv2D(strideY: strideY, strideX: strideX, padding: pads, activation: activation)
    case let .maxPool2D(window):
        guard isNonNegative(source, in: graph),
              let pads = combined(window.padding, (top, bottom, left, right), window: (window.height, window.width),
                                  stride: (window.strideY, window.strideX), padded: (padded[1], padded[2]))
        else { return nil }
        var folded = window
        folded.padding = pads
        return .maxPool2D(folded)
    default:
        return nil
    }
}

/// The explicit padding equal to a Pad of `pad` followed by a window with `padding` on the padded size, when
/// every side stays below the window on its axis; `.valid` when all four are 0.
private func combined(_ padding: Padding, _ pad: (Int, Int, Int, Int), window: (Int, Int), stride: (Int, Int),
                      padded: (Int, Int)) -> Padding? {
    /// The pads `padding` itself adds before and after, along one axis of `size`.
    func own(_ size: Int, _ window: Int, _ stride: Int, _ before: Int, _ after: Int) -> (Int, Int)? {
        switch padding {
        case .valid: return (0, 0)
        case .explicit: return (before, after)
        case .same:
            guard let out = padding.output(input: size, window: window, stride: stride) else { return nil }
            let total = max((out.size - 1) * stride + window - size, 0)
            return (out.padBefore, total - out.padBefore)
        }
    }
    var explicit = (top: 0, bottom: 0, left: 0, right: 0)
    if case let .explicit(t, b, l, r) = padding { explicit = (t, b, l, r) }
    guard let y = own(padded.0, window.0, stride.0, explicit.top, explicit.bottom),
          let x = own(padded.1, window.1, stride.1, explicit.left, explicit.right)
    else { return nil }
    let top = pad.0 + y.0, bottom = pad.1 + y.1, left = pad.2 + x.0, right = pad.3 + x.1
    guard top < window.0, bottom < window.0, left < window.1, right < window.1 else { return nil }
    if top == 0, bottom == 0, left == 0, right == 0 { return .valid }
    return .explicit(top: top, bottom: bottom, left: left, right: right)
}

/// Whether tensor `index` is never negative: written by an op with a fused ReLU or ReLU6, or by a ReLU or ReLU6.
private func isNonNegative(_ index: Int, in graph: FloatGraph) -> Bool {
    guard let producer = graph.producer(of: index) else { return false }
    let op = graph.nodes[producer].op
    switch op {
    case .relu, .relu6: return true
    default: return op.fusedActivation != .none
    }
}
