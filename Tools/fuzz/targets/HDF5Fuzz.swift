// libFuzzer target: the Keras reader's HDF5 path through libhdf5 (the CHDF5 shim). Each input is read as a legacy
// Keras .h5 (model_config attribute, model_weights/<layer>/...) and as a Keras 3 weights file for a fixed
// Sequential model (layers/*/vars/<i>, matched by the vars group's `name`). Built by Tools/fuzz/run.sh (target
// `hdf5`), seeded with Tests/Fixtures/keras/*.h5 and the model.weights.h5 inside each .keras. libhdf5 itself is
// not instrumented: AddressSanitizer sees its crashes and bad frees, not its out-of-bounds reads.

import ModelImport

// The layers of Tests/Fixtures/keras/sequential.keras, with only the keys the reader needs.
let sequentialConfig = Array("""
{"class_name":"Sequential","config":{"name":"seq","layers":[{"class_name":"InputLayer","config":{"batch_shape":[null,8,8,1],"name":"input_layer"}},{"class_name":"Conv2D","config":{"name":"conv_a","filters":4,"kernel_size":[3,3],"strides":[1,1],"padding":"same","activation":"relu","use_bias":true}},{"class_name":"MaxPooling2D","config":{"name":"pool_a","pool_size":[2,2],"padding":"valid","strides":[2,2]}},{"class_name":"Conv2D","config":{"name":"conv_b","filters":6,"kernel_size":[3,3],"strides":[1,1],"padding":"valid","activation":"linear","use_bias":false}},{"class_name":"BatchNormalization","config":{"name":"bn_b","epsilon":0.001}},{"class_name":"ReLU","config":{"name":"relu6_b","max_value":6.0}},{"class_name":"AveragePooling2D","config":{"name":"avg_b","pool_size":[2,2],"padding":"same","strides":[1,1]}},{"class_name":"Reshape","config":{"name":"reshape","target_shape":[24]}},{"class_name":"Dropout","config":{"name":"drop"}},{"class_name":"Dense","config":{"name":"dense","units":10,"activation":"softmax","use_bias":true}}]}}
""".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func hdf5Fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var limits = KerasLimits()
    limits.maxFileBytes = 1 << 24
    limits.hdf5.maxTotalElements = 1 << 22
    limits.hdf5.maxElements = 1 << 22
    var found = 0
    if let model = try? KerasModel(bytes: bytes, limits: limits) {
        for layer in model.layers { for weight in layer.weights { precondition(weight.values.count == weight.shape.reduce(1, *)) } }
        found += model.layers.count
    }
    if let model = try? KerasModel(configJSON: sequentialConfig, weightsH5: bytes, limits: limits) {
        for layer in model.layers { for weight in layer.weights { precondition(weight.values.count == weight.shape.reduce(1, *)) } }
        found += model.layers.count
    }
    return found < 0 ? 1 : 0
}
