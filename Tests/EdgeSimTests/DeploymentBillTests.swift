import Boards
import Foundation
import Testing

/// The deployment bill (`BoardCatalog.deploymentBill`, behind `quantize --board`, `edge-sim run` and the emit step's
/// README and refusal): what it counts, line by line, and its verdict on the micro:bit's nRF51822 and the Netduino Plus
/// 2's STM32F405, with the library figures of a test fixture and with the ones boards.json records.
@Suite("deployment bill")
struct DeploymentBillTests {
    /// TEST FIXTURE, not a measurement: made-up library figures in the shape Tools/bench/footprint.py writes, so the
    /// arithmetic is checked with literal numbers whatever the shipped catalog records.
    static let fixture = """
    {
      "cores": {
        "cortex-m0": { "library": { "library_code_bytes": 20000, "library_static_sram_bytes": 32, "stack_bytes": 1200,
                                    "machine": "test-fixture", "commit": "fixture", "command": "none: a test fixture",
                                    "models": ["fixture"] } },
        "cortex-m0plus": {},
        "cortex-m4f": { "library": { "library_code_bytes": 40000, "library_static_sram_bytes": 56, "stack_bytes": 2000,
                                     "machine": "test-fixture", "commit": "fixture", "command": "none: a test fixture",
                                     "models": ["fixture"] } }
      },
      "boards": [
        { "name": "nrf51822", "mcu": "nRF51822", "core": "cortex-m0", "clock_mhz": 16, "sram_bytes": 16384, "flash_bytes": 262144 },
        { "name": "stm32f405", "mcu": "STM32F405", "core": "cortex-m4f", "clock_mhz": 168, "sram_bytes": 131072, "flash_bytes": 1048576 },
        { "name": "rp2040", "mcu": "RP2040", "core": "cortex-m0plus", "clock_mhz": 133, "sram_bytes": 270336, "flash_bytes": 2097152 }
      ]
    }
    """

    static func fixtureCatalog() throws -> BoardCatalog {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("boards-fixture-\(UUID().uuidString).json").path
        try fixture.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try BoardCatalog.load(path: path)
    }

    /// nRF51822 (16 KB SRAM, 256 KB flash) with the fixture's Cortex-M0 library (20,000 B code, 32 B statics, 1,200 B
    /// stack): SRAM = arena + 32 + 1,200, so an arena of 15,152 B fills the 16,384 B exactly and one more byte does not fit.
    @Test func nrf51822FitsToTheByte() throws {
        let catalog = try Self.fixtureCatalog()
        let board = try catalog.board(named: "nrf51822")
        let fits = try catalog.deploymentBill(modelBytes: 10_000, arenaBytes: 15_152, core: "cortex-m0", board: board)
        #expect(fits.flashNeeded == 30_000 && fits.sramNeeded == 16_384)
        #expect(fits.fits == true)
        #expect(fits.summary.hasPrefix("fits nrf51822: flash 29.3 KiB of 256.0 KiB, SRAM 16.0 KiB of 16.0 KiB"), "\(fits.summary)")
        #expect(fits.items.map(\.bytes) == [10_000, 20_000, 15_152, 32, 1_200])
        let over = try catalog.deploymentBill(modelBytes: 10_000, arenaBytes: 15_153, core: "cortex-m0", board: board)
        #expect(over.sramNeeded == 16_385 && over.fitsSRAM == false && over.fitsFlash == true && over.fits == false)
        #expect(over.summary.hasPrefix("does NOT fit nrf51822: over SRAM by 1 B ("), "\(over.summary)")
    }

    /// STM32F405 (1 MB flash, 128 KB SRAM counted) with the fixture's Cortex-M4F library (40,000 B code): a model of
    /// 1,008,576 B fills the flash exactly; one more byte is over by 1 B; an arena of 129,016 B fills the SRAM.
    @Test func stm32f405FitsToTheByte() throws {
        let catalog = try Self.fixtureCatalog()
        let board = try catalog.board(named: "stm32f405")
        let fits = try catalog.deploymentBill(modelBytes: 1_008_576, arenaBytes: 129_016, core: "cortex-m4f", board: board)
        #expect(fits.flashNeeded == 1_048_576 && fits.sramNeeded == 131_072 && fits.fits == true)
        let over = try catalog.deploymentBill(modelBytes: 1_008_577, arenaBytes: 17_104, core: "cortex-m4f", board: board)
        #expect(over.flashNeeded == 1_048_577 && over.sramNeeded == 19_160)
        #expect(over.fitsFlash == false && over.fitsSRAM == true && over.fits == false)
        #expect(over.summary.hasPrefix("does NOT fit stm32f405: over flash by 1 B ("), "\(over.summary)")
        // The README's table: every line, then the totals against the board.
        let table = over.markdown
        #expect(table.contains("| model (.q8) | flash | 1,008,577 |"))
        #expect(table.contains("| library code | flash | 40,000 |"))
        #expect(table.contains("| **flash total** | flash | **1,048,577** | needed of 1,048,576 on stm32f405 |"))
        #expect(table.contains("| arena (scratch included) | SRAM | 17,104 |"))
        #expect(table.contains("| library statics | SRAM | 56 |"))
        #expect(table.contains("| stack high-water | SRAM | 2,000 |"))
        #expect(table.contains("| **SRAM total** | SRAM | **19,160** | needed of 131,072 on stm32f405 |"))
        #expect(table.hasSuffix(over.summary))
    }

