import ModelFormat
import ModelImport

/// Which engine a model file is for, told by its content (`ModelFileFormat`).
public enum ModelKind {
    case float
    case int8

    public static func of(path: String) throws(EdgeSimError) -> ModelKind {
        let bytes: [UInt8]
        do {
            bytes = try ModelFile.readBytes(path: path)
        } catch {
            throw EdgeSimError(error.description)
        }
        switch ModelFileFormat.detect(bytes) {
        case .q8: return .int8
        case .tflite:
            // A full-integer .tflite runs as int8 (imported as it is); one the reader refuses goes the float way,
            // whose loader says why in one line.
            guard let model = try? TFLiteModel(bytes: bytes), TFLiteInt8Import.isFullInteger(model) else { return .float }
            return .int8
        case .modelBin, .keras, .kerasH5, .onnx: return .float
        case nil: throw EdgeSimError(file: path, "not a model file EdgeQuant reads (.q8, model.bin, .keras, .h5, .onnx or .tflite, told by content)")
        }
    }

    /// A .q8 takes pixels: its input normalization was folded into its input quantization at conversion, so
    /// `--input-normalization` (a float model's option) given with one is refused rather than ignored.
    public static func refuseNormalization(_ options: ImportOptions, int8Model path: String) throws(EdgeSimError) {
        guard options.inputNormalization == nil else {
            throw EdgeSimError(file: path, "--input-normalization applies to float models; an int8 .q8 takes pixels (its normalization was folded in by quantize)")
        }
    }
}
