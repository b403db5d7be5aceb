import CommandLineSupport
import DigitImage
import Foundation
import ModelFormat
import ModelImport

/// `edge-sim compare`: a float model and its int8 conversion over the same MNIST test images, both fed MNIST brought
/// to their (common) input shape.
public struct Comparison {
    public var float: MNISTResult
    public var int8: MNISTResult
    /// Test images, kept for drawing the mistakes.
    public var dataset: MNISTDataset
    /// How MNIST was brought to the models' input ("MNIST 28x28 padded to 32x32x1").
    public var input: DigitInputAdapter
    /// The normalization the float model applied to pixel / 255, and where it came from.
    public var normalization: InputNormalization
    public var normalizationSource: String

    /// `options` are for the float model (`--input-normalization`). Without one, and when the float file records
    /// none, the float model takes the normalization the .q8 records (folded into its input quantization), so both
    /// models see the same input.
    public init(floatPath: String, int8Path: String, dataDirectory: String, limit: Int?, workers: Int, showProgress: Bool,
                options: ImportOptions = ImportOptions()) throws(EdgeSimError) {
        let shared = try SharedModelBytes(path: int8Path)
        let int8Shape = try ModelInputShape.of(shared.model, file: int8Path)
        var graph: FloatGraph
        do { graph = try ModelImporter.floatGraph(path: floatPath, options: options) } catch { throw EdgeSimError(error.description) }
        if options.inputNormalization != nil {
            normalizationSource = "--input-normalization"
        } else if graph.inputNormalization != .identity {
            normalizationSource = "recorded in \(floatPath)"
        } else if let recorded = shared.file.recordedInputNormalization, recorded != .identity {
            graph.inputNormalization = recorded
            normalizationSource = "recorded in \(int8Path)"
        } else {
            normalizationSource = "none"
        }
        normalization = graph.inputNormalization
        let classifier = try FloatClassifier(graph: graph, file: floatPath)
        guard classifier.shape == int8Shape else {
            throw EdgeSimError(file: int8Path, "model input is \(int8Shape), the float model \(floatPath) takes \(classifier.shape): not a conversion of it")
        }
        input = DigitInputAdapter(shape: int8Shape)
        do {
            dataset = try MNISTDataset(directory: dataDirectory, split: .test, limit: limit)
        } catch {
            throw EdgeSimError("\(error)")
        }
        float = MNISTEvaluation.run(classifier, on: dataset, limit: limit, workers: workers,
                                    progress: showProgress ? TerminalProgress(label: "float32") : nil)
        int8 = MNISTEvaluation.run(shared, shape: int8Shape, on: dataset, limit: limit, workers: workers,
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
