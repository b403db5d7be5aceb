import DigitImage
import FloatEngine
import ModelFormat
import ModelImport

/// A float model that turns a digit image's input into digit probabilities. Each worker thread uses its own copy.
public struct FloatClassifier {
    private var interpreter: FloatInterpreter
    /// The model's input (`DigitInputShape`: 28x28x1, 32x32x1, three channels...).
    public let shape: DigitInputShape
    /// The normalization the graph applies to pixel / 255 (the file's own or `--input-normalization`).
    public var inputNormalization: InputNormalization { interpreter.graph.inputNormalization }

    /// Wraps a validated graph whose input is a digit image `[1, H, W, C]` and whose output has ten classes.
    public init(graph: FloatGraph, file: String) throws(EdgeSimError) {
        let output = graph.tensors[graph.output].shape
        shape = try ModelInputShape.of(graph, file: file)
        guard output == [1, 10] else {
            throw EdgeSimError(file: file, "model output is \(output), a digit classifier needs [1, 10]")
        }
        interpreter = FloatInterpreter(graph: graph)
    }

    /// Loads the float model at `path`, of any format `ModelImporter` reads.
    public init(path: String, options: ImportOptions = ImportOptions()) throws(EdgeSimError) {
        let graph: FloatGraph
        do {
            graph = try ModelImporter.floatGraph(path: path, options: options)
        } catch {
            throw EdgeSimError(error.description)
        }
        try self.init(graph: graph, file: path)
    }

    /// Probabilities of the ten digits for one input of `shape.elements` floats in [0, 1] (pixel / 255).
    public mutating func scores(_ input: [Float]) -> [Float] {
        // The input size is checked at init, so run cannot fail here.
        var probabilities = (try? interpreter.run(input)) ?? []
        if interpreter.graph.logits == interpreter.graph.output {
            probabilities = Softmax.probabilities(probabilities)
        }
        return probabilities
    }
}
