import ArgumentParser
import Foundation
import OneLineError

extension ParsableCommand {
    /// Parses the arguments and runs the command, like `main()`, except that a failure prints exactly one line,
    /// `Error: <what went wrong>`, on stderr (no usage text; `--help` shows that) and exits with the parser's
    /// status: 64 for bad flags, 1 for a failed run.
    public static func mainWithOneLineErrors(_ arguments: [String]? = nil) {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            // --help and --version are "errors" that print what was asked for and succeed.
            if code == .success { exit(withError: error) }
            let text = message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "unknown error"
            FileHandle.standardError.write(Data("Error: \(text)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}

/// A failed run of a command-line tool, worded as one line that names the file or flag and the problem.
public struct CommandLineError: OneLineError, Sendable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}
