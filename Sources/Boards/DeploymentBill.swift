import Foundation

/// What a model costs on a core, line by line, and whether it fits a board: the one definition behind
/// `quantize --board`, `edge-sim run` and the emitted README's bill and refusal (docs/boards.md).
///
/// Counted (nothing else):
/// - flash = the `.q8`'s bytes + the library's code (the sections of libedgequant.a's members in the linked example);
/// - SRAM = the arena (kernel scratch included) + the library's static data + the measured stack high-water.
///
/// Not counted: the application's own code, data and stack beyond an inference (startup, vector table, drivers,
/// input capture), the alignment padding in front of the model (up to 15 B) and of the arena (up to 15 B).
/// The library's figures are measured per core (`CoreModel.measured`); where they are not measured, a bill still
/// lists the model and the arena, and its verdict is unknown unless those alone exceed the board.
public struct DeploymentBill: Equatable, Sendable {
    /// One line of the bill.
    public struct Item: Equatable, Sendable {
        public enum Region: String, Sendable { case flash, sram = "SRAM" }
        public var region: Region
        public var name: String
        /// nil: not measured on this core.
        public var bytes: Int?
        public var what: String
    }

    public var core: String
    public var board: Board?
    public var modelBytes: Int
    public var arenaBytes: Int
    /// nil: the library is not measured on `core`.
    public var measured: MeasuredFootprint?

    public init(core: String, board: Board?, modelBytes: Int, arenaBytes: Int, measured: MeasuredFootprint?) {
        self.core = core
        self.board = board
        self.modelBytes = modelBytes
        self.arenaBytes = arenaBytes
        self.measured = measured
    }

    public var items: [Item] {
        let library = measured.map { $0.origin == .cLibrary ? "libedgequant.a's sections in the linked example firmware" : "Int8Runtime in Firmware-Sim's Swift firmware (the C library not measured on \(core) yet)" }
            ?? "not measured on \(core)"
        return [
            Item(region: .flash, name: "model (.q8)", bytes: modelBytes, what: "edgequant_model_data, EDGEQUANT_MODEL_SIZE"),
            Item(region: .flash, name: "library code", bytes: measured?.codeBytes, what: library),
            Item(region: .sram, name: "arena (scratch included)", bytes: arenaBytes, what: "EDGEQUANT_MODEL_ARENA_SIZE"),
            Item(region: .sram, name: "library statics", bytes: measured?.staticSRAMBytes, what: "data + bss: " + library),
            Item(region: .sram, name: "stack high-water", bytes: measured?.stackBytes,
                 what: measured.map { $0.origin == .cLibrary ? "measured in the example firmware over an inference (its main.c frame included)" : "measured in Firmware-Sim's firmware over an inference" } ?? "not measured on \(core)"),
        ]
    }

    /// Flash and SRAM needed; nil when the library is not measured on the core.
    public var flashNeeded: Int? { measured.map { modelBytes + $0.codeBytes } }
    public var sramNeeded: Int? { measured.map { arenaBytes + $0.staticSRAMBytes + $0.stackBytes } }

    /// Whether it fits the board's flash: nil without a board, or when the library is not measured and the model alone
    /// fits (false when the model alone is too large).
    public var fitsFlash: Bool? {
        guard let board else { return nil }
        if let flashNeeded { return flashNeeded <= board.flashBytes }
        return modelBytes > board.flashBytes ? false : nil
    }

    public var fitsSRAM: Bool? {
        guard let board else { return nil }
        if let sramNeeded { return sramNeeded <= board.sramBytes }
        return arenaBytes > board.sramBytes ? false : nil
    }

    /// true: both fit; false: either does not (the emit step refuses); nil: no board, or not known.
    public var fits: Bool? {
        if fitsFlash == false || fitsSRAM == false { return false }
        if fitsFlash == true && fitsSRAM == true { return true }
        return nil
    }

