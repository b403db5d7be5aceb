/// Why a model.bin could not be read or a graph is not valid. Each case names the problem and where it is.
public enum ModelFormatError: Error, Equatable, CustomStringConvertible {
    case badMagic
    case unsupportedVersion(major: Int, minor: Int)
    case crcMismatch(stored: UInt32, computed: UInt32)
    /// The file ended while reading `what`, which started at byte `offset`.
    case truncated(what: String, offset: Int)
    case trailingBytes(count: Int)
    case invalidString(what: String, offset: Int)
    case countOutOfRange(what: String, value: Int, limit: Int)
    case indexOutOfRange(what: String, index: Int, count: Int)
    case duplicateName(kind: String, name: String)
    case badShape(tensor: String, reason: String)
    case nonFiniteWeight(tensor: String, index: Int)
    case unknownOp(op: String, node: String)
    case badAttribute(node: String, attribute: String, reason: String)
    /// A node breaks an op or graph rule (input count, kinds of inputs, execution order, ...).
    case badNode(node: String, reason: String)
    case shapeMismatch(node: String, tensor: String, expected: [Int], stored: [Int])
    case badGraph(reason: String)

    public var description: String {
        switch self {
        case .badMagic:
            return "not a model.bin file (bad magic)"
        case let .unsupportedVersion(major, minor):
            return "unsupported model.bin version \(major).\(minor) (this reader knows 1.0)"
        case let .crcMismatch(stored, computed):
            return "CRC mismatch: file says \(hex(stored)), contents give \(hex(computed)) (corrupted file)"
        case let .truncated(what, offset):
            return "truncated file: it ends inside \(what) starting at byte \(offset)"
        case let .trailingBytes(count):
            return "\(count) unexpected bytes after the CRC"
        case let .invalidString(what, offset):
            return "invalid string for \(what) at byte \(offset) (too long or not UTF-8)"
        case let .countOutOfRange(what, value, limit):
            return "\(what) is \(value), outside 1...\(limit)"
        case let .indexOutOfRange(what, index, count):
            return "\(what) refers to tensor \(index), but there are only \(count)"
        case let .duplicateName(kind, name):
            return "duplicate \(kind) name '\(name)'"
        case let .badShape(tensor, reason):
            return "tensor '\(tensor)': \(reason)"
        case let .nonFiniteWeight(tensor, index):
            return "tensor '\(tensor)' holds a NaN or infinite value at element \(index)"
        case let .unknownOp(op, node):
            return "unsupported op '\(op)' in node '\(node)'"
        case let .badAttribute(node, attribute, reason):
            return "node '\(node)': attribute '\(attribute)' \(reason)"
        case let .badNode(node, reason):
            return "node '\(node)': \(reason)"
        case let .shapeMismatch(node, tensor, expected, stored):
            return "node '\(node)': tensor '\(tensor)' should have shape \(expected) but the file says \(stored)"
        case let .badGraph(reason):
            return "invalid graph: \(reason)"
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
