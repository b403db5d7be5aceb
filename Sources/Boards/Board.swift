import Foundation

/// A microcontroller board as a memory and speed budget (docs/boards.md).
public struct Board: Codable, Equatable, Sendable {
    public var name: String
    public var mcu: String
    public var core: String
    public var clockMHz: Double
    /// The SRAM the verdict counts: one region holding the arena, the library's statics and the stack (`notes` says
    /// which banks that is when the MCU has several).
    public var sramBytes: Int
    public var flashBytes: Int
    /// Where the figures come from (the datasheet).
    public var source: String?
    /// What counts and what does not (e.g. a core-coupled RAM left out of `sramBytes`).
    public var notes: String?

    public init(name: String, mcu: String, core: String, clockMHz: Double, sramBytes: Int, flashBytes: Int,
                source: String? = nil, notes: String? = nil) {
        self.name = name
        self.mcu = mcu
        self.core = core
        self.clockMHz = clockMHz
        self.sramBytes = sramBytes
        self.flashBytes = flashBytes
        self.source = source
        self.notes = notes
    }

    enum CodingKeys: String, CodingKey {
        case name, mcu, core, source, notes
        case clockMHz = "clock_mhz"
        case sramBytes = "sram_bytes"
        case flashBytes = "flash_bytes"
    }
}

/// A CPU core's figures (docs/boards.md):
/// - `library`: what the C library (`quantize --emit --target CORE`) costs on the core, measured from the linked
///   example firmware (Tools/bench/footprint.sh --write): the figures every verdict and deployment bill uses;
/// - `footprint`: the older figures measured in Firmware-Sim's Swift firmware on an MPS2 board, used only while the
///   core's library is not measured yet (footprint.sh --write removes them when it records the library);
/// - the cost model (`cycles_per_instruction`, `instructions`, `source`; all three or none): instructions per op
///   kind fitted to the instructions Firmware-Sim counts on the emulated core, and the cycles an instruction takes on
///   average on the real core (an assumption per core: QEMU counts instructions, not cycles). A core without one
///   gets no latency estimate.
public struct CoreModel: Codable, Equatable, Sendable {
    public var cyclesPerInstruction: Double?
    /// Keyed by op kind: conv2d, fully_connected, max_pool2d, average_pool2d, mean, add.
    public var instructions: [String: OpCost]?
    /// Where the cost figures come from (the calibration run, or why they are assumed).
    public var source: String?
    public var library: LibraryFootprint?
    public var footprint: CoreFootprint?

    enum CodingKeys: String, CodingKey {
        case cyclesPerInstruction = "cycles_per_instruction"
        case instructions, source, library, footprint
    }

    /// The op kinds every priced core must price.
    public static let opKinds = ["conv2d", "fully_connected", "max_pool2d", "average_pool2d", "mean", "add"]

    /// Whether the core has a cost model (the loader guarantees all of its parts or none).
    public var isPriced: Bool { cyclesPerInstruction != nil && instructions != nil }

    /// The figures the bill counts: the C library's when measured, else Firmware-Sim's fast path, else none.
    public var measured: MeasuredFootprint? {
        if let library {
            return MeasuredFootprint(codeBytes: library.codeBytes, staticSRAMBytes: library.staticSRAMBytes,
                                     stackBytes: library.stackBytes, origin: .cLibrary, source: library.description,
                                     brief: "the C library" + (library.measuredAs.map { " (\($0)'s)" } ?? "") + " measured on \(library.machine) at commit \(library.commit)")
        }
        if let footprint {
            return MeasuredFootprint(codeBytes: footprint.fast.runtimeCodeBytes, staticSRAMBytes: footprint.fast.staticSRAMBytes,
                                     stackBytes: footprint.fast.stackBytes, origin: .firmwareSim, source: footprint.source,
                                     brief: "measured in Firmware-Sim's Swift firmware")
        }
        return nil
    }
}

/// What the emitted C library costs on one core, measured from the example firmware linking it unchanged
/// (`Firmware-Sim/examples/run --json`, recorded by Tools/bench/footprint.sh --write; never set by hand).
public struct LibraryFootprint: Codable, Equatable, Sendable {
    /// Flash: the bytes of the sections that come from libedgequant.a's members in the linked ELF (its map file).
    public var codeBytes: Int
    /// SRAM besides the arena: data + bss of libedgequant.a's members.
    public var staticSRAMBytes: Int
    /// The example firmware's stack high-water over an inference (its main.c frame included), largest over `models`.
    public var stackBytes: Int
    /// The QEMU machine the example ran on, the commit it was built from and the command that measured it.
    public var machine: String
    public var commit: String
    public var command: String
    /// The models run (the code is the same for every model; the stack may differ).
    public var models: [String]
    /// Set when the figures were measured on another core's build (cortex-m0plus: the same ARMv6-M library).
    public var measuredAs: String?

    public init(codeBytes: Int, staticSRAMBytes: Int, stackBytes: Int, machine: String, commit: String, command: String,
                models: [String], measuredAs: String? = nil) {
        self.codeBytes = codeBytes
        self.staticSRAMBytes = staticSRAMBytes
        self.stackBytes = stackBytes
        self.machine = machine
        self.commit = commit
        self.command = command
        self.models = models
        self.measuredAs = measuredAs
    }

    enum CodingKeys: String, CodingKey {
        case codeBytes = "library_code_bytes"
        case staticSRAMBytes = "library_static_sram_bytes"
        case stackBytes = "stack_bytes"
        case machine, commit, command, models
        case measuredAs = "measured_as"
    }

    /// "the C library measured on netduinoplus2 at commit abc (Tools/bench/footprint.sh --write; resnet-mnist, vgg-mnist)".
    public var description: String {
        "the C library" + (measuredAs.map { " built for \($0)" } ?? "") + " measured on \(machine) at commit \(commit) (\(command); \(models.joined(separator: ", ")))"
    }
}

/// The footprint a bill counts, whichever measurement it comes from.
public struct MeasuredFootprint: Equatable, Sendable {
    public enum Origin: String, Sendable {
        /// The emitted C library in the example firmware (what a user links).
        case cLibrary = "c-library"
        /// Int8Runtime in Firmware-Sim's Swift firmware (before the core's library was measured).
        case firmwareSim = "firmware-sim"
    }

    public var codeBytes: Int
    public var staticSRAMBytes: Int
    public var stackBytes: Int
    public var origin: Origin
    /// Where, at which commit and by which command it was measured (for a README).
    public var source: String
    /// The same in a few words (for a verdict line): "the C library measured on netduinoplus2 at commit ...".
    public var brief: String

    public init(codeBytes: Int, staticSRAMBytes: Int, stackBytes: Int, origin: Origin, source: String, brief: String) {
        self.codeBytes = codeBytes
        self.staticSRAMBytes = staticSRAMBytes
        self.stackBytes = stackBytes
        self.origin = origin
        self.source = source
        self.brief = brief
    }
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

/// The kernels a Firmware-Sim firmware runs: `fast` (the DSP paths on cores that have them, else their portable C)
/// or `reference` (the plain loops).
public enum KernelPath: String, Codable, CaseIterable, Sendable {
    case fast, reference
}

/// Int8Runtime's own memory in Firmware-Sim's Swift firmware, per kernel path: measured by the previous
/// Tools/bench/footprint.sh on an MPS2 board (never set by hand). Kept only for cores whose C library is not measured.
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

/// The runtime's own memory on one core and kernel path in Firmware-Sim's firmware.
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
