import Foundation

/// A microcontroller board as a memory and speed budget (docs/boards.md).
public struct Board: Codable, Equatable, Sendable {
    public var name: String
    public var mcu: String
    public var core: String
    public var clockMHz: Double
    public var sramBytes: Int
    public var flashBytes: Int

    enum CodingKeys: String, CodingKey {
        case name, mcu, core
        case clockMHz = "clock_mhz"
        case sramBytes = "sram_bytes"
        case flashBytes = "flash_bytes"
    }
}

/// Throughput figures of a CPU core for the cost model: estimates until Firmware-Sim measures them.
public struct CoreModel: Codable, Equatable, Sendable {
    public var macsPerCycle: Double
    public var cyclesPerOp: Double

    enum CodingKeys: String, CodingKey {
        case macsPerCycle = "macs_per_cycle"
        case cyclesPerOp = "cycles_per_op"
    }
}

/// Memory the firmware needs besides the model and the arena.
public struct Reserves: Codable, Equatable, Sendable {
    public var flashBytes: Int
    public var sramBytes: Int

    enum CodingKeys: String, CodingKey {
        case flashBytes = "flash_bytes"
        case sramBytes = "sram_bytes"
    }
}
