/// What the converter says about one int8 layer.
public struct LayerReport: Encodable, Equatable, Sendable {
    public var name: String
    public var op: String
    /// Output height, width and channels.
    public var outputShape: [Int]
    public var macs: Int
    public var parameters: Int
    /// Bytes of int8 weights plus int32 biases, multipliers and shifts.
    public var weightBytes: Int
    public var inputScale: Float
    public var outputScale: Float
    public var outputZeroPoint: Int32
    /// Smallest and largest per-channel weight scale (weighted layers only).
    public var weightScaleRange: [Float]?
    /// Bytes of arena scratch the layer's kernel is planned with (0 for none).
    public var scratchBytes: Int
    /// Signal-to-quantization-noise ratio of the int8 output against float, in dB (higher is better).
    public var sqnrDB: Double?

    enum CodingKeys: String, CodingKey {
        case name, op, macs, parameters
        case outputShape = "output_shape"
        case weightBytes = "weight_bytes"
        case inputScale = "input_scale"
        case outputScale = "output_scale"
        case outputZeroPoint = "output_zero_point"
        case weightScaleRange = "weight_scale_range"
        case scratchBytes = "scratch_bytes"
        case sqnrDB = "sqnr_db"
    }
}
