import CommandLineSupport
import DigitImage
import Foundation
import Parallel

/// Digits predicted for the images of an MNIST set, and how many match the labels.
public struct MNISTResult: Sendable {
    public var predictions: [Int]
    public var labels: [Int]
    public var seconds: Double

    public var images: Int { predictions.count }
    public var correct: Int { zip(predictions, labels).filter { $0 == $1 }.count }
    public var accuracy: Double { images == 0 ? 0 : Double(correct) / Double(images) }

    /// Accuracy of each digit class 0...9.
    public var perClass: [Double] {
        (0..<10).map { digit in
            let indices = labels.indices.filter { labels[$0] == digit }
            return indices.isEmpty ? 0 : Double(indices.filter { predictions[$0] == digit }.count) / Double(indices.count)
        }
    }

    /// `confusion[label][prediction]` counts.
    public var confusion: [[Int]] {
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for (label, prediction) in zip(labels, predictions) where (0..<10).contains(label) && (0..<10).contains(prediction) {
            matrix[label][prediction] += 1
        }
        return matrix
    }
}

/// Runs a classifier over an MNIST set on all cores.
public enum MNISTEvaluation {
    /// Predicts every image of `dataset` (up to `limit`), each worker with its own state from `makeState`.
    /// MNIST images are already centred 28x28 digits: `adapter` brings them to the model's input shape (as they
    /// are for 28x28x1, padded or resized otherwise), pixel / 255.
    public static func run<State>(
        on dataset: MNISTDataset, limit: Int? = nil, adapter: DigitInputAdapter = .mnist,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        progress: TerminalProgress? = nil, makeState: @escaping () -> State,
        scores: @escaping (inout State, [Float]) -> [Float]
    ) -> MNISTResult {
        let count = min(limit ?? dataset.count, dataset.count)
        let pixels = dataset.rows * dataset.cols
        let start = DispatchTime.now()
        let counter = Counter()
        let predictions = dataset.images.withUnsafeBufferPointer { images in
            parallelMap(count: count, workers: workers, makeState: makeState, work: { state, index in
                let pixels = Array(images[(index * pixels)..<((index + 1) * pixels)])
                let input = adapter.input(GrayImage(width: dataset.cols, height: dataset.rows, pixels: pixels)
                    ?? GrayImage(width: dataset.cols, height: dataset.rows))
                let s = scores(&state, input)
                if let progress { progress.update(counter.increment(), count) }
                return s.indices.max { s[$0] < s[$1] } ?? -1
            }, fallback: -1)
        }
        progress?.finish()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return MNISTResult(predictions: predictions, labels: dataset.labels.prefix(count).map(Int.init), seconds: seconds)
    }

    /// A float classifier over the set, MNIST brought to its input shape.
    public static func run(_ classifier: FloatClassifier, on dataset: MNISTDataset, limit: Int? = nil,
                           workers: Int = ProcessInfo.processInfo.activeProcessorCount, progress: TerminalProgress? = nil) -> MNISTResult {
        run(on: dataset, limit: limit, adapter: DigitInputAdapter(shape: classifier.shape), workers: workers, progress: progress,
            makeState: { classifier }, scores: { $0.scores($1) })
    }

    /// An int8 model over the set, MNIST brought to `shape`, its input shape (`ModelInputShape.of`).
    public static func run(_ model: SharedModelBytes, shape: DigitInputShape, on dataset: MNISTDataset, limit: Int? = nil,
                           workers: Int = ProcessInfo.processInfo.activeProcessorCount, progress: TerminalProgress? = nil) -> MNISTResult {
        run(on: dataset, limit: limit, adapter: DigitInputAdapter(shape: shape), workers: workers, progress: progress,
            makeState: { Int8Scorer(model) }, scores: { $0.scores($1) })
    }
}

/// A thread-safe counter for progress across workers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
