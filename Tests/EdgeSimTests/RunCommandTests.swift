import DigitImage
import Foundation
import Testing

/// `edge-sim run` end to end: the real executable on the shipped models and samples.
@Suite("edge-sim run")
struct RunCommandTests {
    static let models = ["Models/vgg-mnist.bin", "Models/resnet-mnist.bin"]

    static func samples() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: CommandLineRun.repository.appendingPathComponent("Samples/digits").path)
            .filter { $0.hasSuffix(".png") }.sorted().map { "Samples/digits/" + $0 }
    }

    @Test(arguments: models)
    func predictsEverySampleRight(model: String) throws {
        let samples = try Self.samples()
        #expect(samples.count >= 12)
        let run = try CommandLineRun.edgeSim(["run", "--model", model, "--json"] + samples)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        struct Output: Decodable {
            struct Item: Decodable { var file: String; var digit: Int; var confidence: Float; var scores: [Float] }
            var predictions: [Item]
        }
        let output = try JSONDecoder().decode(Output.self, from: Data(run.stdout.utf8))
        #expect(output.predictions.map(\.file) == samples)
        for item in output.predictions {
            let label = URL(fileURLWithPath: item.file).lastPathComponent.first!.wholeNumberValue!
            #expect(item.digit == label, "\(item.file) read as \(item.digit) by \(model)")
            #expect(item.scores.count == 10)
            #expect(abs(item.scores.reduce(0, +) - 1) < 1e-4)
            #expect(item.confidence == item.scores.max())
        }
    }

    @Test func textOutputHasOneLinePerImage() throws {
        let samples = Array(try Self.samples().prefix(3))
        let run = try CommandLineRun.edgeSim(["run", "--model", Self.models[1]] + samples)
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        for (line, sample) in zip(lines, samples) { #expect(line.hasPrefix("\(sample): ")) }
    }

    struct TensorOutput: Decodable {
        struct Item: Decodable { var file: String; var scores: [Float]; var input_int8: [Int8]; var output_int8: [Int8] }
        var predictions: [Item]
    }

    /// The saved PNGs hold exactly the pixels the model ran on: with the .q8's input quantization (scale 1/255,
    /// zero point -128) each int8 input byte is the pixel - 128, so every saved pixel is compared with the input
    /// tensor the runtime reported (`--tensors`); the float model saves the same files; and the saved files fed
    /// back with --raw give the same input tensors and logits.
    @Test func saveInputWritesWhatTheModelSaw() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edge-sim-inputs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let q8 = folder.appendingPathComponent("resnet.q8").path
        let made = try CommandLineRun.run(CommandLineRun.executable("quantize"), [Self.models[1], "-o", q8])
        try #require(made.status == 0, "stderr: \(made.stderr)")
        let samples = try Self.samples()
        let seen = folder.appendingPathComponent("seen"), floatSeen = folder.appendingPathComponent("float-seen")

        let run = try CommandLineRun.edgeSim(["run", "--model", q8, "--json", "--tensors", "--save-input", seen.path] + samples)
        try #require(run.status == 0, "stderr: \(run.stderr)")
        let first = try JSONDecoder().decode(TensorOutput.self, from: Data(run.stdout.utf8)).predictions
        let names = samples.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent + ".png" }
        #expect(try FileManager.default.contentsOfDirectory(atPath: seen.path).sorted() == names.sorted())
        #expect(first.map(\.file) == samples)
        for (item, name) in zip(first, names) {
            let image = try ImageFile.readPNG(path: seen.appendingPathComponent(name).path)
            #expect(image.width == 28 && image.height == 28 && item.input_int8.count == 784)
            #expect(image.pixels.map { Int($0) - 128 } == item.input_int8.map { Int($0) }, "\(name)")
            // Not a blank frame: a digit's worth of ink.
            #expect(image.pixels.filter { $0 > 127 }.count > 40, "\(name)")
        }

        let float = try CommandLineRun.edgeSim(["run", "--model", Self.models[1], "--save-input", floatSeen.path] + samples)
        try #require(float.status == 0, "stderr: \(float.stderr)")
        for name in names {
            #expect(FileManager.default.contentsEqual(atPath: seen.appendingPathComponent(name).path,
                                                      andPath: floatSeen.appendingPathComponent(name).path), "\(name)")
        }

        let again = try CommandLineRun.edgeSim(["run", "--model", q8, "--raw", "--json", "--tensors"]
                                               + names.map { seen.appendingPathComponent($0).path })
        try #require(again.status == 0, "stderr: \(again.stderr)")
        let second = try JSONDecoder().decode(TensorOutput.self, from: Data(again.stdout.utf8)).predictions
        #expect(second.map(\.input_int8) == first.map(\.input_int8))
        #expect(second.map(\.output_int8) == first.map(\.output_int8))
    }
}

/// Bad input to `edge-sim run`: a one-line error naming the file, a non-zero status, nothing on stdout.
@Suite("edge-sim run errors")
struct RunCommandErrorTests {
    func expectOneLineError(_ arguments: [String], mentioning needle: String) throws {
        let run = try CommandLineRun.edgeSim(arguments)
        #expect(run.status != 0 && run.status <= 100, "status \(run.status)")
        #expect(run.stdout.isEmpty, "stdout: \(run.stdout)")
        #expect(run.errorLines.count == 1, "stderr: \(run.stderr)")
        #expect(run.stderr.contains(needle), "stderr: \(run.stderr)")
    }

    @Test func missingModel() throws {
        try expectOneLineError(["run", "--model", "Models/nope.bin", "Samples/digits/" + (try RunCommandTests.samples()[0].split(separator: "/").last!)],
                               mentioning: "Models/nope.bin: no such file")
    }

    @Test func modelThatIsNotAModel() throws {
        try expectOneLineError(["run", "--model", "README.md", try RunCommandTests.samples()[0]], mentioning: "README.md: not a model file EdgeQuant reads")
    }

    @Test func directoryAsModel() throws {
        try expectOneLineError(["run", "--model", "Models", try RunCommandTests.samples()[0]], mentioning: "Models: is a directory")
    }

    @Test func imageThatIsNotAPNG() throws {
        try expectOneLineError(["run", "--model", RunCommandTests.models[0], "Package.swift"], mentioning: "Package.swift")
    }

    @Test func missingImage() throws {
        try expectOneLineError(["run", "--model", RunCommandTests.models[0], "no/such.png"], mentioning: "no/such.png")
    }

    @Test func noImages() throws {
        let run = try CommandLineRun.edgeSim(["run", "--model", RunCommandTests.models[0]])
        #expect(run.status != 0)
    }

    @Test func saveInputIntoAFile() throws {
        try expectOneLineError(["run", "--model", RunCommandTests.models[0], "--save-input", "Package.swift", try RunCommandTests.samples()[0]],
                               mentioning: "Package.swift: exists and is not a directory")
    }
}
