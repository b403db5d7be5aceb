import FloatEngine
import ModelFormat
import ModelImport

/// A float model that turns a 28x28 input into digit probabilities. Each worker thread uses its own copy.
public struct FloatClassifier {
    private var interpreter: FloatInterpreter

    /// Wraps a validated graph whose input is `[1, 28, 28, 1]` and whose output has ten classes.
    public init(graph: FloatGraph, file: String) throws(EdgeSimError) {
        let input = graph.tensors[graph.input].shape, output = graph.tensors[graph.output].shape
        guard input == [1, 28, 28, 1] else {
            throw EdgeSimError(file: file, "model input is \(input), a digit classifier needs [1, 28, 28, 1]")
        }
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

    /// Probabilities of the ten digits for one image given as 784 floats in [0, 1].
    public mutating func scores(_ input: [Float]) -> [Float] {
        // The input size is checked at init, so run cannot fail here.
        var probabilities = (try? interpreter.run(input)) ?? []
        if interpreter.graph.logits == interpreter.graph.output {
            probabilities = Softmax.probabilities(probabilities)
        }
        return probabilities
    }
}
