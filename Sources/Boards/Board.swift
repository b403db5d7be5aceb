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

/// A CPU core's cost figures (docs/boards.md): instructions per op kind, fitted to the instructions Firmware-Sim
/// counts on the emulated core, and the cycles an instruction takes on average on the real core (an assumption
/// per core: QEMU counts instructions, not cycles).
public struct CoreModel: Codable, Equatable, Sendable {
    public var cyclesPerInstruction: Double
    /// Keyed by op kind: conv2d, fully_connected, max_pool2d, average_pool2d, mean, add.
    public var instructions: [String: OpCost]
    /// Where the figures come from (the calibration run, or why they are assumed).
    public var source: String

    enum CodingKeys: String, CodingKey {
        case cyclesPerInstruction = "cycles_per_instruction"
        case instructions, source
    }

    /// The op kinds every core must price.
    public static let opKinds = ["conv2d", "fully_connected", "max_pool2d", "average_pool2d", "mean", "add"]
}

/// Instructions one op takes: `perWork` x its work (MACs for Conv2D and FullyConnected, elements read for the
/// others) + `perOutput` x the elements it computes + `perOp`.
public struct OpCost: Codable, Equatable, Sendable {
    public var perWork: Double
    public var perOutput: Double
    public var perOp: Double

    enum CodingKeys: String, CodingKey {
        case perWork = "per_work"
        case perOutput = "per_output"
        case perOp = "per_op"
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
