/// A float image used while preparing a digit: 0 = no ink, 255 = full ink.
struct InkPlane: Equatable {
    var width: Int
    var height: Int
    var values: [Float]

    init(width: Int, height: Int, values: [Float]) {
        self.width = width
        self.height = height
        self.values = values
    }

    var peak: Float { values.max() ?? 0 }

    /// The columns `xs` and rows `ys`.
    func cropped(xs: Range<Int>, ys: Range<Int>) -> InkPlane {
        var out: [Float] = []
        out.reserveCapacity(xs.count * ys.count)
        for y in ys { out.append(contentsOf: values[(y * width + xs.lowerBound)..<(y * width + xs.upperBound)]) }
        return InkPlane(width: xs.count, height: ys.count, values: out)
    }

    /// Resized to `newWidth` x `newHeight`, each axis on its own: area averaging when it shrinks (antialiased,
    /// as MNIST's own size normalisation), bilinear when it grows.
    func resized(width newWidth: Int, height newHeight: Int) -> InkPlane {
        let columns = Resampler.weights(from: width, to: newWidth)
        var wide = [Float](repeating: 0, count: newWidth * height)
        for y in 0..<height {
            for (x, taps) in columns.enumerated() {
                var sum: Float = 0
                for tap in taps { sum += values[y * width + tap.index] * tap.weight }
                wide[y * newWidth + x] = sum
            }
        }
        let rows = Resampler.weights(from: height, to: newHeight)
        var out = [Float](repeating: 0, count: newWidth * newHeight)
        for (y, taps) in rows.enumerated() {
            for tap in taps {
                for x in 0..<newWidth { out[y * newWidth + x] += wide[tap.index * newWidth + x] * tap.weight }
            }
        }
        return InkPlane(width: newWidth, height: newHeight, values: out)
    }

    /// The ink-weighted mean position in pixel indices, or nil without ink.
    var centreOfMass: (x: Float, y: Float)? {
        var total: Float = 0, sumX: Float = 0, sumY: Float = 0
        for y in 0..<height {
            for x in 0..<width {
                let v = values[y * width + x]
                total += v
                sumX += v * Float(x)
                sumY += v * Float(y)
            }
        }
        guard total > 0 else { return nil }
        return (sumX / total, sumY / total)
    }

    /// Columns and rows holding ink of at least `threshold`, less thin margins that hold at most `noise` of it
    /// all (a speck far from the digit would otherwise set the box). Nil when no pixel reaches `threshold`.
    func inkBox(threshold: Float, noise: Float) -> (xs: Range<Int>, ys: Range<Int>)? {
        var columnInk = [Float](repeating: 0, count: width), rowInk = [Float](repeating: 0, count: height)
        for y in 0..<height {
            for x in 0..<width where values[y * width + x] >= threshold {
                columnInk[x] += values[y * width + x]
                rowInk[y] += values[y * width + x]
            }
        }
        let total = rowInk.reduce(0, +)
        guard total > 0 else { return nil }
        return (Self.span(columnInk, drop: total * noise), Self.span(rowInk, drop: total * noise))
    }

    /// The indices left after dropping, from each end, the lines whose running sum stays within `drop`.
    private static func span(_ sums: [Float], drop: Float) -> Range<Int> {
        var low = 0, running: Float = 0
        while low < sums.count - 1, running + sums[low] <= drop {
            running += sums[low]
            low += 1
        }
        var high = sums.count, tail: Float = 0
        while high - 1 > low, tail + sums[high - 1] <= drop {
            tail += sums[high - 1]
            high -= 1
        }
        return low..<high
    }
}
