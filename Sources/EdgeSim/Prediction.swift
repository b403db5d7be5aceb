/// What a model says about one image: the digit, its probability and every class's probability.
public struct Prediction: Codable, Equatable, Sendable {
    /// The image's path as the user gave it.
    public var file: String
    public var digit: Int
    public var confidence: Float
    /// Softmax probabilities of the ten digits.
    public var scores: [Float]
    /// The int8 input tensor the model ran on (int8 models, `--tensors` only).
    public var input_int8: [Int8]?
    /// The int8 output tensor (the logits) as the runtime wrote it (int8 models, `--tensors` only).
    public var output_int8: [Int8]?

    public init(file: String, scores: [Float], input: [Int8]? = nil, output: [Int8]? = nil) {
        input_int8 = input
        output_int8 = output
        self.file = file
        self.scores = scores
        let best = scores.indices.max { scores[$0] < scores[$1] } ?? 0
        digit = best
        confidence = scores.isEmpty ? 0 : scores[best]
    }
}
