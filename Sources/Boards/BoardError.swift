/// A board catalog or budget that cannot be used, worded as one line that names the file or board and the problem.
public struct BoardError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    /// An error about a file: `path: problem`.
    public init(file: String, _ problem: String) {
        self.message = "\(file): \(problem)"
    }

    public var description: String { message }
}
