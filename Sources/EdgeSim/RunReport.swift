/// Memory of an int8 run on a simulated board (JSON key `memory`).
public struct MemoryReport: Encodable, Equatable, Sendable {
    public var flashBytes: Int
    public var arenaBytes: Int
    public var arenaHighWaterBytes: Int
    public var sramBytes: Int
    public var fits: Bool

    enum CodingKeys: String, CodingKey {
        case flashBytes = "flash_bytes"
        case arenaBytes = "arena_bytes"
        case arenaHighWaterBytes = "arena_high_water_bytes"
        case sramBytes = "sram_bytes"
        case fits
    }
}

/// The cost model's figures for one inference (JSON key `estimate`).
public struct EstimateReport: Encodable, Equatable, Sendable {
    /// Instructions from the core's per-op costs, fitted to Firmware-Sim's counts on the emulated core.
    public var instructions: Int
    /// Instructions times the core's assumed cycles per instruction.
    public var cycles: Int
    public var latencyMS: Double
    /// Always true: the simulator estimates; Firmware-Sim measures instructions, and no one here measures cycles.
    public var isEstimate = true

    enum CodingKeys: String, CodingKey {
        case instructions, cycles
        case latencyMS = "latency_ms"
        case isEstimate = "is_estimate"
    }
}

/// Everything `edge-sim run` reports.
public struct RunReport: Encodable, Sendable {
    public var predictions: [Prediction]
    public var board: String?
    public var memory: MemoryReport?
    public var estimate: EstimateReport?
    /// Per image, per layer output ranges (with `--trace`).
    public var trace: [[TraceEntry]]?
}

/// One layer of a `--trace`.
public struct TraceEntry: Encodable, Equatable, Sendable {
    public var layer: Int
    public var op: String
    public var minimum: Int
    public var maximum: Int
    public var saturated: Int
    public var count: Int
}
