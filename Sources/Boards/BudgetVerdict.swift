import Foundation

/// Whether a model fits a board: flash for the model plus the runtime, SRAM for the arena plus the stack and I/O.
public struct BudgetVerdict: Equatable, Sendable {
    public var board: Board
    public var flashNeeded: Int
    public var sramNeeded: Int

    public init(board: Board, modelBytes: Int, arenaBytes: Int, reserves: Reserves) {
        self.board = board
        flashNeeded = modelBytes + reserves.flashBytes
        sramNeeded = arenaBytes + reserves.sramBytes
    }

    public var fitsFlash: Bool { flashNeeded <= board.flashBytes }
    public var fitsSRAM: Bool { sramNeeded <= board.sramBytes }
    public var fits: Bool { fitsFlash && fitsSRAM }

    /// One line: fits with the headroom left, or does not fit and by how much.
    public var summary: String {
        let flash = "flash \(ByteCount(flashNeeded)) of \(ByteCount(board.flashBytes))"
        let sram = "SRAM \(ByteCount(sramNeeded)) of \(ByteCount(board.sramBytes))"
        if fits {
            return "fits \(board.name): \(flash), \(sram)"
        }
        var over: [String] = []
        if !fitsFlash { over.append("flash by \(ByteCount(flashNeeded - board.flashBytes))") }
        if !fitsSRAM { over.append("SRAM by \(ByteCount(sramNeeded - board.sramBytes))") }
        return "does NOT fit \(board.name): over \(over.joined(separator: " and ")) (\(flash), \(sram))"
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
