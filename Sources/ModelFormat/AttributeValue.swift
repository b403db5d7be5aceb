/// An attribute value as stored in a model.bin node record.
enum AttributeValue: Equatable {
    case int(Int64)
    case float(Float)
    case ints([Int64])
    case string(String)

    /// The type code stored before the value.
    var typeCode: UInt8 {
        switch self {
        case .int: 0
        case .float: 1
        case .ints: 2
        case .string: 3
        }
    }
}
