/// Memory of an int8 run on a simulated board (JSON key `memory`).
public struct MemoryReport: Encodable, Equatable, Sendable {
    public var flashBytes: Int
    public var arenaBytes: Int
    public var arenaHighWaterBytes: Int
    public var sramBytes: Int
    public var fits: Bool
    /// The verdict's needs: the model plus the runtime's measured code; the arena plus its static SRAM and stack.
    public var flashNeededBytes: Int
    public var sramNeededBytes: Int
    /// The library's stack high-water measured on the board's core (docs/boards.md).
    public var stackBudgetBytes: Int
    /// Where the footprint figures come from: `c-library` (the example firmware) or `firmware-sim` (before that).
    public var footprintSource: String
    /// The guarded thread stack inference ran on (the budget in whole pages plus the host's allowance) and how
    /// much of it the host's code used (x86-64 or arm64 code, so not the board's figure).
    public var hostStackBytes: Int
    public var hostStackUsedBytes: Int

    enum CodingKeys: String, CodingKey {
        case flashBytes = "flash_bytes"
        case arenaBytes = "arena_bytes"
        case arenaHighWaterBytes = "arena_high_water_bytes"
        case sramBytes = "sram_bytes"
        case fits
        case flashNeededBytes = "flash_needed_bytes"
        case sramNeededBytes = "sram_needed_bytes"
        case stackBudgetBytes = "stack_budget_bytes"
        case footprintSource = "footprint_source"
        case hostStackBytes = "host_stack_bytes"
        case hostStackUsedBytes = "host_stack_used_bytes"
    }
}

/// The cost model's figures for one inference (JSON key `estimate`).
public struct EstimateReport: Encodable, Equatable, Sendable {
    /// Instructions from the core's per-op costs, fitted to Firmware-Sim's counts on the emulated core.
    public var instructions: Int
    /// Instructions times the core's cycles per instruction (`cyclesBasis` says whether estimated or assumed).
    public var cycles: Int
    public var latencyMS: Double
    /// `CostEstimate.cyclesBasis`: where the cycles per instruction come from.
    public var cyclesBasis: String
    /// Always true: the simulator estimates; Firmware-Sim measures instructions, and no one here measures cycles.
    public var isEstimate = true

    enum CodingKeys: String, CodingKey {
        case instructions, cycles
        case latencyMS = "latency_ms"
        case cyclesBasis = "cycles_basis"
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
