/// One op record of a .q8 model, decoded from its 64 bytes.
public struct Q8Op: Equatable {
    public var opcode: Q8Opcode
    public var input: Int
    /// The second input of Add, `nil` otherwise.
    public var input2: Int?
    public var output: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideY: Int
    public var strideX: Int
    public var padTop: Int
    public var padLeft: Int
    public var activationMin: Int32
    public var activationMax: Int32
    /// Offsets into the constants section, `nil` when absent.
    public var weights: Int?
    public var bias: Int?
    public var multipliers: Int?
    public var shifts: Int?
    public var scratchOffset: Int
    public var scratchSize: Int
    public var parameters: (Int32, Int32, Int32, Int32, Int32)

    public static func == (a: Q8Op, b: Q8Op) -> Bool {
        a.opcode == b.opcode && a.input == b.input && a.input2 == b.input2 && a.output == b.output
            && a.kernelHeight == b.kernelHeight && a.kernelWidth == b.kernelWidth && a.strideY == b.strideY
            && a.strideX == b.strideX && a.padTop == b.padTop && a.padLeft == b.padLeft
            && a.activationMin == b.activationMin && a.activationMax == b.activationMax && a.weights == b.weights
            && a.bias == b.bias && a.multipliers == b.multipliers && a.shifts == b.shifts
            && a.scratchOffset == b.scratchOffset && a.scratchSize == b.scratchSize
            && a.parameters.0 == b.parameters.0 && a.parameters.1 == b.parameters.1 && a.parameters.2 == b.parameters.2
            && a.parameters.3 == b.parameters.3 && a.parameters.4 == b.parameters.4
    }
}
