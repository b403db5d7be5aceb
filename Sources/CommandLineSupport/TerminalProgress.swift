import Foundation

/// A progress line on stderr, drawn only when stderr is a terminal (so logs and pipes stay clean).
public final class TerminalProgress: @unchecked Sendable {
    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var lastPercent = -1

    public init(label: String) {
        self.label = label
    }

    public func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        let percent = done * 100 / total
        guard percent != lastPercent else { return }
        lastPercent = percent
        let bar = String(repeating: "#", count: percent / 4) + String(repeating: ".", count: 25 - percent / 4)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(percent)%".utf8))
    }

    public func finish() {
        guard enabled, lastPercent >= 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
