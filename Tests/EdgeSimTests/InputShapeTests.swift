import DigitImage
import EdgeSim
import Foundation
import ModelFormat
import ModelImport
import TestSupport
import Testing

/// Models whose input is not 28x28x1 (LeNet's 32x32x1, three gray channels) through every tool that feeds images:
/// `edge-sim run` (PNGs), `compare` and `evaluate` (MNIST), the converter's calibration (MNIST and PNGs). The expected
/// inputs are built here by hand (zero pad, channel copies), not by the adapter under test.
@Suite("Model input shapes")
struct InputShapeTests {
    static let shapes = [[32, 32, 1], [28, 28, 3]]

    /// A seeded `digitClassifier` of `shape` as model.bin, and its data-free .q8, in a fresh folder.
    struct Models {
        let folder: URL
        let graph: FloatGraph
        let bin: String
        let q8: String
        var shape: DigitInputShape { DigitInputShape(tensorShape: graph.tensors[graph.input].shape)! }

        init(_ shape: [Int], quantize: Bool = true) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("input-shape-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            graph = try SampleGraphs.digitClassifier(height: shape[0], width: shape[1], channels: shape[2])
            bin = folder.appendingPathComponent("model.bin").path
            q8 = folder.appendingPathComponent("model.q8").path
            try Data(ModelBinary.encode(graph)).write(to: URL(fileURLWithPath: bin))
            if quantize {
                let made = try CommandLineRun.run(CommandLineRun.executable("quantize"), [bin, "-o", q8])
                try #require(made.status == 0, "stderr: \(made.stderr)")
            }
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    /// `image` (28x28) as the input of `shape`, by hand: centred in zeros, each pixel copied into every channel.
    static func handMade(_ image: GrayImage, _ shape: DigitInputShape) -> (image: [UInt8], tensor: [Float]) {
        let top = (shape.height - 28) / 2, left = (shape.width - 28) / 2
        var pixels = [UInt8](repeating: 0, count: shape.height * shape.width)
        for y in 0..<28 { for x in 0..<28 { pixels[(y + top) * shape.width + x + left] = image[x: x, y: y] } }
        return (pixels, pixels.flatMap { [Float](repeating: Float($0) / 255, count: shape.channels) })
    }

    static func argmax(_ s: [Float]) -> Int { s.indices.max { s[$0] < s[$1] } ?? -1 }

    struct TensorOutput: Decodable {
        struct Item: Decodable { var file: String; var scores: [Float]; var input_int8: [Int8]?; var output_int8: [Int8]? }
        var predictions: [Item]
    }

    @Test(arguments: shapes)
    func runPreparesPNGsToTheModelsShape(shape: [Int]) throws {
        let models = try Models(shape)
        defer { models.remove() }
        let samples = try RunCommandTests.samples()
        let seen = models.folder.appendingPathComponent("seen")
        let run = try CommandLineRun.edgeSim(["run", "--model", models.q8, "--json", "--tensors", "--save-input", seen.path] + samples)
        try #require(run.status == 0, "stderr: \(run.stderr)")
        let int8 = try JSONDecoder().decode(TensorOutput.self, from: Data(run.stdout.utf8)).predictions
        let float = try CommandLineRun.edgeSim(["run", "--model", models.bin, "--json"] + samples)
        try #require(float.status == 0, "stderr: \(float.stderr)")
        let floats = try JSONDecoder().decode(TensorOutput.self, from: Data(float.stdout.utf8)).predictions
        var classifier = try FloatClassifier(graph: models.graph, file: "graph")
        try #require(int8.count == samples.count && floats.count == samples.count)
        for (k, sample) in samples.enumerated() {
            let expected = Self.handMade(DigitPreprocessor.mnistStyle(try ImageFile.readPNG(path: CommandLineRun.repository.appendingPathComponent(sample).path)), models.shape)
            let name = URL(fileURLWithPath: sample).deletingPathExtension().lastPathComponent + ".png"
            let saved = try ImageFile.readPNG(path: seen.appendingPathComponent(name).path)
            #expect(saved.width == shape[1] && saved.height == shape[0] && saved.pixels == expected.image, "\(sample)")
            // The .q8's input quantization takes pixels: q = pixel - 128, in every channel.
            let input = try #require(int8[k].input_int8)
            #expect(input.count == models.shape.elements)
            #expect(input.map(Int.init) == expected.image.flatMap { [Int](repeating: Int($0) - 128, count: shape[2]) }, "\(sample)")
            #expect(floats[k].scores == classifier.scores(expected.tensor), "\(sample)")
        }
    }

    @Test(arguments: shapes)
    func compareAndEvaluateReadMNISTIntoTheModelsShape(shape: [Int]) throws {
        guard MNISTLocation.isPresent else {
            print("skipped: MNIST not found at \(MNISTLocation.directory)")
            return
        }
        let models = try Models(shape)
        defer { models.remove() }
        let limit = 60
        let comparison = try Comparison(floatPath: models.bin, int8Path: models.q8, dataDirectory: MNISTLocation.directory, limit: limit,
                                        workers: 2, showProgress: false)
        let dataset = try MNISTDataset(directory: MNISTLocation.directory, split: .test, limit: limit)
        var classifier = try FloatClassifier(graph: models.graph, file: "graph")
        var scorer = Int8Scorer(try SharedModelBytes(path: models.q8))
        for i in 0..<limit {
            let input = Self.handMade(dataset.image(at: i), models.shape).tensor
            #expect(comparison.float.predictions[i] == Self.argmax(classifier.scores(input)), "float, image \(i)")
            #expect(comparison.int8.predictions[i] == Self.argmax(scorer.scores(input)), "int8, image \(i)")
        }
        let how = shape == [32, 32, 1] ? "MNIST 28x28 padded to 32x32x1" : "MNIST 28x28 as it is (28x28x3) (gray in every channel)"
        #expect(comparison.input.description == how)

        let text = try CommandLineRun.edgeSim(["compare", "--float", models.bin, "--int8", models.q8, "--data", MNISTLocation.directory,
                                              "--limit", "\(limit)"])
        try #require(text.status == 0, "stderr: \(text.stderr)")
        #expect(text.stdout.hasPrefix("input             \(how)\n"), "\(text.stdout)")
        #expect(text.stdout.contains("float32 accuracy") && text.stdout.contains("(\(comparison.int8.correct) correct)"))

        struct Evaluation: Decodable { var input: String; var images: Int; var correct: Int }
        for (model, correct) in [(models.bin, comparison.float.correct), (models.q8, comparison.int8.correct)] {
            let run = try CommandLineRun.edgeSim(["evaluate", "--model", model, "--data", MNISTLocation.directory, "--limit", "\(limit)", "--json"])
            try #require(run.status == 0, "stderr: \(run.stderr)")
            let evaluation = try JSONDecoder().decode(Evaluation.self, from: Data(run.stdout.utf8))
            #expect(evaluation.input == how && evaluation.images == limit && evaluation.correct == correct, "\(model)")
            let plain = try CommandLineRun.edgeSim(["evaluate", "--model", model, "--data", MNISTLocation.directory, "--limit", "\(limit)"])
            #expect(plain.stdout.hasSuffix("; input \(how)\n"), "\(plain.stdout)")
        }
    }

    @Test func calibrationReadsMNISTIntoTheModelsShape() throws {
        guard MNISTLocation.isPresent else {
            print("skipped: MNIST not found at \(MNISTLocation.directory)")
            return
        }
        let models = try Models([32, 32, 1], quantize: false)
        defer { models.remove() }
        let made = try CommandLineRun.run(CommandLineRun.executable("quantize"),
                                          [models.bin, "--calibration", MNISTLocation.directory, "--calibration-count", "20", "-o", models.q8])
        try #require(made.status == 0, "stderr: \(made.stderr)")
        #expect(made.stdout.contains("20 MNIST training images from \(MNISTLocation.directory) (MNIST 28x28 padded to 32x32x1)"), "\(made.stdout)")
        let calibration = try CalibrationImages(directory: MNISTLocation.directory, count: 3, shape: models.shape)
        let train = try MNISTDataset(directory: MNISTLocation.directory, split: .train, limit: 3)
        #expect(calibration.samples == (0..<3).map { Self.handMade(train.image(at: $0), models.shape).tensor })
    }

    @Test func calibrationFromPNGsAtTheModelsShape() throws {
        let models = try Models([28, 28, 3], quantize: false)
        defer { models.remove() }
        let made = try CommandLineRun.run(CommandLineRun.executable("quantize"), [models.bin, "--calibration", "Samples/digits", "-o", models.q8])
        try #require(made.status == 0, "stderr: \(made.stderr)")
        #expect(made.stdout.contains("(prepared MNIST-style in 28x28, then as it is (28x28x3) (gray in every channel))"), "\(made.stdout)")
        let run = try CommandLineRun.edgeSim(["run", "--model", models.q8, "--json", "--tensors"] + (try RunCommandTests.samples().prefix(2)))
        try #require(run.status == 0, "stderr: \(run.stderr)")
        #expect(try JSONDecoder().decode(TensorOutput.self, from: Data(run.stdout.utf8)).predictions.allSatisfy { $0.input_int8?.count == 28 * 28 * 3 })
    }

    /// `--input-normalization` reaches the float model of run (and compare): the scores are those of the graph
    /// normalizing pixel / 255, not those of the graph without it.
    @Test func inputNormalizationReachesTheFloatModel() throws {
        let models = try Models([32, 32, 1])
        defer { models.remove() }
        let samples = Array(try RunCommandTests.samples().prefix(3))
        let plain = try CommandLineRun.edgeSim(["run", "--model", models.bin, "--json"] + samples)
        let normalized = try CommandLineRun.edgeSim(["run", "--model", models.bin, "--json", "--input-normalization", "0.1307,0.3081"] + samples)
        try #require(plain.status == 0 && normalized.status == 0, "stderr: \(plain.stderr) \(normalized.stderr)")
        var graph = models.graph
        graph.inputNormalization = InputNormalization(mean: 0.1307, std: 0.3081)
        var classifier = try FloatClassifier(graph: graph, file: "graph")
        let withFlag = try JSONDecoder().decode(TensorOutput.self, from: Data(normalized.stdout.utf8)).predictions
        let without = try JSONDecoder().decode(TensorOutput.self, from: Data(plain.stdout.utf8)).predictions
        for (k, sample) in samples.enumerated() {
            let expected = Self.handMade(DigitPreprocessor.mnistStyle(try ImageFile.readPNG(path: CommandLineRun.repository.appendingPathComponent(sample).path)), models.shape)
            #expect(withFlag[k].scores == classifier.scores(expected.tensor))
            #expect(withFlag[k].scores != without[k].scores)
        }
        guard MNISTLocation.isPresent else {
            print("skipped: compare --input-normalization (MNIST not found at \(MNISTLocation.directory))")
            return
        }
        let compare = try CommandLineRun.edgeSim(["compare", "--float", models.bin, "--int8", models.q8, "--data", MNISTLocation.directory,
                                                 "--limit", "20", "--input-normalization", "0.1307,0.3081"])
        try #require(compare.status == 0, "stderr: \(compare.stderr)")
        #expect(compare.stdout.hasPrefix("input             MNIST 28x28 padded to 32x32x1; float model normalizes mean 0.1307, std 0.3081 (--input-normalization)\n"),
                "\(compare.stdout)")
    }
}

/// `compare --float FILE --int8 m.q8` without the flag, FILE recording none: the float model takes the normalization
/// the .q8 records (quantize folded it in), so both models see the same input.
@Suite("compare takes the .q8's normalization")
struct CompareRecordedNormalizationTests {
    @Test func floatModelTakesTheQ8sNormalization() throws {
        guard MNISTLocation.isPresent else {
            print("skipped: MNIST not found at \(MNISTLocation.directory)")
            return
        }
        let models = try InputShapeTests.Models([32, 32, 1], quantize: false)
        defer { models.remove() }
        let made = try CommandLineRun.run(CommandLineRun.executable("quantize"), [models.bin, "--input-normalization", "0.1307,0.3081", "-o", models.q8])
        try #require(made.status == 0, "stderr: \(made.stderr)")
        let comparison = try Comparison(floatPath: models.bin, int8Path: models.q8, dataDirectory: MNISTLocation.directory, limit: 30,
                                        workers: 2, showProgress: false)
        #expect(comparison.normalizationSource == "recorded in \(models.q8)")
        var graph = models.graph
        graph.inputNormalization = InputNormalization(mean: 0.1307, std: 0.3081)
        var classifier = try FloatClassifier(graph: graph, file: "graph")
        let dataset = try MNISTDataset(directory: MNISTLocation.directory, split: .test, limit: 30)
        for i in 0..<30 {
            #expect(comparison.float.predictions[i] == InputShapeTests.argmax(classifier.scores(InputShapeTests.handMade(dataset.image(at: i), models.shape).tensor)))
        }
        let text = try CommandLineRun.edgeSim(["compare", "--float", models.bin, "--int8", models.q8, "--data", MNISTLocation.directory, "--limit", "30"])
        try #require(text.status == 0, "stderr: \(text.stderr)")
        #expect(text.stdout.hasPrefix("input             MNIST 28x28 padded to 32x32x1; float model normalizes mean 0.1307, std 0.3081 (recorded in \(models.q8))\n"),
                "\(text.stdout)")
    }
}

