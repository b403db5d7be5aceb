import OneLineError

/// Why a library build or an emit failed: one line naming the file, tool or flag and the problem.
public struct DeployError: OneLineError, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
