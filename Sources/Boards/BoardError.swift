import OneLineError

/// A board catalog or budget that cannot be used, worded as one line that names the file or board and the problem.
public struct BoardError: OneLineError, Sendable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}