    /// One line: fits with what was counted, does not fit and by how much, or cannot be judged and why.
    public var summary: String {
        guard let board else {
            let flash = flashNeeded.map { "flash \(ByteCount($0))" } ?? "flash \(ByteCount(modelBytes)) + library code (not measured)"
            let sram = sramNeeded.map { "SRAM \(ByteCount($0))" } ?? "SRAM \(ByteCount(arenaBytes)) + library statics and stack (not measured)"
            return "needs on \(core): \(flash), \(sram) (\(origin))"
        }
        guard let flashNeeded, let sramNeeded else {
            let flash = "flash \(ByteCount(modelBytes)) of \(ByteCount(board.flashBytes))"
            let sram = "SRAM \(ByteCount(arenaBytes)) of \(ByteCount(board.sramBytes))"
            if fits == false {
                var over: [String] = []
                if fitsFlash == false { over.append("flash by \(ByteCount(modelBytes - board.flashBytes))") }
                if fitsSRAM == false { over.append("SRAM by \(ByteCount(arenaBytes - board.sramBytes))") }
                return "does NOT fit \(board.name): over \(over.joined(separator: " and ")) with the model and arena alone (\(flash), \(sram); \(origin))"
            }
            return "cannot judge \(board.name): \(origin); the model and arena alone: \(flash), \(sram)"
        }
        let flash = "flash \(ByteCount(flashNeeded)) of \(ByteCount(board.flashBytes))"
        let sram = "SRAM \(ByteCount(sramNeeded)) of \(ByteCount(board.sramBytes))"
        if fits == true {
            return "fits \(board.name): \(flash), \(sram) (\(origin))"
        }
        var over: [String] = []
        if fitsFlash == false { over.append("flash by \(ByteCount(flashNeeded - board.flashBytes))") }
        if fitsSRAM == false { over.append("SRAM by \(ByteCount(sramNeeded - board.sramBytes))") }
        return "does NOT fit \(board.name): over \(over.joined(separator: " and ")) (\(flash), \(sram); \(origin))"
    }

    /// Which figures the bill used, in words.
    public var origin: String {
        guard let measured else {
            return "the library's footprint on \(core) is not measured yet (Tools/bench/footprint.sh --write)"
        }
        let figures = "library code \(ByteCount(measured.codeBytes)), statics \(ByteCount(measured.staticSRAMBytes)) and stack \(ByteCount(measured.stackBytes))"
        switch measured.origin {
        case .cLibrary: return "\(figures) on \(core): \(measured.brief)"
        case .firmwareSim: return "\(figures) on \(core) measured in Firmware-Sim's Swift firmware; the C library is not measured on \(core) yet"
        }
    }

    /// The bill as a Markdown table with its verdict (the emitted README's "Memory" section).
    public var markdown: String {
        func bytes(_ value: Int?) -> String { value.map(ByteCount.grouped) ?? "not measured" }
        var lines = ["| item | memory | bytes | what |", "|---|---|---:|---|"]
        for region in [Item.Region.flash, .sram] {
            for item in items where item.region == region {
                lines.append("| \(item.name) | \(region.rawValue) | \(bytes(item.bytes)) | \(item.what) |")
            }
            let total = region == .flash ? flashNeeded : sramNeeded
            let capacity = board.map { " of \(bytes(region == .flash ? $0.flashBytes : $0.sramBytes)) on \($0.name)" } ?? ""
            lines.append("| **\(region.rawValue) total** | \(region.rawValue) | **\(bytes(total))** | \(total == nil ? "" : "needed")\(capacity) |")
        }
        lines.append("")
        lines.append(summary)
        return lines.joined(separator: "\n")
    }
}

/// A byte count as people read it: bytes, KiB or MiB.
public struct ByteCount: CustomStringConvertible, Sendable {
    public var bytes: Int
    public init(_ bytes: Int) { self.bytes = bytes }

    public var description: String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        return String(format: "%.2f MiB", Double(bytes) / 1024 / 1024)
    }

    /// Digits in groups of three: 1048576 -> "1,048,576".
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }
}
