import CPNG

/// Reads the C shim's fixed-size message buffer.
enum CPNGMessage {
    /// The message up to its NUL (or the whole buffer, should the NUL be missing).
    static func text(of result: cpng_result) -> String {
        withUnsafeBytes(of: result.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
