import Boards
import DigitImage
import EdgeSim
import Foundation
import Int8Runtime

/// `quantize ... --emit DIR --target CORE`: the folder a user copies into their firmware (docs/deploy.md):
/// include/edgequant.h, include/edgequant_model.h, lib/libedgequant.a, model/edgequant_model.c, model/model.q8,
/// edgequant.mk, README.md (the memory bill), and with test vectors test/edgequant_test_vectors.{c,h}.
/// Written into a temporary sibling folder, then renamed to DIR: never half-written.
public struct EmitRequest: Sendable {
    /// The .q8 bytes (already written by the converter, or about to be).
    public var q8: [UInt8]
    /// The model the user named (for messages and the README).
    public var modelName: String
    public var directory: String
    public var target: DeployTarget
    public var board: Board?
    public var catalog: BoardCatalog
    /// PNGs to turn into golden input and output tensors.
    public var testVectors: [String]
    /// Replace a DIR that already holds files (without it such a DIR is refused).
    public var force: Bool

    public init(q8: [UInt8], modelName: String, directory: String, target: DeployTarget, board: Board?, catalog: BoardCatalog,
                testVectors: [String] = [], force: Bool = false) {
        (self.q8, self.modelName, self.directory, self.target, self.board, self.catalog, self.testVectors, self.force)
            = (q8, modelName, directory, target, board, catalog, testVectors, force)
    }
}

/// The figures of one emit: what README.md states.
public struct MemoryBill: Equatable, Sendable {
    public var target: String
    /// libedgequant.a as built (every allocated section of its one object: an upper bound for what links).
    public var libraryArchiveCodeBytes: Int
    public var libraryArchiveStaticSRAMBytes: Int
    /// The bill from the catalog's measured figures for this core (`BoardCatalog.deploymentBill`, the one definition
    /// quantize --board and edge-sim run also print), judged against --board when given.
    public var bill: DeploymentBill
    /// The library measured linked into the example firmware on this core, when measured.
    public var measured: MeasuredFootprint? { bill.measured }
    public var measuredSource: String? { bill.measured?.source }
    public var modelBytes: Int { bill.modelBytes }
    public var arenaBytes: Int { bill.arenaBytes }
    /// Flash: model + library code (measured, else the archive's); SRAM: arena + static + stack (stack only when measured).
    public var flashBytes: Int { bill.flashNeeded ?? modelBytes + libraryArchiveCodeBytes }
    public var sramBytes: Int { bill.sramNeeded ?? arenaBytes + libraryArchiveStaticSRAMBytes }
    /// The bill against --board, when given.
    public var verdict: DeploymentBill? { bill.board == nil ? nil : bill }
}

public enum Emitter {
    /// The --target for an optional --target name and an optional --board: given, inferred from the board's core,
    /// or an error when they disagree or neither is given.
    public static func target(named name: String?, board: Board?) throws(DeployError) -> DeployTarget {
        if let name {
            guard let target = DeployTarget.named(name) else {
                throw DeployError("--target \(name): unknown core (known: \(DeployTarget.names))")
            }
            if let board, target.catalogCore != board.core {
                throw DeployError("--target \(target.name) does not match --board \(board.name), whose core is \(board.core)")
            }
            return target
        }
        guard let board else { throw DeployError("--emit needs --target CORE (\(DeployTarget.names)) or a --board to take it from") }
        guard let target = DeployTarget.forCatalogCore(board.core) else {
            throw DeployError("--board \(board.name): its core \(board.core) is not a --target (\(DeployTarget.names))")
        }
        return target
    }

