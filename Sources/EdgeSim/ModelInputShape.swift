import DigitImage
import Int8Runtime
import ModelFormat

/// The digit input shape of a model the tools feed, from its float graph or its .q8; any other input is refused in
/// one line naming the file and the shape.
public enum ModelInputShape {
    public static func of(_ graph: FloatGraph, file: String) throws(EdgeSimError) -> DigitInputShape {
        let shape = graph.tensors[graph.input].shape
        guard let digit = DigitInputShape(tensorShape: shape) else {
            throw EdgeSimError(file: file, "model input is \(shape), \(DigitInputShape.requirement)")
        }
        return digit
    }

    public static func of(_ model: Q8Model, file: String) throws(EdgeSimError) -> DigitInputShape {
        let input = model.input
        guard let digit = DigitInputShape(height: input.height, width: input.width, channels: input.channels) else {
            throw EdgeSimError(file: file, "model input is \(input.height)x\(input.width)x\(input.channels), \(DigitInputShape.requirement)")
        }
        return digit
    }
}
