import Foundation
import ModelFormat

/// Float32 element-wise ops: activations, residual add and softmax.
enum ElementwiseFloat {
    static func clamp(input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>, upper: Float) {
        for i in 0..<input.count { output[i] = min(max(input[i], 0), upper) }
    }

    /// Applies a fused activation in place.
    static func apply(_ activation: Activation, to values: UnsafeMutableBufferPointer<Float>) {
        guard activation != .none else { return }
        let upper = activation.upperBound ?? .infinity
        for i in 0..<values.count { values[i] = min(max(values[i], 0), upper) }
    }

    static func add(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<a.count { output[i] = a[i] + b[i] }
    }

    static func copy(input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<input.count { output[i] = input[i] }
    }

    /// Softmax over the whole vector, shifted by the maximum so that `exp` cannot overflow.
    static func softmax(input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>) {
        let peak = input.max() ?? 0
        var sum: Float = 0
        for i in 0..<input.count {
            output[i] = exp(input[i] - peak)
            sum += output[i]
        }
        for i in 0..<input.count { output[i] /= sum }
    }
}
