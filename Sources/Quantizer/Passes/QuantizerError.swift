import ModelFormat

/// Why a graph cannot be converted to int8, naming the node and the problem.
public struct QuantizerError: Error, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    /// An error about one node.
    public init(node: String, _ problem: String) {
        message = "node '\(node)': \(problem)"
    }

    public var description: String { message }
}
