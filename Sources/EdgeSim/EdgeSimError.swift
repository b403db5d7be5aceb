/// A failure of an edge-sim command, worded as one line that names the file or flag and the problem.
public struct EdgeSimError: Error, Equatable, CustomStringConvertible {
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
