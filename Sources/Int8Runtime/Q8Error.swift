/// Why a .q8 model was refused or could not run. No case carries a string, so the runtime needs no heap.
public enum Q8Error: Error, Equatable {
    case badMagic
    case unsupportedVersion
    /// The buffer is not the size the header records (or is 2 GiB or more).
    case sizeMismatch
    case crcMismatch
    case misaligned
    case countOutOfRange
    /// A table, array or arena region lies (partly) outside the file or the arena.
    case outOfBounds
    case badTensor(index: Int)
    case badOp(index: Int)
    case arenaTooSmall(needed: Int)
    /// A header field is out of its range; `offset` is the field's byte offset (`Q8Layout.Header`).
    case badHeader(offset: Int)
    /// Tensors `first` < `second` are alive at a common step and share arena bytes.
    case tensorsOverlap(first: Int, second: Int)
    /// Op `op`'s scratch region shares arena bytes with `tensor`, which is alive at that op.
    case scratchOverlaps(op: Int, tensor: Int)
}

extension Q8Error {
    /// A stable number per case, for firmware that reports errors without strings on the heap.
    public var code: Int32 {
        switch self {
        case .badMagic: 1
        case .unsupportedVersion: 2
        case .sizeMismatch: 3
        case .crcMismatch: 4
        case .misaligned: 5
        case .countOutOfRange: 6
        case .outOfBounds: 7
        case .badTensor: 8
        case .badOp: 9
        case .arenaTooSmall: 10
        case .badHeader: 11
        case .tensorsOverlap: 12
        case .scratchOverlaps: 13
        }
    }

    /// The case's name, as in the source (a static string: usable in Embedded Swift).
    public var name: StaticString {
        switch self {
        case .badMagic: "badMagic"
        case .unsupportedVersion: "unsupportedVersion"
        case .sizeMismatch: "sizeMismatch"
        case .crcMismatch: "crcMismatch"
        case .misaligned: "misaligned"
        case .countOutOfRange: "countOutOfRange"
        case .outOfBounds: "outOfBounds"
        case .badTensor: "badTensor"
        case .badOp: "badOp"
        case .arenaTooSmall: "arenaTooSmall"
        case .badHeader: "badHeader"
        case .tensorsOverlap: "tensorsOverlap"
        case .scratchOverlaps: "scratchOverlaps"
        }
    }

    /// The case's associated values (0, 1 or 2 of them), in declaration order.
    public var values: (count: Int, first: Int, second: Int) {
        switch self {
        case let .badTensor(index), let .badOp(index): (1, index, 0)
        case let .arenaTooSmall(needed): (1, needed, 0)
        case let .badHeader(offset): (1, offset, 0)
        case let .tensorsOverlap(first, second): (2, first, second)
        case let .scratchOverlaps(op, tensor): (2, op, tensor)
        default: (0, 0, 0)
        }
    }
}
