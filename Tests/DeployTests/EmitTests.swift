import Boards
@testable import Deploy
import EdgeSim
import Foundation
import Int8Runtime
import Testing
import TestSupport

/// `quantize --emit` through Emitter: exactly the contract's files, nothing written on a refusal, test vectors equal to
/// `edge-sim run`'s tensors, the library's symbols. Builds libedgequant.a for cortex-m4f once (cached in .build).
@Suite("quantize --emit", .serialized)
struct EmitTests {
    static let catalog = try! BoardCatalog.shipped()
    static let m4f = DeployTarget.named("cortex-m4f")!

    static func samples() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "Samples/digits").filter { $0.hasSuffix(".png") }.sorted()
            .map { "Samples/digits/" + $0 }
    }

    /// A fresh empty parent folder; returns DIR inside it (not created).
    static func destination(_ name: String = "emitted") throws -> (parent: URL, dir: URL) {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("edgequant-emit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        return (parent, parent.appendingPathComponent(name))
    }

    static func files(under root: URL) -> [String] {
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])!
        return walker.compactMap { $0 as? URL }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .map { String($0.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1)) }.sorted()
    }

    static func request(_ dir: URL, q8: [UInt8] = CAPITests.resnet, target: DeployTarget = m4f, board: Board? = nil,
                        catalog: BoardCatalog = catalog, vectors: [String] = [], force: Bool = false) -> EmitRequest {
        EmitRequest(q8: q8, modelName: "resnet.q8", directory: dir.path, target: target, board: board, catalog: catalog,
                    testVectors: vectors, force: force)
    }

    @Test func writesExactlyTheContractsFiles() throws {
        let (parent, dir) = try Self.destination()
        defer { try? FileManager.default.removeItem(at: parent) }
        let q8 = CAPITests.resnet
        try #require(!q8.isEmpty)
        let bill = try Emitter.emit(Self.request(dir, vectors: Array(try Self.samples().prefix(2))), builder: try LibraryBuilder.standard())
        let written = Self.files(under: dir)
        #expect(written.filter { !$0.hasPrefix("swift/") } == [
            "README.md", "edgequant.mk", "include/edgequant.h", "include/edgequant_model.h", "lib/libedgequant.a",
            "model/edgequant_model.c", "model/model.q8", "test/edgequant_test_vectors.c", "test/edgequant_test_vectors.h",
        ])
        // The SwiftPM package form (its content: SwiftPackageFormTests).
        #expect(["swift/Package.swift", "swift/README.md", "swift/toolset.json"].allSatisfy(written.contains), "\(written)")
        // Only DIR in its parent: the staging folder is gone.
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["emitted"])
        #expect(Array(try Data(contentsOf: dir.appendingPathComponent("model/model.q8"))) == q8)
        #expect(try Data(contentsOf: dir.appendingPathComponent("include/edgequant.h"))
            == Data(contentsOf: LibraryBuilder.standard().sources.header))
        // The C array holds the .q8's bytes, in order.
        let source = try String(contentsOf: dir.appendingPathComponent("model/edgequant_model.c"), encoding: .utf8)
        #expect(source.contains("__attribute__((aligned(16), section(EDGEQUANT_MODEL_SECTION)))"))
        let body = source[source.range(of: "= {")!.upperBound...]
        let bytes = body.split(whereSeparator: { ", \n};".contains($0) }).compactMap { UInt8($0.dropFirst(2), radix: 16) }
        #expect(bytes == q8)
        // The header's constants are the model's.
        let loaded = try LoadedQ8(q8)  // kept alive: `model` views its storage
        let model = loaded.model
        let header = try String(contentsOf: dir.appendingPathComponent("include/edgequant_model.h"), encoding: .utf8)
        func define(_ name: String) -> String? {
            header.split(separator: "\n").first { $0.hasPrefix("#define \(name) ") }.map {
                String($0.dropFirst("#define \(name) ".count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
            }
        }
        #expect(define("EDGEQUANT_MODEL_SIZE") == "\(q8.count)u")
        #expect(define("EDGEQUANT_MODEL_ARENA_SIZE") == "\(model.arenaSize)u")
        #expect(define("EDGEQUANT_MODEL_INPUT_SIZE") == "\(model.input.size)u")
        #expect(define("EDGEQUANT_MODEL_INPUT_HEIGHT") == "\(model.input.height)u")
        #expect(define("EDGEQUANT_MODEL_OUTPUT_SIZE") == "\(model.output.size)u")
        #expect(define("EDGEQUANT_MODEL_INPUT_ZERO_POINT") == "(\(model.input.zeroPoint))")
        #expect(define("EDGEQUANT_MODEL_OUTPUT_IS_LOGITS") == (model.outputIsLogits ? "1" : "0"))
        let scale = try #require(define("EDGEQUANT_MODEL_INPUT_SCALE"))
        #expect(Float(scale.dropLast()) == model.input.scale)
        // The make fragment names this core's flags and the folder's own paths.
        let make = try String(contentsOf: dir.appendingPathComponent("edgequant.mk"), encoding: .utf8)
        #expect(make.contains("EDGEQUANT_CPU_FLAGS := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16\n"))
        #expect(make.contains("EDGEQUANT_SOURCES += $(EDGEQUANT_DIR)/test/edgequant_test_vectors.c"))
        // The bill.
        #expect(bill.modelBytes == q8.count && bill.arenaBytes == model.arenaSize)
        #expect(bill.libraryArchiveCodeBytes > 10_000 && bill.libraryArchiveCodeBytes < 200_000)
        let readme = try String(contentsOf: dir.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("| **total** | **\(EmitReadme.bytes(bill.flashBytes))** | **\(EmitReadme.bytes(bill.sramBytes))** |"))
        withExtendedLifetime(loaded) {}
    }

    @Test func withoutVectorsThereIsNoTestFolder() throws {
        let (parent, dir) = try Self.destination()
        defer { try? FileManager.default.removeItem(at: parent) }
        try Emitter.emit(Self.request(dir), builder: try LibraryBuilder.standard())
        #expect(!Self.files(under: dir).contains { $0.hasPrefix("test/") })
        let make = try String(contentsOf: dir.appendingPathComponent("edgequant.mk"), encoding: .utf8)
        #expect(!make.contains("test"))
    }

    /// The vectors are exactly what `edge-sim run --tensors` computes for the same PNGs.
    @Test func testVectorsEqualEdgeSimRun() throws {
        let samples = try Self.samples()
        let (parent, _) = try Self.destination()
        defer { try? FileManager.default.removeItem(at: parent) }
        let q8Path = parent.appendingPathComponent("resnet.q8").path
        try Data(CAPITests.resnet).write(to: URL(fileURLWithPath: q8Path))
        let vectors = try #require(try TestVectors(samples, q8: CAPITests.resnet, file: q8Path))
        let report = try DigitRun(modelPath: q8Path, imagePaths: samples, catalog: Self.catalog, tensors: true).report()
        #expect(vectors.inputs == report.predictions.map { $0.input_int8 ?? [] })
        #expect(vectors.outputs == report.predictions.map { $0.output_int8 ?? [] })
        #expect(vectors.names == samples.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent })
        #expect(vectors.inputs.count == samples.count)
    }

    /// A model too big for the board, an unreadable test image, a non-empty DIR: refused, and nothing is written.
    @Test func refusalsLeaveNothing() throws {
        let builder = try LibraryBuilder.standard()
        let (parent, dir) = try Self.destination()
        defer { try? FileManager.default.removeItem(at: parent) }
        var tiny = try Self.catalog.board(named: "nrf52840")
        tiny.name = "tiny"
        tiny.sramBytes = 16 * 1024
        #expect(throws: DeployError.self) { try Emitter.emit(Self.request(dir, board: tiny), builder: builder) }
        do {
            try Emitter.emit(Self.request(dir, board: tiny), builder: builder)
        } catch {
            #expect(error.message.contains("does NOT fit tiny"))
            #expect(error.message.contains("SRAM"))
        }
        #expect(throws: DeployError.self) {
            try Emitter.emit(Self.request(dir, vectors: ["Samples/digits/no-such.png"]), builder: builder)
        }
        #expect(throws: DeployError.self) {
            try Emitter.emit(Self.request(dir, q8: Array(CAPITests.resnet.dropLast())), builder: builder)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty)

        // An existing DIR with a file: refused without force (the file stays), replaced with it.
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: dir.appendingPathComponent("keep.txt"))
        #expect(throws: DeployError.self) { try Emitter.emit(Self.request(dir), builder: builder) }
        #expect(Self.files(under: dir) == ["keep.txt"])
        try Emitter.emit(Self.request(dir, force: true), builder: builder)
        #expect(!Self.files(under: dir).contains("keep.txt"))
        #expect(Self.files(under: dir).contains("lib/libedgequant.a"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["emitted"])
        // An empty DIR is fine without force.
        let (parent2, dir2) = try Self.destination()
        defer { try? FileManager.default.removeItem(at: parent2) }
        try FileManager.default.createDirectory(at: dir2, withIntermediateDirectories: true)
        try Emitter.emit(Self.request(dir2), builder: builder)
        #expect(Self.files(under: dir2).contains("README.md"))
    }

    @Test func targetFromBoard() throws {
        let rp2040 = try Self.catalog.board(named: "rp2040"), nrf = try Self.catalog.board(named: "nrf52840")
        #expect(try Emitter.target(named: nil, board: rp2040).name == "cortex-m0plus")
        #expect(try Emitter.target(named: nil, board: nrf).name == "cortex-m4f")
        #expect(try Emitter.target(named: "Cortex-M4F", board: nrf).name == "cortex-m4f")
        #expect(throws: DeployError.self) { try Emitter.target(named: "cortex-m7", board: nrf) }
        #expect(throws: DeployError.self) { try Emitter.target(named: "cortex-a53", board: nil) }
        #expect(throws: DeployError.self) { try Emitter.target(named: nil, board: nil) }
        #expect(Set(DeployTarget.all.map(\.name)) == ["cortex-m0", "cortex-m0plus", "cortex-m3", "cortex-m4f", "cortex-m7", "cortex-m33"])
    }

    @Test func missingToolchainOrSourcesIsOneLine() throws {
        #expect(throws: DeployError("swiftc: not found on PATH (the Swift toolchain builds libedgequant.a)")) {
            try Toolchain.locate(environment: ["PATH": "/nonexistent"])
        }
        do {
            _ = try SourceTree.locate(environment: ["EDGEQUANT_SOURCE_ROOT": "/nonexistent/edgequant"])
            Issue.record("a missing source root was accepted")
        } catch {
            #expect(error.message.hasPrefix("EDGEQUANT_SOURCE_ROOT=/nonexistent/edgequant: no /nonexistent/edgequant/Sources/Int8Runtime"))
            #expect(!error.message.contains("\n"))
        }
    }

    @Test func onlyMemoryFunctionsAndCompilerHelpersMayBeUndefined() {
        for allowed in ["memcpy", "memset", "memmove", "__aeabi_memcpy4", "__aeabi_memclr8", "__aeabi_ldivmod", "__aeabi_lasr", "__clzsi2"] {
            #expect(LibraryBuilder.allowedUndefined(allowed), "\(allowed)")
        }
        for refused in ["free", "posix_memalign", "malloc", "arc4random_buf", "swift_retain", "__atomic_load_4", "abort", "putchar"] {
            #expect(!LibraryBuilder.allowedUndefined(refused), "\(refused)")
        }
    }

    /// Every core's library builds (M3 and M33 through the armv7em stdlib); the cached one is
    /// reused (same file, untouched); its object's only globals are the C API's, its undefined symbols allowed ones.
    @Test(arguments: DeployTarget.all.map(\.name))
    func libraryIsCachedAndExportsOnlyTheAPI(core: String) throws {
        let builder = try LibraryBuilder.standard()
        let target = try #require(DeployTarget.named(core))
        let first = try builder.build(target)
        let stamp = try FileManager.default.attributesOfItem(atPath: first.archive.path)[.modificationDate] as? Date
        let second = try builder.build(target)
        #expect(first.archive == second.archive)
        #expect(try FileManager.default.attributesOfItem(atPath: second.archive.path)[.modificationDate] as? Date == stamp)
        let object = first.archive.deletingLastPathComponent().appendingPathComponent("edgequant.o").path
        let globals = try builder.toolchain.run(builder.toolchain.nm, ["-g", "--defined-only", "--just-symbol-name", object], what: "llvm-nm",
                                                 in: FileManager.default.temporaryDirectory)
        #expect(Set(globals.split(separator: "\n").map(String.init)) == Set(LibraryBuilder.apiSymbols))
        let undefined = try builder.toolchain.run(builder.toolchain.nm, ["-u", "--just-symbol-name", object], what: "llvm-nm",
                                                   in: FileManager.default.temporaryDirectory)
        #expect(undefined.split(separator: "\n").allSatisfy { LibraryBuilder.allowedUndefined(String($0)) })
        #expect(first.bssBytes + first.dataBytes < 256)
    }
}
