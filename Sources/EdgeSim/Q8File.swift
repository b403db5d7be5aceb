import Int8Runtime
import ModelFormat
import ModelImport
import Quantizer

/// A .q8 model loaded the one way the tools load one: read (at most `ModelFile.maxBytes`), copied into 16-byte
/// aligned storage as firmware holds it in flash, and validated. The bytes live as long as this object and are
/// never written, so one value may serve any number of threads.
public final class Q8File: @unchecked Sendable {
    /// Where the bytes came from (a path, or a name for bytes made in memory), for error messages.
    public let file: String
    public let bytes: UnsafeRawBufferPointer
    public let model: Q8Model
    private let storage: UnsafeMutableRawBufferPointer

    /// Reads and validates the .q8 at `path`; a full-integer .tflite there is converted in memory exactly as
    /// `quantize` converts it (its own scales and zero points), so every int8 tool takes one as it takes a .q8.
    public convenience init(path: String) throws(Q8FileError) {
        let bytes: [UInt8]
        do { bytes = try ModelFile.readBytes(path: path) } catch { throw .unreadable(error) }
        guard ModelFileFormat.detect(bytes) == .tflite else {
            try self.init(bytes: bytes, file: path)
            return
        }
        let imported: TFLiteInt8Import.Result?
        do { imported = try ModelImporter.int8Program(path: path) } catch { throw .unreadable(error) }
        guard let imported else { throw .unreadable(ModelFileError(path: path, problem: "is a float .tflite, not an int8 model")) }
        let conversion: ProgramConversion
        do { conversion = try ProgramConversion(imported.program) } catch {
            throw .unreadable(ModelFileError(path: path, problem: error.description))
        }
        try self.init(bytes: conversion.bytes, file: path)
    }

    /// Validates .q8 bytes held in memory (a fresh conversion), named `file` in errors.
    public init(bytes: [UInt8], file: String) throws(Q8FileError) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        let view = UnsafeRawBufferPointer(rebasing: storage[0..<bytes.count])
        switch Result(catching: { () throws(Q8Error) in try Q8Model(validating: view) }) {
        case let .success(model):
            self.file = file
            self.storage = storage
            self.bytes = view
            self.model = model
        case let .failure(error):
            storage.deallocate()
            throw .invalid(file: file, error)
        }
    }

    deinit { storage.deallocate() }
}

/// Why a .q8 could not be loaded; the description is one line naming the file.
public enum Q8FileError: Error, Equatable, CustomStringConvertible {
    case unreadable(ModelFileError)
    case invalid(file: String, Q8Error)

    public var description: String {
        switch self {
        case let .unreadable(error): error.description
        case let .invalid(file, error): "\(file): \(Q8ErrorText.describe(error))"
        }
    }
}

extension EdgeSimError {
    init(_ error: Q8FileError) { self.init(error.description) }
}

extension Q8File {
    /// The input normalization (mean, std of pixel / 255) the converter folded into this model's input
    /// quantization, as the .q8 records it; nil when the file records none.
    ///
    /// .q8 1.1 records the input mean/std in its header (`Q8Model.inputMean`, `inputStd`; 0 and 1 for a file
    /// that records none, 1.0 included).
    public var recordedInputNormalization: InputNormalization? {
        let recorded = InputNormalization(mean: model.inputMean, std: model.inputStd)
        return recorded == .identity ? nil : recorded
    }
}