    /// Refuses, before any work, a DIR that cannot be written: an existing file, or a folder with files in it
    /// (unless `force`), or a missing parent folder.
    public static func checkDestination(_ directory: String, force: Bool) throws(DeployError) {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: directory).standardizedFileURL
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw DeployError(file: directory, "exists and is not a folder") }
            let entries = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
            if !entries.isEmpty && !force {
                throw DeployError(file: directory, "is not empty (pass --force to replace it)")
            }
        }
        let parent = url.deletingLastPathComponent().path
        guard fm.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DeployError(file: directory, "cannot be written (folder \(parent) does not exist)")
        }
        guard fm.isWritableFile(atPath: parent) else {
            throw DeployError(file: directory, "cannot be written (folder \(parent) is not writable)")
        }
    }

    /// Writes the folder; returns its memory bill. Nothing is written when anything fails (the model does not fit
    /// `board`, a test image is unreadable, the library does not build).
    @discardableResult
    public static func emit(_ request: EmitRequest, builder: LibraryBuilder) throws(DeployError) -> MemoryBill {
        try checkDestination(request.directory, force: request.force)
        let info = try ModelInfo(request.q8, file: request.modelName)
        let deploymentBill: DeploymentBill
        do {
            deploymentBill = try request.catalog.deploymentBill(modelBytes: request.q8.count, arenaBytes: info.arenaSize,
                                                                core: request.target.catalogCore ?? request.target.name, board: request.board)
        } catch {
            throw DeployError(error.description)
        }
        if deploymentBill.fits == false {
            throw DeployError(file: request.modelName, "not emitted: \(deploymentBill.summary)")
        }
        let vectors = try TestVectors(request.testVectors, q8: request.q8, file: request.modelName)
        let library = try builder.build(request.target)
        let bill = MemoryBill(target: request.target.name, libraryArchiveCodeBytes: library.codeBytes,
                              libraryArchiveStaticSRAMBytes: library.staticSRAMBytes, bill: deploymentBill)

        let fm = FileManager.default
        let destination = URL(fileURLWithPath: request.directory).standardizedFileURL
        let staging = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0 ... .max))")
        defer { try? fm.removeItem(at: staging) }
        func write(_ relative: String, _ bytes: [UInt8]) throws(DeployError) {
            let url = staging.appendingPathComponent(relative)
            do {
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(bytes).write(to: url)
            } catch {
                throw DeployError(file: destination.appendingPathComponent(relative).path, "cannot be written")
            }
        }
        func write(_ relative: String, _ text: String) throws(DeployError) { try write(relative, Array(text.utf8)) }
        guard let header = fm.contents(atPath: builder.sources.header.path), let archive = fm.contents(atPath: library.archive.path) else {
            throw DeployError(file: builder.sources.header.path, "cannot be read")
        }
        try write("include/edgequant.h", Array(header))
        try write("include/edgequant_model.h", CSources.modelHeader(info, size: request.q8.count))
        try write("lib/libedgequant.a", Array(archive))
        try write("model/edgequant_model.c", CSources.modelSource(request.q8))
        try write("model/model.q8", request.q8)
        try write("edgequant.mk", CSources.makefile(request.target, testVectors: vectors != nil))
        if let vectors {
            try write("test/edgequant_test_vectors.h", CSources.testVectorsHeader(count: vectors.names.count))
            try write("test/edgequant_test_vectors.c", CSources.testVectorsSource(vectors))
        }
        try write("README.md", EmitReadme.render(request: request, info: info, bill: bill, testVectors: vectors?.names ?? [])
                  + "\n" + SwiftPackageForm.readmeSection(core: request.target.name, triple: request.target.swiftTarget))
        // DIR/swift/: the SwiftPM package form, from the model files just written and the runtime sources the
        // library was built from; in the staging folder, so it is as atomic as the rest.
        do {
            try SwiftPackageForm.write(into: staging, core: request.target.name, triple: request.target.swiftTarget,
                                       cpuFlags: request.target.gccFlags, sources: builder.sources.root.appendingPathComponent("Sources"))
        } catch {
            throw DeployError(file: destination.appendingPathComponent(SwiftPackageForm.folderName).path, "cannot be written (\(error.message))")
        }

        // Into place: an old DIR (empty, or replaced with --force) is moved aside first and removed after.
        var old: URL?
        if fm.fileExists(atPath: destination.path) {
            let aside = staging.deletingLastPathComponent().appendingPathComponent(staging.lastPathComponent + "-old")
            do { try fm.moveItem(at: destination, to: aside) } catch { throw DeployError(file: request.directory, "cannot be replaced") }
            old = aside
        }
        do { try fm.moveItem(at: staging, to: destination) } catch {
            if let old { try? fm.moveItem(at: old, to: destination) }
            throw DeployError(file: request.directory, "cannot be written")
        }
        if let old { try? fm.removeItem(at: old) }
        return bill
    }
}

/// What the generated headers state about the model, read through the runtime's own loader.
public struct ModelInfo: Equatable, Sendable {
    public var arenaSize: Int
    public var opCount: Int
    public var input: Q8Tensor
    public var output: Q8Tensor
    public var outputIsLogits: Bool

    public init(_ q8: [UInt8], file: String) throws(DeployError) {
        let result: Result<ModelInfo, Q8Error> = q8.withUnsafeBytes { raw in
            // A 16-aligned copy: the loader needs 4.
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(raw.count, 1), alignment: 16)
            defer { copy.deallocate() }
            if raw.count > 0 { copy.copyMemory(from: raw) }
            return Result { () throws(Q8Error) in
                let model = try Q8Model(validating: UnsafeRawBufferPointer(rebasing: copy[0 ..< raw.count]))
                return ModelInfo(arenaSize: model.arenaSize, opCount: model.opCount, input: model.input, output: model.output,
                                 outputIsLogits: model.outputIsLogits)
            }
        }
        switch result {
        case let .success(info): self = info
        case let .failure(error): throw DeployError(file: file, "the .q8 does not validate (\(error.name), code \(error.code))")
        }
    }

    init(arenaSize: Int, opCount: Int, input: Q8Tensor, output: Q8Tensor, outputIsLogits: Bool) {
        (self.arenaSize, self.opCount, self.input, self.output, self.outputIsLogits) = (arenaSize, opCount, input, output, outputIsLogits)
    }
}

/// Golden vectors: each PNG prepared exactly as `edge-sim run` prepares it (DigitInput, the shared
/// DigitInputAdapter), quantized with the model's input parameters, and run by the host Int8Runtime.
public struct TestVectors: Equatable, Sendable {
    public var names: [String]
    public var inputs: [[Int8]]
    public var outputs: [[Int8]]

    /// nil for no PNGs.
    public init?(_ paths: [String], q8: [UInt8], file: String) throws(DeployError) {
        guard !paths.isEmpty else { return nil }
        do {
            let loaded = try Q8File(bytes: q8, file: file)
            let shape = try ModelInputShape.of(loaded.model, file: file)
            // A generous host stack: the vectors are the host runtime's bytes, not a budget check.
            let classifier = try Int8Classifier(loaded, stackBudget: 64 * 1024)
            var names: [String] = [], inputs: [[Int8]] = [], outputs: [[Int8]] = []
            for path in paths {
                let image = try DigitInput.load(path: path, raw: false, shape: shape)
                let outcome = try classifier.classify(DigitInput.tensor(image, shape: shape))
                names.append(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
                inputs.append(outcome.input)
                outputs.append(outcome.logits)
            }
            (self.names, self.inputs, self.outputs) = (names, inputs, outputs)
        } catch let error as Q8FileError {
            throw DeployError(error.description)
        } catch let error as EdgeSimError {
            throw DeployError("--test-vectors: \(error.description)")
        } catch {
            throw DeployError("--test-vectors: \(error)")
        }
    }
}
