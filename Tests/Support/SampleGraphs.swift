import ModelFormat

/// Small graphs with seeded random weights that use every op of model.bin.
public enum SampleGraphs {
    /// A residual network on a `size` x `size` x 1 input: conv, batch norm, ReLU, ReLU6, max and average
    /// pooling (both paddings), fused ReLU and ReLU6, a residual Add, global average pooling, dropout, flatten, dense and softmax.
    public static func everyOp(seed: UInt64 = 1, size: Int = 12, channels: Int = 4) throws -> FloatGraph {
        var random = SeededRandom(seed: seed)
        var b = GraphBuilder(inputShape: [1, size, size, 1])
        func weights(_ name: String, _ shape: [Int], _ range: ClosedRange<Float> = -0.5...0.5) -> Int {
            b.constant(name, shape: shape, data: random.floats(shape.reduce(1, *), in: range))
        }
        func batchNorm(_ x: Int, _ name: String, _ c: Int) throws -> Int {
            try b.add(.batchNormalization(epsilon: 0.001), name: name, inputs: [
                x, weights("\(name)/gamma", [c], 0.5...1.5), weights("\(name)/beta", [c]),
                weights("\(name)/mean", [c]), weights("\(name)/variance", [c], 0.5...2),
            ])
        }
        let c = channels
        var x = try b.add(.conv2D(strideY: 1, strideX: 1, padding: .same), name: "stem",
                          inputs: [b.input, weights("stem/kernel", [3, 3, 1, c]), weights("stem/bias", [c])])
        x = try batchNorm(x, "stem_bn", c)
        x = try b.add(.relu, name: "stem_relu", inputs: [x])
        let shortcut = x
        var y = try b.add(.conv2D(strideY: 1, strideX: 1, padding: .same), name: "block_conv",
                          inputs: [x, weights("block_conv/kernel", [3, 3, c, c])])
        y = try batchNorm(y, "block_bn", c)
        x = try b.add(.add(), name: "block_add", inputs: [shortcut, y])
        x = try b.add(.relu6, name: "block_relu6", inputs: [x])
        x = try b.add(.maxPool2D(Window2D(height: 2, width: 2, strideY: 2, strideX: 2, padding: .valid)),
                      name: "pool_valid", inputs: [x])
        x = try b.add(.conv2D(strideY: 2, strideX: 2, padding: .same, activation: .relu), name: "down",
                      inputs: [x, weights("down/kernel", [3, 3, c, 2 * c]), weights("down/bias", [2 * c])])
        let branch = try b.add(.averagePool2D(Window2D(height: 3, width: 3, strideY: 1, strideX: 1, padding: .same)),
                               name: "avg_same", inputs: [x])
        let maxSame = try b.add(.maxPool2D(Window2D(height: 3, width: 3, strideY: 2, strideX: 2, padding: .same)),
                                name: "max_same", inputs: [branch])
        let gap = try b.add(.globalAveragePool, name: "gap", inputs: [maxSame])
        let flat = try b.add(.flatten, name: "flatten", inputs: [x])
        let dropped = try b.add(.dropout(rate: 0.25), name: "dropout", inputs: [flat])
        let hidden = try b.add(.dense(activation: .relu6), name: "fc1", inputs: [dropped, weights("fc1/kernel", [b.shape(dropped)[1], 2 * c])])
        let joined = try b.add(.add(), name: "join", inputs: [hidden, gap])
        let logits = try b.add(.dense(), name: "logits", inputs: [
            joined, weights("logits/kernel", [2 * c, 10]), weights("logits/bias", [10]),
        ])
        let probabilities = try b.add(.softmax, name: "softmax", inputs: [logits])
        return try b.finish(output: probabilities)
    }
}
