import CommandLineSupport
import DigitImage
import Foundation
import ModelFormat

/// `edge-sim compare`: a float model and its int8 conversion over the same MNIST test images.
public struct Comparison {
    public var float: MNISTResult
    public var int8: MNISTResult
    /// Test images, kept for drawing the mistakes.
    public var dataset: MNISTDataset

    public init(floatPath: String, int8Path: String, dataDirectory: String, limit: Int?, workers: Int, showProgress: Bool) throws(EdgeSimError) {
        let classifier = try FloatClassifier(path: floatPath)
        let shared = try SharedModelBytes(path: int8Path)
        do {
            dataset = try MNISTDataset(directory: dataDirectory, split: .test, limit: limit)
        } catch {
            throw EdgeSimError("\(error)")
        }
        float = MNISTEvaluation.run(classifier, on: dataset, limit: limit, workers: workers,
                                    progress: showProgress ? TerminalProgress(label: "float32") : nil)
        int8 = MNISTEvaluation.run(shared, on: dataset, limit: limit, workers: workers,
                                   progress: showProgress ? TerminalProgress(label: "int8   ") : nil)
    }

    public var images: Int { float.images }
    /// Fraction of images on which both engines predict the same digit.
    public var agreement: Double {
        images == 0 ? 0 : Double(zip(float.predictions, int8.predictions).filter { $0 == $1 }.count) / Double(images)
    }
    /// Indices of the images the int8 model gets wrong.
    public var int8Mistakes: [Int] { int8.labels.indices.filter { int8.predictions[$0] != int8.labels[$0] } }
}
