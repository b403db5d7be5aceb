/// Why a model file could not be imported: one line naming the problem and where it is in the file.
/// The command-line tools prefix the file's path. Shared by every format's importer in this module.
public struct ImportError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The bytes break the format: offsets, lengths or indices out of range, truncation, bad identifiers.
        case malformed
        /// A well-formed file that uses something EdgeQuant does not support (an op, a type, an attribute).
        case unsupported
        /// A size over the importer's limits (see `TFLiteLimits`), refused before any large allocation.
        case tooLarge
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func malformed(_ message: String) -> ImportError { ImportError(.malformed, message) }
    public static func unsupported(_ message: String) -> ImportError { ImportError(.unsupported, message) }
    public static func tooLarge(_ message: String) -> ImportError { ImportError(.tooLarge, message) }

    public var description: String { message }

    /// The same error with `context` ("subgraph 0 tensor 12") in front, so that low-level reader errors say
    /// which part of the model they were found in.
    func within(_ context: String, separator: String = ": ") -> ImportError {
        ImportError(kind, context + separator + message)
    }
}

/// Runs `body`, prefixing any `ImportError` it throws with `context`. The context is built only on failure.
@inline(__always)
func inContext<T>(_ context: @autoclosure () -> String, separator: String = ": ",
                  _ body: () throws(ImportError) -> T) throws(ImportError) -> T {
    do {
        return try body()
    } catch {
        throw error.within(context(), separator: separator)
    }
}

/// A name from the file, made safe for a one-line message: control characters replaced, at most 60 characters.
func printable(_ name: String) -> String {
    var out = ""
    var count = 0
    for scalar in name.unicodeScalars {
        if count == 60 { out += "..."; break }
        out.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? "?" : scalar)
        count += 1
    }
    return out
}
