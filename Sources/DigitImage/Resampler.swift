/// One-axis resampling weights.
enum Resampler {
    /// A source index and its weight in one output sample.
    struct Tap: Equatable {
        var index: Int
        var weight: Float
    }

    /// For each of `outputs` samples, the source samples (of `inputs`) it mixes. Shrinking averages the source
    /// span each output covers, counting partly covered samples by their share; growing interpolates linearly
    /// between pixel centres.
    static func weights(from inputs: Int, to outputs: Int) -> [[Tap]] {
        guard inputs > 0, outputs > 0 else { return Array(repeating: [], count: max(0, outputs)) }
        if inputs == outputs { return (0..<outputs).map { [Tap(index: $0, weight: 1)] } }
        let scale = Double(inputs) / Double(outputs)
        if inputs > outputs {
            return (0..<outputs).map { out in
                let start = Double(out) * scale, end = Double(out + 1) * scale
                var taps: [Tap] = []
                var index = Int(start)
                while Double(index) < end, index < inputs {
                    let covered = min(end, Double(index + 1)) - max(start, Double(index))
                    if covered > 0 { taps.append(Tap(index: index, weight: Float(covered / scale))) }
                    index += 1
                }
                return taps
            }
        }
        return (0..<outputs).map { out in
            let position = min(max((Double(out) + 0.5) * scale - 0.5, 0), Double(inputs - 1))
            let left = Int(position), fraction = position - Double(left)
            guard fraction > 0, left + 1 < inputs else { return [Tap(index: left, weight: 1)] }
            return [Tap(index: left, weight: Float(1 - fraction)), Tap(index: left + 1, weight: Float(fraction))]
        }
    }
}
