import ModelFormat

extension SampleGraphs {
    /// A small digit classifier with seeded random weights on a `[1, height, width, channels]` input: a strided
    /// 3x3 convolution with batch norm and ReLU, a 2x2 max pool, flatten, dense to ten logits and softmax. For
    /// feeding the tools models of every input shape (32x32x1, 28x28x3, ...); its predictions mean nothing.
    public static func digitClassifier(height: Int, width: Int, channels: Int, seed: UInt64 = 7) throws -> FloatGraph {
        var random = SeededRandom(seed: seed)
        var b = GraphBuilder(inputShape: [1, height, width, channels])
        func weights(_ name: String, _ shape: [Int], _ range: ClosedRange<Float> = -0.5...0.5) -> Int {
            b.constant(name, shape: shape, data: random.floats(shape.reduce(1, *), in: range))
        }
        let c = 4
        var x = try b.add(.conv2D(strideY: 2, strideX: 2, padding: .same), name: "conv",
                          inputs: [b.input, weights("conv/kernel", [3, 3, channels, c]), weights("conv/bias", [c])])
        x = try b.add(.batchNormalization(epsilon: 0.001), name: "bn", inputs: [
            x, weights("bn/gamma", [c], 0.5...1.5), weights("bn/beta", [c]),
            weights("bn/mean", [c]), weights("bn/variance", [c], 0.5...2),
        ])
        x = try b.add(.relu, name: "relu", inputs: [x])
        x = try b.add(.maxPool2D(Window2D(height: 2, width: 2, strideY: 2, strideX: 2, padding: .valid)), name: "pool", inputs: [x])
        let flat = try b.add(.flatten, name: "flatten", inputs: [x])
        let logits = try b.add(.dense(), name: "logits", inputs: [
            flat, weights("logits/kernel", [b.shape(flat)[1], 10]), weights("logits/bias", [10]),
        ])
        let probabilities = try b.add(.softmax, name: "softmax", inputs: [logits])
        return try b.finish(output: probabilities)
    }
}
