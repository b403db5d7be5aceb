// libFuzzer target: the whole import path the tools take, `ModelImporter.floatGraph(path:)` (read the file, tell
// the format by content, read it with the format's reader, convert it into a float graph, validate it), for one
// format chosen when building: -D IMPORT_KERAS (.keras zip), IMPORT_H5 (legacy .h5), IMPORT_ONNX, IMPORT_TFLITE.
// Built by Tools/fuzz/run.sh (targets import-keras, import-h5, import-onnx, import-tflite), seeded with the
// format's fixtures. Inputs the detection gives to another format are rejected (return -1: not kept), so each
// target stays on its own format. Every failure must be the one-line ModelFileError naming the file.

import Foundation
import ModelFormat
import ModelImport

#if IMPORT_KERAS
let format = ModelFileFormat.keras
#elseif IMPORT_H5
let format = ModelFileFormat.kerasH5
#elseif IMPORT_ONNX
let format = ModelFileFormat.onnx
#elseif IMPORT_TFLITE
let format = ModelFileFormat.tflite
#else
#error("build with -D IMPORT_KERAS, IMPORT_H5, IMPORT_ONNX or IMPORT_TFLITE")
#endif

// One file per fuzzing process, rewritten for every input (floatGraph reads from a path, as the tools do).
let path = FileManager.default.temporaryDirectory.appendingPathComponent("edgequant-import-fuzz-\(getpid())").path

@_cdecl("LLVMFuzzerTestOneInput")
public func importFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard ModelFileFormat.detect(Array(bytes)) == format else { return -1 }
    guard let file = fopen(path, "wb") else { preconditionFailure("cannot write \(path)") }
    precondition(size == 0 || fwrite(data, 1, size, file) == size)
    fclose(file)
    do {
        let graph = try ModelImporter.floatGraph(path: path)
        // What the importer accepts is a graph the float engine takes (floatGraph validated it) with an input.
        precondition(!graph.tensors.isEmpty)
    } catch {
        let line = error.description
        precondition(line.hasPrefix(path + ": ") && !line.contains("\n"), "not one line naming the file: \(line)")
    }
    return 0
}
