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

/// A CPU core's figures (docs/boards.md): instructions per op kind, fitted to the instructions Firmware-Sim counts
/// on the emulated core; the cycles an instruction takes on average on the real core (an assumption per core:
/// QEMU counts instructions, not cycles); and what the runtime itself needs on the core, measured by Firmware-Sim.
public struct CoreModel: Codable, Equatable, Sendable {
    public var cyclesPerInstruction: Double
    /// Keyed by op kind: conv2d, fully_connected, max_pool2d, average_pool2d, mean, add.
    public var instructions: [String: OpCost]
    /// Where the figures come from (the calibration run, or why they are assumed).
    public var source: String
    public var footprint: CoreFootprint

    enum CodingKeys: String, CodingKey {
        case cyclesPerInstruction = "cycles_per_instruction"
        case instructions, source, footprint
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

/// The kernels a firmware runs: `fast` (what ships: the DSP paths on cores that have them, else their portable C)
/// or `reference` (the plain loops).
public enum KernelPath: String, Codable, CaseIterable, Sendable {
    case fast, reference
}

/// What the runtime needs on a core besides the model and its arena, per kernel path: measured by Firmware-Sim and
/// recorded by Tools/bench/footprint.sh (never set by hand).
public struct CoreFootprint: Codable, Equatable, Sendable {
    public var fast: RuntimeFootprint
    public var reference: RuntimeFootprint
    /// Where and at which commit the figures were measured.
    public var source: String

    public subscript(path: KernelPath) -> RuntimeFootprint {
        switch path {
        case .fast: fast
        case .reference: reference
        }
    }
}

/// The runtime's own memory on one core and kernel path (what Tools/bench/footprint.py counts).
public struct RuntimeFootprint: Codable, Equatable, Sendable {
    /// Int8Runtime and its kernels in flash: the firmware's flash minus the model, startup code and test harness.
    public var runtimeCodeBytes: Int
    /// The runtime's static SRAM besides the arena (data + bss).
    public var staticSRAMBytes: Int
    /// Stack high-water of an inference.
    public var stackBytes: Int

    public init(runtimeCodeBytes: Int, staticSRAMBytes: Int, stackBytes: Int) {
        self.runtimeCodeBytes = runtimeCodeBytes
        self.staticSRAMBytes = staticSRAMBytes
        self.stackBytes = stackBytes
    }

    enum CodingKeys: String, CodingKey {
        case runtimeCodeBytes = "runtime_code_bytes"
        case staticSRAMBytes = "static_sram_bytes"
        case stackBytes = "stack_bytes"
    }
}
