import ModelFormat

/// Which engine a model file is for, told by its magic bytes.
public enum ModelKind {
    case float
    case int8

    public static func of(path: String) throws(EdgeSimError) -> ModelKind {
        let bytes: [UInt8]
        do {
            bytes = try ModelFile.readBytes(path: path)
        } catch {
            throw EdgeSimError(error.description)
        }
        switch bytes.prefix(4).map({ Character(UnicodeScalar($0)) }) {
        case Array("EQFM"): return .float
        case Array("EQ8M"): return .int8
        default: throw EdgeSimError(file: path, "neither a model.bin nor a .q8 model (unknown magic)")
        }
    }
}
