import DigitImage
import Foundation
import ModelFormat
import Testing

/// Hostile and malformed input to both command lines: every case must end with exactly one line on stderr that
/// names the file and the problem, an exit status from 1 to 100, nothing on stdout, no output file left
/// behind, and within a time limit (nothing hangs).
@Suite("bad-input suite")
struct BadInputSuiteTests {
    /// A fresh scratch folder holding the crafted inputs of one test.
    final class Scratch {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("edgequant-bad-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: url) }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        @discardableResult
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            try Data(bytes).write(to: url.appendingPathComponent(name))
            return path(name)
        }
    }

    static func shipped(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: CommandLineRun.repository.appendingPathComponent(name)))
    }

    /// Runs a tool and checks the contract; `mentioning` must all appear in the one error line.
    func expectRejected(_ tool: String, _ arguments: [String], mentioning needles: [String], noFile output: String? = nil,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let run = try CommandLineRun.run(CommandLineRun.executable(tool), arguments, timeout: 120)
        #expect(run.status >= 1 && run.status <= 100, "status \(run.status); stderr: \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stdout.isEmpty, "stdout: \(run.stdout)", sourceLocation: sourceLocation)
        #expect(run.errorLines.count == 1, "stderr: \(run.stderr)", sourceLocation: sourceLocation)
        for needle in needles {
            #expect(run.stderr.contains(needle), "missing '\(needle)' in: \(run.stderr)", sourceLocation: sourceLocation)
        }
        if let output {
            #expect(!FileManager.default.fileExists(atPath: output), "\(output) was left behind", sourceLocation: sourceLocation)
            let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.contains(".tmp") } ?? []
            #expect(leftovers.isEmpty, "temporary files left: \(leftovers)", sourceLocation: sourceLocation)
        }
    }

    // MARK: model files, through quantize and edge-sim

    @Test func brokenModelBinFiles() throws {
        let scratch = try Scratch()
        let good = try Self.shipped("Models/vgg-mnist.bin")
        var flipped = good
        flipped[good.count / 2] ^= 0x40
        var badVersion = good
        badVersion[4] = 99
        let cases: [(String, [UInt8], [String])] = [
            ("truncated.bin", Array(good.prefix(5000)), ["truncated"]),
            ("flipped.bin", flipped, ["CRC"]),
            ("magic.bin", Array("NOPE".utf8) + good.dropFirst(4), ["magic"]),
            ("version.bin", badVersion, ["version"]),
            ("empty.bin", [], ["empty.bin"]),
            ("tiny.bin", [0x45, 0x51], ["tiny.bin"]),
        ]
        let output = scratch.path("out.q8")
        for (name, bytes, needles) in cases {
            let file = try scratch.write(name, bytes)
            try expectRejected("quantize", [file, "-o", output], mentioning: [name] + needles, noFile: output)
            try expectRejected("edge-sim", ["run", "--model", file, "Samples/digits/2-bilevel-gray1-96x96.png"], mentioning: [name])
        }
        try expectRejected("quantize", [scratch.url.path, "-o", output], mentioning: ["directory"], noFile: output)
    }

    @Test func nanWeightsAreNamed() throws {
        let scratch = try Scratch()
        var graph = try ModelBinary.decode(try Self.shipped("Models/vgg-mnist.bin"))
        let victim = try #require(graph.tensors.firstIndex { $0.data != nil && $0.name.contains("kernel") })
        graph.tensors[victim].data![3] = .nan
        // The encoder may refuse NaN itself; then the bytes are patched by hand with a fresh CRC.
        let bytes: [UInt8]
        if let encoded = try? ModelBinary.encode(graph) {
            bytes = encoded
        } else {
            var clean = try Self.shipped("Models/vgg-mnist.bin")
            let value = try #require(try ModelBinary.decode(clean).tensors[victim].data?[3])
            let pattern = withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) }
            let at = try #require((0...(clean.count - 8)).first { Array(clean[$0..<($0 + 4)]) == pattern })
            withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { for k in 0..<4 { clean[at + k] = $0[k] } }
            let crc = clean.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<(clean.count - 4)])) }
            withUnsafeBytes(of: crc.littleEndian) { for k in 0..<4 { clean[clean.count - 4 + k] = $0[k] } }
            bytes = clean
        }
        let file = try scratch.write("nan.bin", bytes)
        try expectRejected("quantize", [file, "-o", scratch.path("out.q8")], mentioning: ["nan.bin", graph.tensors[victim].name],
                           noFile: scratch.path("out.q8"))
    }

    @Test func brokenQ8Files() throws {
        let scratch = try Scratch()
        let model = scratch.path("good.q8")
        let made = try CommandLineRun.run(CommandLineRun.executable("quantize"), ["Models/vgg-mnist.bin", "-o", model, "--json"])
        try #require(made.status == 0, "quantize failed: \(made.stderr)")
        let good = Array(try Data(contentsOf: URL(fileURLWithPath: model)))
        var flipped = good
        flipped[good.count / 3] ^= 0x01
        let cases: [(String, [UInt8], String)] = [
            ("truncated.q8", Array(good.prefix(good.count - 100)), "size"),
            ("flipped.q8", flipped, "CRC"),
            ("header-only.q8", Array(good.prefix(64)), "size"),
        ]
        for (name, bytes, needle) in cases {
            let file = try scratch.write(name, bytes)
            try expectRejected("edge-sim", ["run", "--model", file, "Samples/digits/2-bilevel-gray1-96x96.png"], mentioning: [name, needle])
        }
    }

    // MARK: PNG images

    /// A PNG chunk with its CRC.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = body.withUnsafeBytes { CRC32.checksum($0) }
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func header(width: UInt32, height: UInt32, depth: UInt8 = 8, colorType: UInt8 = 0) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", bigEndian(width) + bigEndian(height) + [depth, colorType, 0, 0, 0])
    }

    @Test func hostilePNGs() throws {
        let scratch = try Scratch()
        let good = try PNG.encode(try #require(GrayImage(width: 28, height: 28, pixels: [UInt8](repeating: 200, count: 784))))
        var badCRC = good
        badCRC[good.count - 20] ^= 0xFF
        // Zlib data claiming far more than the header allows would be a bomb; an 8192x8192 16-bit RGBA header
        // (512 MiB decoded) must be refused from the header alone, before anything is inflated.
        let bomb = Self.header(width: 8192, height: 8192, depth: 16, colorType: 6) + Self.chunk("IDAT", [0x78, 0x9C, 0x03, 0x00]) + Self.chunk("IEND", [])
        let cases: [(String, [UInt8])] = [
            ("huge.png", Self.header(width: 100_000, height: 100_000) + Self.chunk("IEND", [])),
            ("zero.png", Self.header(width: 0, height: 10) + Self.chunk("IEND", [])),
            ("bomb.png", bomb),
            ("bad-crc.png", badCRC),
            ("short.png", Array(good.prefix(good.count / 2))),
            ("no-data.png", Self.header(width: 28, height: 28) + Self.chunk("IEND", [])),
            ("corrupt-data.png", Self.header(width: 28, height: 28) + Self.chunk("IDAT", [0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0x00]) + Self.chunk("IEND", [])),
            ("empty.png", []),
            ("text.png", Array("this is not a PNG\n".utf8)),
        ]
        let saved = scratch.url.appendingPathComponent("seen").path
        try FileManager.default.createDirectory(atPath: saved, withIntermediateDirectories: true)
        for (name, bytes) in cases {
            let file = try scratch.write(name, bytes)
            // A good image first: nothing may be saved for it either when a later one fails.
            try expectRejected("edge-sim", ["run", "--model", "Models/vgg-mnist.bin", "--save-input", saved,
                                            "Samples/digits/2-bilevel-gray1-96x96.png", file], mentioning: [name])
            #expect(try FileManager.default.contentsOfDirectory(atPath: saved).isEmpty, "\(name): inputs were saved")
        }
        try expectRejected("edge-sim", ["run", "--model", "Models/vgg-mnist.bin", scratch.url.path], mentioning: [scratch.url.lastPathComponent])
    }

    // MARK: data folders, boards, outputs

    @Test func foldersThatAreNotMNIST() throws {
        let scratch = try Scratch()
        let notMNIST = scratch.url.appendingPathComponent("not-mnist")
        try FileManager.default.createDirectory(at: notMNIST, withIntermediateDirectories: true)
        try Data("hello".utf8).write(to: notMNIST.appendingPathComponent("readme.txt"))
        let fakeIDX = scratch.url.appendingPathComponent("fake-idx")
        try FileManager.default.createDirectory(at: fakeIDX, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            try Data([0, 0, 8, 3, 0, 0, 0, 9]).write(to: fakeIDX.appendingPathComponent(name))
        }
        let output = scratch.path("out.q8")
        try expectRejected("quantize", ["Models/vgg-mnist.bin", "--calibration", notMNIST.path, "-o", output], mentioning: ["not-mnist"], noFile: output)
        try expectRejected("quantize", ["Models/vgg-mnist.bin", "--calibration", fakeIDX.path, "-o", output], mentioning: ["fake-idx"], noFile: output)
        try expectRejected("edge-sim", ["compare", "--float", "Models/vgg-mnist.bin", "--int8", "Models/vgg-mnist.bin", "--data", notMNIST.path],
                           mentioning: [])
        try expectRejected("edge-sim", ["evaluate", "--model", "Models/vgg-mnist.bin", "--data", fakeIDX.path], mentioning: ["fake-idx"])
    }

    @Test func boardsAndBudgets() throws {
        let scratch = try Scratch()
        let output = scratch.path("out.q8")
        try expectRejected("quantize", ["Models/vgg-mnist.bin", "-o", output, "--board", "esp32"], mentioning: ["esp32"], noFile: output)
        // A board file with a board far too small for the model: run refuses to run it, and says by how much.
        var catalog = try JSONSerialization.jsonObject(with: Data(Self.shipped("Sources/Boards/Resources/boards.json"))) as! [String: Any]
        catalog["boards"] = [["name": "tiny", "mcu": "a tiny part", "core": "cortex-m4f", "clock_mhz": 48,
                              "sram_bytes": 16384, "flash_bytes": 65536]]
        let boards = try scratch.write("boards.json", Array(try JSONSerialization.data(withJSONObject: catalog)))
        let q8 = scratch.path("resnet.q8")
        let made = try CommandLineRun.run(CommandLineRun.executable("quantize"), ["Models/resnet-mnist.bin", "-o", q8, "--json"])
        try #require(made.status == 0, "quantize failed: \(made.stderr)")
        try expectRejected("edge-sim", ["run", "--model", q8, "--boards", boards, "--board", "tiny", "Samples/digits/2-bilevel-gray1-96x96.png"],
                           mentioning: ["resnet.q8", "tiny"])
        let garbage = try scratch.write("garbage.json", Array("{ not json".utf8))
        try expectRejected("edge-sim", ["run", "--model", q8, "--boards", garbage, "Samples/digits/2-bilevel-gray1-96x96.png"], mentioning: ["garbage.json"])
    }

    @Test func unwritableOutputs() throws {
        let scratch = try Scratch()
        // A path under a regular file cannot be created, even by root.
        let underFile = "README.md/out.q8"
        try expectRejected("quantize", ["Models/vgg-mnist.bin", "-o", underFile], mentioning: [underFile])
        try expectRejected("quantize", ["Models/vgg-mnist.bin", "-o", scratch.path("x.q8"), "--plan-svg", "README.md/plan.svg"],
                           mentioning: ["README.md/plan.svg"], noFile: scratch.path("x.q8"))
        try expectRejected("edge-sim", ["run", "--model", "Models/vgg-mnist.bin", "--save-input", "README.md/seen",
                                        "Samples/digits/2-bilevel-gray1-96x96.png"], mentioning: ["README.md/seen"])
    }

    @Test func badFlags() throws {
        try expectRejected("quantize", ["Models/vgg-mnist.bin", "--calibration-count", "0"], mentioning: ["--calibration-count"])
        try expectRejected("quantize", ["Models/vgg-mnist.bin", "--method", "magic"], mentioning: ["magic"])
        try expectRejected("edge-sim", ["run", "--model", "Models/vgg-mnist.bin"], mentioning: ["image"])
        try expectRejected("edge-sim", ["evaluate", "--model", "Models/vgg-mnist.bin", "--cores", "0"], mentioning: ["--cores"])
        try expectRejected("edge-sim", ["frobnicate"], mentioning: ["frobnicate"])
    }
}
