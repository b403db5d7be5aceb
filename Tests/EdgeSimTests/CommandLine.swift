import Foundation
import Testing

/// Runs the built `edge-sim` executable and captures what it prints.
struct CommandLineRun {
    var status: Int32
    var stdout: String
    var stderr: String

    /// The repository root, found from this file's location.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The executable beside the test bundle (SwiftPM builds products into the same folder).
    static func executable(_ name: String) -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Runs `edge-sim` with `arguments` from the repository root; fails the test when the binary is missing.
    static func edgeSim(_ arguments: [String]) throws -> CommandLineRun {
        try run(executable("edge-sim"), arguments)
    }

    /// Runs `executable`; one still running after `timeout` seconds is killed and reported as status 124
    /// (a hang is a failure like any other). `environment` is added to the test's own.
    static func run(_ executable: URL, _ arguments: [String], timeout: Double = 300,
                    environment: [String: String] = [:]) throws -> CommandLineRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.currentDirectoryURL = repository
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        defer { watchdog.cancel() }
        // Read both pipes before waiting, so that a chatty process cannot block on a full pipe.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let hung = process.terminationReason == .uncaughtSignal && !watchdog.isCancelled && process.terminationStatus == SIGTERM
        return CommandLineRun(status: hung ? 124 : process.terminationStatus,
                              stdout: String(decoding: outData, as: UTF8.self),
                              stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Non-empty lines of stderr.
    var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// Where the MNIST files are expected, and whether they are there.
enum MNISTLocation {
    static let directory = ProcessInfo.processInfo.environment["EDGEQUANT_MNIST"]
        ?? CommandLineRun.repository.deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path
    static var isPresent: Bool {
        FileManager.default.fileExists(atPath: directory + "/t10k-images-idx3-ubyte.gz")
            || FileManager.default.fileExists(atPath: directory + "/t10k-images-idx3-ubyte")
    }
}
