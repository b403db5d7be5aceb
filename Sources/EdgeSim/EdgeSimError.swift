import OneLineError

/// A failure of an edge-sim command, worded as one line that names the file or flag and the problem.
public struct EdgeSimError: OneLineError {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}
