// libFuzzer target: the whole float-model import of a .tflite as the tools run it, ModelImporter.floatGraph(path:)
// (file read, detection by content, FlatBuffer reader, TFLite -> float graph mapping, graph validation), then the
// float engine on small graphs. Built by Tools/fuzz/run.sh (target `tflitefloat`), seeded with the .tflite fixtures.

import FloatEngine
import Foundation
import ModelFormat
import ModelImport

/// One file per process, rewritten for every input: the importer reads a path, as `quantize` and `edge-sim` do.
let path = FileManager.default.temporaryDirectory.appendingPathComponent("tflitefloat-fuzz-\(getpid()).tflite").path

@_cdecl("LLVMFuzzerTestOneInput")
public func tfliteFloatFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size)) else { return 0 }
    guard let graph = try? ModelImporter.floatGraph(path: path) else { return 0 }
    // What the importer accepts is a valid graph (floatGraph validates; checked again) that must be safe to run.
    do { try graph.validate() } catch { preconditionFailure("floatGraph returned an invalid graph: \(error)") }
    // Only small graphs are run, so that time goes to importing rather than to multiply-accumulates: elements
    // bounded, and each conv/dense's multiply-accumulates (output elements x kernel elements / output channels).
    let elements = graph.tensors.reduce(0) { $0 + $1.elementCount }
    guard elements < 20_000 else { return 0 }
    var macs = 0
    for node in graph.nodes {
        switch node.op {
        case .conv2D, .dense:
            let kernel = graph.tensors[node.inputs[1]].shape
            macs += graph.tensors[node.outputs[0]].elementCount * (kernel.reduce(1, *) / max(kernel.last ?? 1, 1))
        default: break
        }
    }
    guard macs < 2_000_000 else { return 0 }
    var interpreter = FloatInterpreter(graph: graph)
    let input = [Float](repeating: 0.5, count: graph.tensors[graph.input].elementCount)
    _ = try? interpreter.run(input)
    return 0
}
