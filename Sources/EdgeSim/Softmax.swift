import Foundation

/// Softmax for graphs that end in logits.
enum Softmax {
    static func probabilities(_ logits: [Float]) -> [Float] {
        let peak = logits.max() ?? 0
        let exps = logits.map { exp($0 - peak) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }
}
