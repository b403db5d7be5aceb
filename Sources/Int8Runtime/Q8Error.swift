/// Why a .q8 model was refused or could not run. No case carries a string, so the runtime needs no heap.
public enum Q8Error: Error, Equatable {
    case badMagic
    case unsupportedVersion
    case sizeMismatch
    case crcMismatch
    case misaligned
    case countOutOfRange
    /// A table, array or arena region lies (partly) outside the file or the arena.
    case outOfBounds
    case badTensor(index: Int)
    case badOp(index: Int)
    case arenaTooSmall(needed: Int)
}
