/// An error worded as one line that names the file, flag or board and the problem: what both tools print.
/// Each module keeps its own error type (typed throws name it); this is the one definition of their wording.
public protocol OneLineError: Error, Equatable, CustomStringConvertible {
    var message: String { get }
    init(_ message: String)
}

extension OneLineError {
    /// An error about a file: `path: problem`.
    public init(file: String, _ problem: String) {
        self.init("\(file): \(problem)")
    }

    public var description: String { message }
}
