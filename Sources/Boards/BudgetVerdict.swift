import Foundation

/// Whether a model fits a board: flash for the model plus the runtime's code, SRAM for the arena plus the runtime's
/// static data and stack, the runtime's figures measured by Firmware-Sim on the board's core (never hand-set
/// reserves). The application's own code and buffers (startup, input capture, output) are not included.
public struct BudgetVerdict: Equatable, Sendable {
    public var board: Board
    public var modelBytes: Int
    public var arenaBytes: Int
    public var runtime: RuntimeFootprint
    public var kernels: KernelPath

    public init(board: Board, modelBytes: Int, arenaBytes: Int, runtime: RuntimeFootprint, kernels: KernelPath) {
        self.board = board
        self.modelBytes = modelBytes
        self.arenaBytes = arenaBytes
        self.runtime = runtime
        self.kernels = kernels
    }

    public var flashNeeded: Int { modelBytes + runtime.runtimeCodeBytes }
    public var sramNeeded: Int { arenaBytes + runtime.staticSRAMBytes + runtime.stackBytes }
    public var fitsFlash: Bool { flashNeeded <= board.flashBytes }
    public var fitsSRAM: Bool { sramNeeded <= board.sramBytes }
    public var fits: Bool { fitsFlash && fitsSRAM }

    /// One line: fits with the headroom left, or does not fit and by how much.
    public var summary: String {
        let flash = "flash \(ByteCount(flashNeeded)) of \(ByteCount(board.flashBytes))"
        let sram = "SRAM \(ByteCount(sramNeeded)) of \(ByteCount(board.sramBytes))"
        let runtime = "runtime code \(ByteCount(runtime.runtimeCodeBytes)) and stack \(ByteCount(runtime.stackBytes)) measured on \(board.core), \(kernels.rawValue) kernels"
        if fits {
            return "fits \(board.name): \(flash), \(sram) (\(runtime))"
        }
        var over: [String] = []
        if !fitsFlash { over.append("flash by \(ByteCount(flashNeeded - board.flashBytes))") }
        if !fitsSRAM { over.append("SRAM by \(ByteCount(sramNeeded - board.sramBytes))") }
        return "does NOT fit \(board.name): over \(over.joined(separator: " and ")) (\(flash), \(sram); \(runtime))"
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
}
