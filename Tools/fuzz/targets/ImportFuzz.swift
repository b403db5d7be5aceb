// libFuzzer target: the whole import path the tools take, `ModelImporter.floatGraph(path:)` (read the file, tell
// the format by content, read it with the format's reader, convert it into a float graph, validate it), for one
// format chosen when building: -D IMPORT_KERAS (.keras zip), IMPORT_H5 (legacy .h5), IMPORT_ONNX, IMPORT_TFLITE
// (for .tflite also the int8 path: `ModelImporter.int8Program`, the .q8 written and loaded by the runtime).
// Built by Tools/fuzz/run.sh (targets import-keras, import-h5, import-onnx, import-tflite), seeded with the
// format's fixtures. Inputs the detection gives to another format are rejected (return -1: not kept), so each
// target stays on its own format. Every failure must be the one-line ModelFileError naming the file.

import FloatEngine
import Foundation
import Int8Runtime
import ModelFormat
import ModelImport
import Quantizer

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
        // What the importer accepts is a valid graph (checked again) that must be safe to run.
        do { try graph.validate() } catch { preconditionFailure("floatGraph returned an invalid graph: \(error)") }
        run(graph)
    } catch {
        let line = error.description
        precondition(line.hasPrefix(path + ": ") && !line.contains("\n"), "not one line naming the file: \(line)")
    }
    #if IMPORT_TFLITE
    // The int8 path of a full-integer .tflite too: the program as imported, then written as a .q8 that the
    // runtime's own loader must accept (what the importer and writer produce is a valid model).
    do {
        if let imported = try ModelImporter.int8Program(path: path) {
            let conversion = try ProgramConversion(imported.program)
            // In 16-byte aligned storage, as firmware holds a model in flash.
            let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(conversion.bytes.count, 1), alignment: 16)
            defer { storage.deallocate() }
            conversion.bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
            let view = UnsafeRawBufferPointer(rebasing: storage[0..<conversion.bytes.count])
            do { _ = try Q8Model(validating: view) } catch { preconditionFailure("an imported .q8 fails its loader: \(error)") }
        }
    } catch let error as ModelFileError {
        precondition(error.description.hasPrefix(path + ": ") && !error.description.contains("\n"), "not one line naming the file: \(error)")
    } catch {}
    #endif
    return 0
}

/// Runs small accepted graphs once, so that time goes to importing rather than to multiply-accumulates: elements
/// bounded, and each conv/dense's multiply-accumulates (output elements x kernel elements / output channels).
func run(_ graph: FloatGraph) {
    guard graph.tensors.reduce(0, { $0 + $1.elementCount }) < 20_000 else { return }
    var macs = 0
    for node in graph.nodes {
        switch node.op {
        case .conv2D, .dense:
            let kernel = graph.tensors[node.inputs[1]].shape
            macs += graph.tensors[node.outputs[0]].elementCount * (kernel.reduce(1, *) / max(kernel.last ?? 1, 1))
        default: break
        }
    }
    guard macs < 2_000_000 else { return }
    var interpreter = FloatInterpreter(graph: graph)
    _ = try? interpreter.run([Float](repeating: 0.5, count: graph.tensors[graph.input].elementCount))
}
