/// What every kernel needs about one op: its record, its tensors, pointers into the arena and the model, and its
/// scratch in the arena.
struct KernelContext {
    let op: Q8Op
    let input: Q8Tensor
    let output: Q8Tensor
    let x: UnsafePointer<Int8>
    let y: UnsafeMutablePointer<Int8>
    let model: Q8Model
    /// The op's scratch region of the arena (empty when the op record has none).
    let scratch: UnsafeMutableRawBufferPointer

    var weights: UnsafePointer<Int8> { model.int8s(at: op.weights ?? 0) }
    var bias: UnsafePointer<Int32>? { op.bias.map { model.int32s(at: $0) } }
    var multipliers: UnsafePointer<Int32> { model.int32s(at: op.multipliers ?? 0) }
    var shifts: UnsafePointer<Int32> { model.int32s(at: op.shifts ?? 0) }
    /// `-input_zero_point`, added to every input value before it is multiplied.
    var inputOffset: Int32 { -input.zeroPoint }
}