/// Inputs the tools cannot feed, and malformed normalizations: one line naming the file (or the flag), non-zero
/// status, nothing on stdout, no output file.
@Suite("Model input shape refusals")
struct InputShapeRefusalTests {
    func expectOneLineError(_ arguments: [String], tool executable: String = "edge-sim", status: Int32? = nil, mentioning needles: [String]) throws {
        let run = try CommandLineRun.run(CommandLineRun.executable(executable), arguments)
        #expect(run.status != 0 && run.status <= 100, "status \(run.status)")
        if let status { #expect(run.status == status, "status \(run.status), stderr \(run.stderr)") }
        #expect(run.stdout.isEmpty, "stdout: \(run.stdout)")
        #expect(run.errorLines.count == 1, "stderr: \(run.stderr)")
        for needle in needles { #expect(run.stderr.contains(needle), "stderr: \(run.stderr)") }
    }

    @Test(arguments: [[28, 28, 2], [7, 7, 1]])
    func inputsThatAreNoDigitImageAreRefused(shape: [Int]) throws {
        let models = try InputShapeTests.Models(shape)
        defer { models.remove() }
        let sample = try RunCommandTests.samples()[0]
        let named = "model input is [1, \(shape[0]), \(shape[1]), \(shape[2])], a digit model takes [1, H, W, C] with H and W in 8...256 and C 1 or 3"
        try expectOneLineError(["run", "--model", models.bin, sample], mentioning: ["\(models.bin): \(named)"])
        try expectOneLineError(["run", "--model", models.q8, sample],
                               mentioning: ["\(models.q8): model input is \(shape[0])x\(shape[1])x\(shape[2]), a digit model takes"])
        try expectOneLineError(["evaluate", "--model", models.bin, "--data", MNISTLocation.directory, "--limit", "5"], mentioning: ["\(models.bin): \(named)"])
        let q8 = models.folder.appendingPathComponent("calibrated.q8").path
        try expectOneLineError([models.bin, "--calibration", "Samples/digits", "-o", q8], tool: "quantize",
                               mentioning: ["\(models.bin): model input is [1, \(shape[0]), \(shape[1]), \(shape[2])]; calibration images need one where a digit model takes"])
        #expect(!FileManager.default.fileExists(atPath: q8))
    }

    @Test func compareRefusesModelsOfDifferentShapes() throws {
        let small = try InputShapeTests.Models([28, 28, 1]), large = try InputShapeTests.Models([32, 32, 1])
        defer { small.remove(); large.remove() }
        try expectOneLineError(["compare", "--float", large.bin, "--int8", small.q8, "--data", MNISTLocation.directory, "--limit", "5"],
                               mentioning: ["\(small.q8): model input is 28x28x1, the float model \(large.bin) takes 32x32x1: not a conversion of it"])
    }

    @Test func rawImagesOfAnotherSizeAreRefused() throws {
        let models = try InputShapeTests.Models([32, 32, 1])
        defer { models.remove() }
        let sample = try RunCommandTests.samples()[0]  // not 28x28 and not 32x32
        let image = try ImageFile.readPNG(path: CommandLineRun.repository.appendingPathComponent(sample).path)
        try #require(image.width != 28 && image.width != 32)
        try expectOneLineError(["run", "--model", models.q8, "--raw", sample],
                               mentioning: ["\(sample): image is \(image.width)x\(image.height) pixels; a raw input for this 32x32x1 model must be 28x28"])
    }

    static let malformed = ["abc", "0.1", "0.1,0", "0.1,-0.3", "nan,1", "0.1,inf", "0.1,0.3,1", ",", "0.1;0.3"]

    @Test(arguments: malformed)
    func malformedNormalizationsAreRefused(value: String) throws {
        let models = try InputShapeTests.Models([28, 28, 1])
        defer { models.remove() }
        let sample = try RunCommandTests.samples()[0]
        let needle = "--input-normalization '\(value)': give MEAN,STD as two numbers with STD > 0"
        let out = models.folder.appendingPathComponent("out.q8").path
        try expectOneLineError([models.bin, "--input-normalization", value, "-o", out], tool: "quantize", status: 64, mentioning: [needle])
        #expect(!FileManager.default.fileExists(atPath: out))
        try expectOneLineError(["run", "--model", models.bin, "--input-normalization", value, sample], status: 64, mentioning: [needle])
        try expectOneLineError(["evaluate", "--model", models.bin, "--input-normalization", value], status: 64, mentioning: [needle])
        try expectOneLineError(["compare", "--float", models.bin, "--int8", models.q8, "--input-normalization", value], status: 64, mentioning: [needle])
    }

    @Test func normalizationOfAnInt8ModelIsRefused() throws {
        let models = try InputShapeTests.Models([28, 28, 1])
        defer { models.remove() }
        let needle = "\(models.q8): --input-normalization applies to float models; an int8 .q8 takes pixels"
        try expectOneLineError(["run", "--model", models.q8, "--input-normalization", "0.1307,0.3081", try RunCommandTests.samples()[0]], mentioning: [needle])
        try expectOneLineError(["evaluate", "--model", models.q8, "--input-normalization", "0.1307,0.3081", "--data", MNISTLocation.directory],
                               mentioning: [needle])
    }
}

/// Firmware-Sim/run feeds a 32x32x1 and a 28x28x3 model: the host prepares every input with the same adapter (through
/// `edge-sim run --tensors`), the firmware runs it on QEMU Cortex-M4, and its logits equal the host's byte for byte.
/// Builds firmware (minutes on a loaded machine): runs only with EDGEQUANT_FIRMWARE=1 and qemu-system-arm present.
@Suite("Firmware-Sim input shapes")
struct FirmwareInputShapeTests {
    @Test(arguments: InputShapeTests.shapes)
    func firmwareMatchesTheHost(shape: [Int]) throws {
        guard ProcessInfo.processInfo.environment["EDGEQUANT_FIRMWARE"] == "1",
              FileManager.default.isExecutableFile(atPath: "/usr/bin/qemu-system-arm") else {
            print("skipped: Firmware-Sim input shapes (set EDGEQUANT_FIRMWARE=1, needs qemu-system-arm)")
            return
        }
        let models = try InputShapeTests.Models(shape)
        defer { models.remove() }
        let samples = try RunCommandTests.samples()
        let mnist = MNISTLocation.isPresent ? ["--mnist", "5", "--data", MNISTLocation.directory] : []
        let run = try CommandLineRun.run(URL(fileURLWithPath: "/usr/bin/env"),
                                         ["python3", "Firmware-Sim/run", "--model", models.q8, "--quiet"] + mnist + samples,
                                         timeout: 1800, environment: ["EDGE_SIM": CommandLineRun.executable("edge-sim").path])
        let images = samples.count + (mnist.isEmpty ? 0 : 5)
        print("Firmware-Sim \(shape): " + (run.stdout.split(separator: "\n").last.map(String.init) ?? run.stderr))
        #expect(run.status == 0, "stdout: \(run.stdout) stderr: \(run.stderr)")
        #expect(run.stdout.contains("bit-exact \(images)/\(images),"), "\(run.stdout)")
    }
}
