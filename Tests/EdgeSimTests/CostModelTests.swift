import Boards
import EdgeSim
import Foundation
import Int8Runtime
import ModelFormat
import Quantizer
import Testing
import TestSupport

/// The simulator's cost model: the work it counts per op, and the board catalog's checks on core figures.
@Suite("cost model")
struct CostModelTests {
    /// A fused conv + max pool computes only the conv outputs its pool windows read: the cost model must count
    /// those, not the whole conv output (vgg's last block has a 7x7 conv pooled 2x2 to 3x3: 36 of 49 positions).
    @Test func fusedPoolCountsTheConvOutputsItComputes() throws {
        let graph = try ModelFile.load(path: CommandLineRun.repository.appendingPathComponent("Models/vgg-mnist.bin").path)
        let loaded = try LoadedQ8(try Conversion(graph: graph, calibration: .dataFree).bytes)
        let model = loaded.model
        var fused = 0
        for step in 0..<model.opCount where model.op(step).opcode == .conv2D {
            let op = model.op(step)
            let pooled = model.tensor(op.output), input = model.tensor(op.input)
            let window = op.parameters.0 > 0 ? Int(op.parameters.0 * op.parameters.1) : 1
            fused += op.parameters.0 > 0 ? 1 : 0
            #expect(CostEstimate.outputs(model, step) == pooled.size * window)
            #expect(CostEstimate.work(model, step) == pooled.size * window * op.kernelHeight * op.kernelWidth * input.channels)
        }
        #expect(fused >= 3, "vgg should have its conv + pool pairs fused")
        let counted = (0..<model.opCount).filter { [.conv2D, .fullyConnected].contains(model.op($0).opcode) }
            .map { CostEstimate.work(model, $0) }.reduce(0, +)
        #expect(counted < model.macs, "the float graph's MACs include conv outputs no pool window reads")
    }

    @Test func shippedCatalogPricesEveryOpOnEveryCore() throws {
        let catalog = try BoardCatalog.shipped()
        for (name, core) in catalog.cores {
            #expect(Set(core.instructions.keys) == Set(CoreModel.opKinds), "core \(name)")
            #expect(core.instructions["conv2d"]!.perWork > 0, "core \(name)")
        }
    }

    /// The verdict adds the runtime's measured footprint on the board's core to the model and the arena: a board with
    /// exactly that much flash and SRAM fits, one byte less of either does not.
    @Test func verdictCountsTheMeasuredRuntime() throws {
        let catalog = try BoardCatalog.shipped()
        let board = try catalog.board(named: "nrf52840")
        let runtime = catalog.runtime(on: board)
        let verdict = catalog.verdict(board, modelBytes: 90_000, arenaBytes: 14_112)
        #expect(verdict.flashNeeded == 90_000 + runtime.runtimeCodeBytes)
        #expect(verdict.sramNeeded == 14_112 + runtime.staticSRAMBytes + runtime.stackBytes)
        var exact = board
        exact.flashBytes = verdict.flashNeeded
        exact.sramBytes = verdict.sramNeeded
        #expect(catalog.verdict(exact, modelBytes: 90_000, arenaBytes: 14_112).fits)
        exact.flashBytes -= 1
        #expect(!catalog.verdict(exact, modelBytes: 90_000, arenaBytes: 14_112).fitsFlash)
        exact.flashBytes += 1
        exact.sramBytes -= 1
        #expect(!catalog.verdict(exact, modelBytes: 90_000, arenaBytes: 14_112).fitsSRAM)
    }

    /// `quantize --json` reports what its verdict counted: the model and arena plus the board core's measured runtime.
    @Test func quantizeReportsWhatTheVerdictCounted() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("verdict-\(UUID().uuidString).q8").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try CommandLineRun.run(CommandLineRun.executable("quantize"), ["Models/vgg-mnist.bin", "-o", output, "--board", "stm32f746", "--json"])
        try #require(run.status == 0, "quantize failed: \(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let catalog = try BoardCatalog.shipped()
        let runtime = catalog.runtime(on: try catalog.board(named: "stm32f746"))
        let flash = try #require(report["flash_bytes"] as? Int), arena = try #require(report["arena_bytes"] as? Int)
        #expect(report["flash_needed_bytes"] as? Int == flash + runtime.runtimeCodeBytes)
        #expect(report["sram_needed_bytes"] as? Int == arena + runtime.staticSRAMBytes + runtime.stackBytes)
        #expect(report["runtime_stack_bytes"] as? Int == runtime.stackBytes)
        #expect(report["kernels"] as? String == "fast")
    }

    /// Every core's footprint is measured, not set: the figures name the script and the commit they came from, and
    /// the fast path (DSP kernels, im2col scratch) needs more code and stack than the plain loops.
    @Test func shippedFootprintsAreMeasured() throws {
        let catalog = try BoardCatalog.shipped()
        for (name, core) in catalog.cores {
            let footprint = core.footprint
            #expect(footprint.source.contains("Tools/bench/footprint.sh") && footprint.source.contains("at commit "), "core \(name)")
            #expect(footprint.fast.runtimeCodeBytes > footprint.reference.runtimeCodeBytes, "core \(name)")
            #expect(footprint.fast.stackBytes > 0 && footprint.reference.stackBytes > 0, "core \(name)")
        }
    }

    @Test(arguments: [
        ("\"add\"", "\"addition\"", "has no instructions for 'add'"),
        ("\"cycles_per_instruction\": 1.2", "\"cycles_per_instruction\": 0", "needs a positive cycles_per_instruction"),
        ("\"per_work\": ", "\"per_work\": -", "must be finite and not negative"),
        ("\"stack_bytes\": ", "\"stack_bytes\": -", "footprint needs positive runtime code and stack bytes"),
        ("\"runtime_code_bytes\": ", "\"runtime_code_bytes\": -", "footprint needs positive runtime code and stack bytes"),
        ("\"reference\": {", "\"slow\": {", "missing key 'reference'"),
    ])
    func catalogRejectsBadCoreFigures(_ replace: (String, String, String)) throws {
        let shipped = try String(contentsOf: CommandLineRun.repository.appendingPathComponent("Sources/Boards/Resources/boards.json"),
                                 encoding: .utf8)
        guard let range = shipped.range(of: replace.0) else {
            Issue.record("the shipped catalog has no \(replace.0)")
            return
        }
        let broken = shipped.replacingCharacters(in: range, with: replace.1)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("boards-\(UUID().uuidString).json").path
        try broken.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: BoardError.self) { try BoardCatalog.load(path: path) }
        #expect(error?.description.contains(replace.2) == true, "\(String(describing: error))")
    }
}
