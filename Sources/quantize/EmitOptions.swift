import ArgumentParser
import Boards
import CommandLineSupport
import Deploy

/// `--emit DIR --target CORE [--test-vectors PNG...] [--force]`: the library folder for a firmware (docs/deploy.md).
struct EmitOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Also write a folder to copy into a firmware: libedgequant.a for --target, the C header, the model as C, edgequant.mk and a README with the memory bill (docs/deploy.md).", valueName: "dir"))
    var emit: String?

    @Option(name: .long, help: ArgumentHelp("The core --emit builds for: \(DeployTarget.names) (default: --board's core).", valueName: "core"))
    var target: String?

    @Option(name: .customLong("test-vectors"), parsing: .upToNextOption,
            help: ArgumentHelp("With --emit: PNG digits to add as golden int8 input and output tensors (test/edgequant_test_vectors.c).", valueName: "png"))
    var testVectors: [String] = []

    @Flag(name: .long, help: "With --emit: replace the folder when it already holds files.")
    var force = false

    func validate() throws {
        guard emit != nil else {
            if target != nil { throw ValidationError("--target needs --emit DIR") }
            if !testVectors.isEmpty { throw ValidationError("--test-vectors needs --emit DIR") }
            if force { throw ValidationError("--force needs --emit DIR") }
            return
        }
    }

    /// What `--emit` will do, checked before any conversion work: the core, the folder, the toolchain and sources.
    struct Plan {
        var directory: String
        var target: DeployTarget
        var builder: LibraryBuilder
    }

    func plan(board: Board?) throws -> Plan? {
        guard let emit else { return nil }
        do {
            let target = try Emitter.target(named: self.target, board: board)
            try Emitter.checkDestination(emit, force: force)
            return Plan(directory: emit, target: target, builder: try LibraryBuilder.standard())
        } catch {
            throw CommandLineError(error.description)
        }
    }

    /// Writes the folder for the converted `q8` (before the .q8 itself is written: a refusal leaves nothing).
    func write(_ plan: Plan?, q8: [UInt8], model: String, board: Board?, catalog: BoardCatalog) throws -> MemoryBill? {
        guard let plan else { return nil }
        do {
            return try Emitter.emit(EmitRequest(q8: q8, modelName: model, directory: plan.directory, target: plan.target, board: board,
                                                catalog: catalog, testVectors: testVectors, force: force), builder: plan.builder)
        } catch {
            throw CommandLineError(error.description)
        }
    }

    /// The line quantize prints after writing the folder.
    static func summary(_ bill: MemoryBill, directory: String) -> String {
        "emitted \(directory) for \(bill.target): model \(bill.modelBytes) B, arena \(bill.arenaBytes) B, "
            + "libedgequant.a code \(bill.libraryArchiveCodeBytes) B; flash \(bill.flashBytes) B, SRAM \(bill.sramBytes) B"
            + (bill.measured == nil ? " + stack (not measured for this core)" : "") + " (README.md)"
    }
}
