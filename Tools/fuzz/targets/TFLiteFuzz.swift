// libFuzzer target: the .tflite reader (ModelImport's FlatBuffer reader and TFLiteModel), then every accessor on
// whatever it accepts. Built by Tools/fuzz/run.sh (target `tflite`), seeded with Tests/Fixtures/tflite/*.tflite.

import ModelImport

@_cdecl("LLVMFuzzerTestOneInput")
public func tfliteFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let model = try? TFLiteModel(bytes: bytes) else { return 0 }
    // What the reader accepts must be safe to use: decode every constant and check the indices it promises.
    // Tensors may share one buffer, so decoding is skipped when the total is large: time goes to parsing.
    let constantBytes = model.tensors.reduce(0) { $0 + ($1.data?.count ?? 0) }
    var checksum = 0
    for tensor in model.tensors {
        if constantBytes <= 1 << 20 {
            checksum &+= tensor.floatValues?.count ?? 0
            checksum &+= tensor.int8Values?.count ?? 0
            checksum &+= tensor.int32Values?.count ?? 0
        }
        checksum &+= tensor.elementCount
        if let q = tensor.quantization, q.isPerChannel {
            precondition(q.quantizedDimension < tensor.shape.count && tensor.shape[q.quantizedDimension] == q.scales.count)
        }
        if let data = tensor.data { precondition(data.count == tensor.elementCount * tensor.type.byteSize) }
    }
    for op in model.operators {
        for index in op.inputs.compactMap({ $0 }) + op.outputs { precondition(index >= 0 && index < model.tensors.count) }
    }
    for index in model.inputs + model.outputs { precondition(index >= 0 && index < model.tensors.count) }
    return checksum == -1 ? 1 : 0
}
