import ModelFormat
import Quantizer

/// The model file formats the tools take, told apart by content, never by extension.
public enum ModelFileFormat: String, Sendable, Equatable {
    case modelBin = "model.bin"
    case q8 = ".q8"
    case keras = "Keras .keras"
    case kerasH5 = "Keras .h5"
    case onnx = "ONNX"
    case tflite = "TFLite"

    /// The format of a file starting with `bytes`, or `nil` when none matches. ONNX has no magic: a protobuf
    /// ModelProto starts with field 1 (ir_version, varint, tag 0x08) as every ONNX writer emits it.
    public static func detect(_ bytes: [UInt8]) -> ModelFileFormat? {
        let magic = Array(bytes.prefix(4))
        if magic == Array("EQFM".utf8) { return .modelBin }
        if magic == Array("EQ8M".utf8) { return .q8 }
        if TFLiteModel.isTFLite(bytes) { return .tflite }
        if KerasModel.isZip(bytes) { return .keras }
        if KerasModel.isHDF5(bytes) { return .kerasH5 }
        if bytes.first == 0x08 { return .onnx }
        return nil
    }
}

/// What the user asked for at conversion that the file may not record.
public struct ImportOptions: Sendable, Equatable {
    /// The normalization the model expects of pixel / 255 (`--input-normalization MEAN,STD`); `nil` to take
    /// the file's own (a Keras Rescaling or Normalization layer at the input) or none.
    public var inputNormalization: InputNormalization?

    public init(inputNormalization: InputNormalization? = nil) {
        self.inputNormalization = inputNormalization
    }
}

/// The one entry the command-line tools use to read a float model of any supported format.
public enum ModelImporter {
    /// Reads the float model at `path` (model.bin, Keras, ONNX or float TFLite) into a validated float graph.
    /// Every failure is one line naming the file.
    public static func floatGraph(path: String, options: ImportOptions = ImportOptions()) throws(ModelFileError) -> FloatGraph {
        let bytes = try ModelFile.readBytes(path: path)
        func fail(_ problem: String) -> ModelFileError { ModelFileError(path: path, problem: problem) }
        guard let format = ModelFileFormat.detect(bytes) else {
            throw fail("not a model file EdgeQuant reads (model.bin, .keras, .h5, .onnx or .tflite, told by content)")
        }
        var graph: FloatGraph
        switch format {
        case .modelBin:
            do { graph = try ModelBinary.decode(bytes) } catch { throw fail(error.description) }
        case .q8:
            throw fail("is an int8 .q8 model, not a float model")
        case .keras, .kerasH5:
            // Applies options.inputNormalization itself, composed with a Rescaling/Normalization input layer.
            return try KerasImport.floatGraph(bytes: bytes, path: path, options: options)
        case .onnx:
            do { graph = try ONNXImport.floatGraph(try ONNXModel(bytes: bytes)) } catch { throw fail(error.description) }
        case .tflite:
            do { graph = try TFLiteModel(bytes: bytes).floatGraph() } catch { throw fail(error.description) }
        }
        if let normalization = options.inputNormalization {
            guard graph.inputNormalization == .identity else {
                throw fail("the file already records an input normalization (\(graph.inputNormalization)); --input-normalization would apply a second one")
            }
            graph.inputNormalization = normalization
        }
        do { try graph.validate() } catch { throw fail(error.description) }
        return graph
    }
}

/// A model file as the tools take it: a float graph to quantize, or an int8 program already quantized by its
/// producer (a full-integer .tflite), to run as it is.
public enum ImportedModel: Sendable {
    case float(FloatGraph)
    case int8(Int8Program)
}

extension ModelImporter {
    /// Reads the model at `path`: a full-integer .tflite becomes `.int8` (its own quantization, nothing
    /// re-quantized: `TFLiteInt8Import`), every other model `.float` (as `floatGraph(path:options:)`).
    public static func load(path: String, options: ImportOptions = ImportOptions()) throws(ModelFileError) -> ImportedModel {
        if let result = try int8Program(path: path, options: options) { return .int8(result.program) }
        return .float(try floatGraph(path: path, options: options))
    }

    /// The int8 program of a full-integer .tflite at `path`, with the notes of what was stripped; nil when the
    /// file is not one (a float model of any format). Every failure is one line naming the file.
    public static func int8Program(path: String, options: ImportOptions = ImportOptions()) throws(ModelFileError) -> TFLiteInt8Import.Result? {
        let bytes = try ModelFile.readBytes(path: path)
        guard ModelFileFormat.detect(bytes) == .tflite else { return nil }
        func fail(_ problem: String) -> ModelFileError { ModelFileError(path: path, problem: problem) }
        let model: TFLiteModel
        do { model = try TFLiteModel(bytes: bytes) } catch { throw fail(error.description) }
        guard TFLiteInt8Import.isFullInteger(model) else { return nil }
        var result: TFLiteInt8Import.Result
        do { result = try TFLiteInt8Import.program(model) } catch { throw fail(error.description) }
        // The file's input quantization maps the model's float input to int8; the normalization (recorded in the
        // .q8) says how a pixel / 255 becomes that float input, so the tools and firmware can still feed pixels.
        if let normalization = options.inputNormalization { result.program.inputNormalization = normalization }
        return result
    }
}
