import ArgumentParser
import CommandLineSupport

/// The edge-sim command line: run digit models on images, inside a simulated board.
@main
struct EdgeSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-sim",
        abstract: "Run EdgeQuant digit models on images and measure them.",
        subcommands: [RunCommand.self, CompareCommand.self, EvaluateCommand.self, DemoCommand.self, InspectCommand.self]
    )

    static func main() { mainWithOneLineErrors() }
}
