// libFuzzer target: the Keras reader's zip and JSON path. Inputs starting "PK" go through the whole .keras reader
// (ZIPFoundation with entry and size bounds, config.json, model.weights.h5 through libhdf5); anything else is read
// as the model's JSON alone. Built by Tools/fuzz/run.sh (target `keras`), seeded with Tests/Fixtures/keras/*.keras
// and the config.json inside each.

import ModelImport

@_cdecl("LLVMFuzzerTestOneInput")
public func kerasFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var limits = KerasLimits()
    limits.maxFileBytes = 1 << 24
    limits.hdf5.maxTotalElements = 1 << 22
    limits.hdf5.maxElements = 1 << 22
    let model: KerasModel?
    if bytes.starts(with: [0x50, 0x4B]) {
        model = try? KerasModel(bytes: bytes, limits: limits)
    } else {
        model = try? KerasModel(configJSON: bytes, limits: limits)
    }
    guard let model else { return 0 }
    // What the reader accepts keeps its promises: layers after their inputs, one input layer first.
    var seen = Set<String>()
    for layer in model.layers {
        for input in layer.inputs { precondition(seen.contains(input)) }
        precondition(seen.insert(layer.name).inserted)
        for weight in layer.weights { precondition(weight.values.count == weight.shape.reduce(1, *)) }
    }
    precondition(seen.contains(model.output))
    if case .input = model.layers[0].op {} else { preconditionFailure("first layer is not the input") }
    return 0
}