    /// Without a board the bill still has every line and no verdict; a board of another core is refused (cortex-m0 and
    /// cortex-m0plus share the ARMv6-M library); an unknown core is refused.
    @Test func boardAndCoreMustAgree() throws {
        let catalog = try Self.fixtureCatalog()
        let bill = try catalog.deploymentBill(modelBytes: 10_000, arenaBytes: 8_000, core: "cortex-m4f")
        #expect(bill.fits == nil && bill.flashNeeded == 50_000 && bill.sramNeeded == 10_056)
        #expect(bill.summary.hasPrefix("needs on cortex-m4f: flash 48.8 KiB, SRAM 9.8 KiB"), "\(bill.summary)")
        #expect(throws: BoardError("board 'nrf51822' has a cortex-m0, not a cortex-m4f")) {
            try catalog.deploymentBill(modelBytes: 1, arenaBytes: 1, core: "cortex-m4f", board: try catalog.board(named: "nrf51822"))
        }
        let armv6m = try catalog.deploymentBill(modelBytes: 1, arenaBytes: 1, core: "cortex-m0", board: try catalog.board(named: "rp2040"))
        #expect(armv6m.fits == true && armv6m.flashNeeded == 20_001)
        #expect(throws: BoardError.self) { try catalog.deploymentBill(modelBytes: 1, arenaBytes: 1, core: "cortex-m99") }
    }

    /// A core whose library is not measured (the fixture's cortex-m0plus) gets no verdict unless the model or the arena
    /// alone is too large, and says so.
    @Test func unmeasuredCoreIsNotJudged() throws {
        let catalog = try Self.fixtureCatalog()
        let board = try catalog.board(named: "rp2040")
        let unknown = catalog.verdict(board, modelBytes: 100_000, arenaBytes: 20_000)
        #expect(unknown.fits == nil && unknown.flashNeeded == nil && unknown.sramNeeded == nil)
        #expect(unknown.summary.hasPrefix("cannot judge rp2040: the library's footprint on cortex-m0plus is not measured yet"), "\(unknown.summary)")
        #expect(unknown.items.map(\.bytes) == [100_000, nil, 20_000, nil, nil])
        let tooLarge = catalog.verdict(board, modelBytes: 100_000, arenaBytes: 270_337)
        #expect(tooLarge.fits == false && tooLarge.fitsSRAM == false && tooLarge.fitsFlash == nil)
        #expect(tooLarge.summary.hasPrefix("does NOT fit rp2040: over SRAM by 1 B with the model and arena alone"), "\(tooLarge.summary)")
        #expect(throws: BoardError.self) { try catalog.stackBudget(on: board) }
    }

    /// The boards the examples model, as boards.json records them (datasheet figures; the STM32F405's CCM not counted).
    @Test func shippedExampleBoards() throws {
        let catalog = try BoardCatalog.shipped()
        let expected: [(String, String, Double, Int, Int)] = [
            ("nrf51822", "cortex-m0", 16, 16_384, 262_144), ("stm32f405", "cortex-m4f", 168, 131_072, 1_048_576),
            ("stm32f205", "cortex-m3", 120, 131_072, 1_048_576), ("stm32u575", "cortex-m33", 160, 786_432, 2_097_152),
        ]
        for (name, core, clock, sram, flash) in expected {
            let board = try catalog.board(named: name)
            #expect(board.core == core && board.clockMHz == clock && board.sramBytes == sram && board.flashBytes == flash, "\(name)")
            #expect(board.source?.isEmpty == false, "\(name) names its source")
        }
        #expect(try catalog.board(named: "stm32f405").notes?.contains("CCM") == true)
    }

    /// The shipped resnet (data-free) and the figures boards.json records: on the STM32F405 flash = .q8 + library code
    /// and SRAM = arena + statics + stack, and it fits; a model that leaves one byte too little flash does not. On the
    /// nRF51822 its arena alone (17,104 B) is over the 16 KB, measured library or not; tiny-mnist fits it.
    @Test func shippedFiguresJudgeResnetAndTiny() throws {
        let (conversion, _) = try CostModelTests.shipped("resnet")
        let modelBytes = conversion.bytes.count, arena = conversion.plan.arenaSize
        let catalog = try BoardCatalog.shipped()
        let f405 = try catalog.board(named: "stm32f405")
        let recorded = try #require(catalog.cores["cortex-m4f"]?.measured, "cortex-m4f has recorded figures")
        let bill = try catalog.deploymentBill(modelBytes: modelBytes, arenaBytes: arena, core: "cortex-m4f", board: f405)
        #expect(bill.flashNeeded == modelBytes + recorded.codeBytes)
        #expect(bill.sramNeeded == arena + recorded.staticSRAMBytes + recorded.stackBytes)
        #expect(bill.fits == true, "\(bill.summary)")
        let tooLarge = f405.flashBytes - recorded.codeBytes + 1
        let over = catalog.verdict(f405, modelBytes: tooLarge, arenaBytes: arena)
        #expect(over.fits == false && over.summary.hasPrefix("does NOT fit stm32f405: over flash by 1 B"), "\(over.summary)")

        let microbit = try catalog.board(named: "nrf51822")
        let refused = catalog.verdict(microbit, modelBytes: modelBytes, arenaBytes: arena)
        #expect(refused.fits == false && refused.fitsSRAM == false, "\(refused.summary)")
        let overBy = (refused.sramNeeded ?? arena) - microbit.sramBytes
        #expect(refused.summary.contains("over SRAM by \(ByteCount(overBy))"), "\(refused.summary)")
        // tiny-mnist (Models/tiny-mnist.bin, made for the micro:bit) fits it with the recorded Cortex-M0 library.
        let tiny = try CostModelTests.shipped("tiny").conversion
        let recordedM0 = try #require(catalog.cores["cortex-m0"]?.measured, "cortex-m0 has recorded figures")
        let fits = try catalog.deploymentBill(modelBytes: tiny.bytes.count, arenaBytes: tiny.plan.arenaSize, core: "cortex-m0", board: microbit)
        #expect(fits.flashNeeded == tiny.bytes.count + recordedM0.codeBytes)
        #expect(fits.sramNeeded == tiny.plan.arenaSize + recordedM0.staticSRAMBytes + recordedM0.stackBytes)
        #expect(fits.fits == true, "\(fits.summary)")
        print("bill: \(bill.summary)\nbill: \(refused.summary)\nbill: \(fits.summary)")
    }

    /// A board whose core has a measured library but no cost model (stm32f205, cortex-m3: the cost runs price the
    /// Cortex-M0+ on Firmware-Sim's Cortex-M3, not the M3 itself) is judged and runs, and edge-sim run says it estimates no latency; a board whose core's library is not measured (nrf51822, cortex-m0) is
    /// not judged by quantize, and edge-sim run refuses to simulate it, with one line.
    @Test func commandsOnUnpricedAndUnmeasuredCores() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bill-\(UUID().uuidString).q8").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let catalog = try BoardCatalog.shipped()
        let sample = "Samples/digits/0-narrow-gray4-72x96.png"
        let quantize = try CommandLineRun.run(CommandLineRun.executable("quantize"), ["Models/vgg-mnist.bin", "-o", output, "--board", "stm32f205"])
        try #require(quantize.status == 0, "quantize failed: \(quantize.stderr)")
        let line = try #require(quantize.stdout.split(separator: "\n").last.map(String.init))
        #expect(catalog.costs(on: try catalog.board(named: "stm32f205")) == nil)
        let run = try CommandLineRun.edgeSim(["run", "--model", output, "--board", "stm32f205", sample])
        if catalog.cores["cortex-m3"]?.measured != nil {
            #expect(line.hasPrefix("fits stm32f205: "), "\(line)")
            #expect(run.status == 0 && run.stdout.contains("no latency estimate: the board's core has no cost model"), "\(run.stdout) \(run.stderr)")
        } else {
            #expect(line.hasPrefix("cannot judge stm32f205: the library's footprint on cortex-m3 is not measured yet"), "\(line)")
            #expect(run.status != 0 && run.errorLines.count == 1 && run.stderr.contains("cannot judge stm32f205"), "\(run.stderr)")
        }
        guard catalog.cores["cortex-m0"]?.measured == nil else { return }
        // An arena and model small enough for the micro:bit's 16 KB, but the Cortex-M0 library is not measured.
        let small = catalog.verdict(try catalog.board(named: "nrf51822"), modelBytes: 10_000, arenaBytes: 4_096)
        #expect(small.fits == nil)
        let refused = try CommandLineRun.edgeSim(["run", "--model", output, "--board", "nrf51822", sample])
        #expect(refused.status != 0 && refused.errorLines.count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("nrf51822"), "\(refused.stderr)")
    }

    /// Tools/bench/footprint.py reads the example runner's JSON (the contract, docs/boards.md) and records each core's
    /// library: TEST FIXTURE runs, not measurements. The largest figure over a core's runs is recorded, the core's older
    /// Firmware-Sim figures are removed, cortex-m0plus takes cortex-m0's library, and the result loads and is what the
    /// bill counts. A run that is not bit-exact is refused and nothing is written.
    @Test func footprintScriptRecordsTheRunnersFigures() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3") else {
            print("skipped: footprint.py contract (no python3)")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("footprint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The shipped catalog with no library recorded and, on cortex-m4f, older Firmware-Sim figures (a TEST FIXTURE).
        let catalogPath = folder.appendingPathComponent("boards.json").path
        let shippedData = try Data(contentsOf: CommandLineRun.repository.appendingPathComponent("Sources/Boards/Resources/boards.json"))
        var document = try #require(try JSONSerialization.jsonObject(with: shippedData) as? [String: Any])
        var cores = try #require(document["cores"] as? [String: [String: Any]])
        for name in cores.keys { cores[name]?["library"] = nil }
        let legacy: [String: Any] = ["runtime_code_bytes": 48_000, "static_sram_bytes": 56, "stack_bytes": 2_000]
        cores["cortex-m4f"]?["footprint"] = ["fast": legacy, "reference": legacy, "source": "test fixture at commit 0"]
        document["cores"] = cores
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: catalogPath))
        let before = try BoardCatalog.load(path: catalogPath)
        #expect(before.cores["cortex-m4f"]?.measured?.origin == .firmwareSim)
        func run(_ name: String, machine: String, core: String, code: Int, stack: Int, exact: Any = true) throws -> String {
            let document: [String: Any] = [
                "machine": machine, "core": core, "library_code_bytes": code, "library_static_sram_bytes": 24,
                "model_bytes": 50_000, "arena_bytes": 9_000, "stack_bytes": stack, "firmware_text_bytes": code + 60_000,
                "firmware_data_bytes": 8, "firmware_bss_bytes": 12_000, "instructions_per_inference": 1_000_000,
                "samples": 14, "bit_exact": exact, "model": "Models/\(name).bin",
            ]
            let path = folder.appendingPathComponent("\(machine)-\(name).json").path
            try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: path))
            return path
        }
        let runs = [
            try run("vgg-mnist", machine: "netduinoplus2", core: "cortex-m4f", code: 41_000, stack: 1_900),
            try run("resnet-mnist", machine: "netduinoplus2", core: "cortex-m4f", code: 41_000, stack: 2_100),
            try run("tiny-mnist", machine: "microbit", core: "cortex-m0", code: 30_000, stack: 1_500, exact: 14),
        ]
        let script = ["python3", "Tools/bench/footprint.py", "--catalog", catalogPath, "--commit", "fixture0commit"]
        let bad = try run("vgg-mnist", machine: "netduino2", core: "cortex-m3", code: 35_000, stack: 1_800, exact: 13)
        let refused = try CommandLineRun.run(URL(fileURLWithPath: "/usr/bin/env"), script + runs + [bad, "--write"])
        #expect(refused.status != 0 && refused.stderr.contains("not bit-exact (13 of 14 samples)"), "\(refused.stderr)")
        #expect(try BoardCatalog.load(path: catalogPath) == before, "a refused run wrote the catalog")

        let written = try CommandLineRun.run(URL(fileURLWithPath: "/usr/bin/env"), script + runs + ["--write"])
        try #require(written.status == 0, "\(written.stderr)")
        let catalog = try BoardCatalog.load(path: catalogPath)
        let m4f = try #require(catalog.cores["cortex-m4f"])
        #expect(m4f.library == LibraryFootprint(codeBytes: 41_000, staticSRAMBytes: 24, stackBytes: 2_100, machine: "netduinoplus2",
                                                commit: "fixture0commit", command: "Tools/bench/footprint.sh --write",
                                                models: ["resnet-mnist", "vgg-mnist"]))
        #expect(m4f.footprint == nil && m4f.isPriced, "the Firmware-Sim figures go, the cost model stays")
        #expect(catalog.cores["cortex-m0plus"]?.library?.measuredAs == "cortex-m0")
        #expect(catalog.cores["cortex-m0plus"]?.library?.codeBytes == 30_000)
        #expect(catalog.cores["cortex-m3"]?.library == nil)
        let bill = catalog.verdict(try catalog.board(named: "stm32f405"), modelBytes: 100_000, arenaBytes: 17_104)
        #expect(bill.flashNeeded == 141_000 && bill.sramNeeded == 19_228 && bill.measured?.origin == .cLibrary)
        #expect(bill.summary.contains("the C library measured on netduinoplus2 at commit fixture0commit"), "\(bill.summary)")
    }
}
