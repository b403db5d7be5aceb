/// Float32 inference batch normalization, precomputed as one scale and shift per channel.
struct BatchNormFloat {
    let scale: [Float]
    let shift: [Float]

    init(gamma: [Float], beta: [Float], mean: [Float], variance: [Float], epsilon: Float) {
        var scale = [Float](repeating: 0, count: gamma.count)
        var shift = scale
        for c in gamma.indices {
            scale[c] = gamma[c] / (variance[c] + epsilon).squareRoot()
            shift[c] = beta[c] - mean[c] * scale[c]
        }
        self.scale = scale
        self.shift = shift
    }

    func run(input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>) {
        let channels = scale.count
        scale.withUnsafeBufferPointer { scale in
            shift.withUnsafeBufferPointer { shift in
                var i = 0
                while i < input.count {
                    for c in 0..<channels { output[i + c] = input[i + c] * scale[c] + shift[c] }
                    i += channels
                }
            }
        }
    }
}
