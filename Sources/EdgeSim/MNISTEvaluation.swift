import DigitImage
import Parallel
import Foundation

/// Digits predicted for the images of an MNIST set, and how many match the labels.
public struct MNISTResult: Sendable {
    public var predictions: [Int]
    public var labels: [Int]
    public var seconds: Double

    public var images: Int { predictions.count }
    public var correct: Int { zip(predictions, labels).filter { $0 == $1 }.count }
    public var accuracy: Double { images == 0 ? 0 : Double(correct) / Double(images) }
}

/// Runs a classifier over an MNIST set on all cores.
public enum MNISTEvaluation {
    /// Predicts every image of `dataset` (up to `limit`) with copies of `classifier`, one per core.
    /// MNIST images are already centred 28x28 digits, so they go in as they are (pixel / 255).
    public static func run(_ classifier: FloatClassifier, on dataset: MNISTDataset, limit: Int? = nil,
                           workers: Int = ProcessInfo.processInfo.activeProcessorCount) -> MNISTResult {
        let count = min(limit ?? dataset.count, dataset.count)
        let pixels = dataset.rows * dataset.cols
        let start = DispatchTime.now()
        let predictions = dataset.images.withUnsafeBufferPointer { images in
            parallelMap(count: count, workers: workers, makeState: { classifier }, work: { classifier, index in
                let input = images[(index * pixels)..<((index + 1) * pixels)].map { Float($0) / 255 }
                let scores = classifier.scores(input)
                return scores.indices.max { scores[$0] < scores[$1] } ?? -1
            }, fallback: -1)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return MNISTResult(predictions: predictions, labels: dataset.labels.prefix(count).map(Int.init), seconds: seconds)
    }
}
