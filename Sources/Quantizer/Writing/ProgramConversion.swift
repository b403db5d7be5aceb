import Int8Runtime

/// An int8 program that arrived already quantized (a full-integer .tflite imported as it is) made into a .q8:
/// conv + max-pool pairs fused (bit-exact), the arena planned, the bytes written. Nothing is re-quantized.
public struct ProgramConversion: Sendable {
    /// The program as imported, op for op (what TFLite Micro runs).
    public var unfused: Int8Program
    /// After `fuseConvMaxPool`: what the .q8 holds.
    public var program: Int8Program
    public var plan: MemoryPlan
    /// TFLite Micro's greedy-by-size plan of the unfused program's buffers, for comparison.
    public var tflmPlan: MemoryPlan
    public var bytes: [UInt8]

    public init(_ imported: Int8Program) throws(QuantizerError) {
        unfused = imported
        program = fuseConvMaxPool(imported)
        plan = MemoryPlanner.plan(Q8Writer.buffers(of: program))
        tflmPlan = MemoryPlanner.greedyBySize(Q8Writer.buffers(of: imported))
        bytes = try Q8Writer.write(program, plan: plan)
    }
}
