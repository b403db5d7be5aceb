// libFuzzer target: the .onnx reader (ModelImport's wire-format pre-scan, swift-protobuf decoding with the
// generated onnx.pb.swift, ONNXModel's checks), then the typed attribute accessors and the conversion to the float
// graph (ONNXImport) on whatever it accepts.
// Built by Tools/fuzz/run.sh (target `onnx`), seeded with Tests/Fixtures/onnx/*.onnx. A tag may be an overlong
// varint (protobuf accepts 0x8A 0x00 for 0x0A), hence the mask on the first byte of a node.

import ModelImport

@_cdecl("LLVMFuzzerTestOneInput")
public func onnxFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let model = try? ONNXModel(bytes: bytes) else { return 0 }
    // What the reader accepts must be safe to use: the promises it makes hold, and every accessor answers.
    var checksum = 0
    for tensor in model.initializers {
        let count = tensor.floats?.count ?? tensor.int64s?.count ?? -1
        precondition(count == tensor.elementCount && tensor.dims.allSatisfy { $0 >= 0 })
        checksum &+= count
    }
    precondition(model.nodes.count <= ONNXLimits.default.maxNodes)
    precondition(onnxSupportedOpsets.contains(model.opsetVersion))
    for (i, node) in model.nodes.enumerated() {
        precondition(node.index == i && node.fileOffset >= 0 && node.fileOffset < size && (bytes[node.fileOffset] & 0x7F) == 0x0A)
        _ = node.label
        if let window = try? node.window(spatialRank: 2) {
            precondition(window.strides.count == 2 && window.pads.count == 4 && window.dilations.count == 2)
            checksum &+= window.pads.reduce(0, +)
        }
        _ = try? node.gemm()
        _ = try? node.axis(default: 1, rank: 4)
        _ = try? model.clipBounds(node)
        for input in node.inputs { _ = model.constant(named: input) }
    }
    // The conversion either refuses or returns a graph that passed FloatGraph.validate().
    if let graph = try? ONNXImport.floatGraph(model) { checksum &+= graph.nodes.count }
    return checksum == -1 ? 1 : 0
}
