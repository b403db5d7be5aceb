/// Counts of a tensor's values in equal bins over `[low, high]`, for choosing a clipping range.
struct Histogram {
    var counts: [Int]
    var low: Float
    var high: Float

    var width: Float { (high - low) / Float(counts.count) }
    func center(_ bin: Int) -> Float { low + (Float(bin) + 0.5) * width }

    /// The range between the `tail` and `1 − tail` quantiles.
    func percentileRange(_ tail: Double) -> TensorRange {
        let total = counts.reduce(0, +)
        guard total > 0, width > 0 else { return TensorRange(min: low, max: high) }
        let cut = Int((Double(total) * tail).rounded(.down))
        var seen = 0, first = 0
        while first < counts.count - 1, seen + counts[first] <= cut { seen += counts[first]; first += 1 }
        seen = 0
        var last = counts.count - 1
        while last > first, seen + counts[last] <= cut { seen += counts[last]; last -= 1 }
        return TensorRange(min: first == 0 ? low : low + Float(first) * width,
                           max: last == counts.count - 1 ? high : low + Float(last + 1) * width)
    }

    /// The range, shrunk from the observed one by a common factor, whose int8 quantization has the least
    /// mean squared error over the histogram (clipping error against rounding error).
    func mseRange() -> TensorRange {
        guard width > 0 else { return TensorRange(min: low, max: high) }
        var best = TensorRange(min: low, max: high), bestError = Double.infinity
        for step in stride(from: 100, through: 30, by: -2) {
            let factor = Float(step) / 100
            let candidate = TensorRange(min: low * factor, max: high * factor)
            let q = ActivationQuantization(min: candidate.min, max: candidate.max)
            var error = 0.0
            for (bin, count) in counts.enumerated() where count > 0 {
                let v = center(bin)
                let d = Double(v - q.dequantize(q.quantize(v)))
                error += Double(count) * d * d
            }
            if error < bestError {
                bestError = error
                best = candidate
            }
        }
        return best
    }
}
