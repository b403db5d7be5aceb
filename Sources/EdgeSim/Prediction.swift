/// What a model says about one image: the digit, its probability and every class's probability.
public struct Prediction: Codable, Equatable, Sendable {
    /// The image's path as the user gave it.
    public var file: String
    public var digit: Int
    public var confidence: Float
    /// Softmax probabilities of the ten digits.
    public var scores: [Float]

    public init(file: String, scores: [Float]) {
        self.file = file
        self.scores = scores
        let best = scores.indices.max { scores[$0] < scores[$1] } ?? 0
        digit = best
        confidence = scores.isEmpty ? 0 : scores[best]
    }
}
