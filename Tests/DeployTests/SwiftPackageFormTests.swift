import Deploy
import Foundation
import Testing

/// The SwiftPM package form (DIR/swift): the runtime copied unchanged, a manifest SwiftPM reads, the core's flags,
/// refusals that leave nothing behind, and (EDGEQUANT_FIRMWARE=1) an Embedded Swift build for two cores.
@Suite("SwiftPM package form")
struct SwiftPackageFormTests {
    static let m4Flags = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]
    static let m0Flags = ["-mcpu=cortex-m0", "-mthumb", "-mfloat-abi=soft"]

    /// A temporary emitted folder holding what the package form is made from: a small model header and C array
    /// in the shape docs/deploy.md gives (the real ones come from quantize --emit).
    struct EmitFolder {
        let url: URL
        let header = """
            #ifndef EDGEQUANT_MODEL_H
            #define EDGEQUANT_MODEL_H
            #include <stdint.h>
            #define EDGEQUANT_MODEL_SIZE 8u
            #define EDGEQUANT_MODEL_ARENA_SIZE 32u
            #define EDGEQUANT_MODEL_INPUT_SCALE 0.5f
            extern const uint8_t edgequant_model_data[EDGEQUANT_MODEL_SIZE];
            #endif

            """
        let source = """
            #include "edgequant_model.h"
            __attribute__((aligned(16), section(".rodata.edgequant_model")))
            const uint8_t edgequant_model_data[EDGEQUANT_MODEL_SIZE] = { 69, 81, 56, 77, 1, 0, 1, 0 };

            """

        init(header: Bool = true, source: Bool = true) throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftpkg-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url.appendingPathComponent("include"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: url.appendingPathComponent("model"), withIntermediateDirectories: true)
            if header { try Data(self.header.utf8).write(to: url.appendingPathComponent("include/edgequant_model.h")) }
            if source { try Data(self.source.utf8).write(to: url.appendingPathComponent("model/edgequant_model.c")) }
        }

        var package: URL { url.appendingPathComponent("swift") }
        func remove() { try? FileManager.default.removeItem(at: url) }
    }

    /// Relative paths of every regular file under `folder`.
    static func files(under folder: URL) -> [String] {
        let base = folder.standardizedFileURL.path
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        var found: [String] = []
        while let item = walker?.nextObject() as? URL {
            if (try? item.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                found.append(String(item.standardizedFileURL.path.dropFirst(base.count + 1)))
            }
        }
        return found.sorted()
    }

    static func run(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func copiesTheRuntimeUnchangedAndTheModel() throws {
        let emit = try EmitFolder()
        defer { emit.remove() }
        try SwiftPackageForm.write(into: emit.url, core: "cortex-m4f", triple: "armv7em-none-none-eabi", cpuFlags: Self.m4Flags)
        let sources = SwiftPackageForm.repositorySources
        for module in ["Int8Runtime", "CInt8DSP"] {
            let original = sources.appendingPathComponent(module), copy = emit.package.appendingPathComponent("Sources/\(module)")
            let names = Self.files(under: original)
            #expect(names.count >= 3)
            #expect(Self.files(under: copy) == names, "\(module): the copy holds other files")
            for name in names {
                let same = try Data(contentsOf: original.appendingPathComponent(name)) == Data(contentsOf: copy.appendingPathComponent(name))
                #expect(same, "\(module)/\(name) differs from the repository's")
            }
        }
        let model = emit.package.appendingPathComponent("Sources/EdgeQuantModel")
        #expect(Self.files(under: model) == ["edgequant_model.c", "include/EdgeQuantModel.h", "include/edgequant_model.h"])
        #expect(try String(contentsOf: model.appendingPathComponent("include/edgequant_model.h"), encoding: .utf8) == emit.header)
        #expect(try String(contentsOf: model.appendingPathComponent("edgequant_model.c"), encoding: .utf8) == emit.source)
        let umbrella = try String(contentsOf: model.appendingPathComponent("include/EdgeQuantModel.h"), encoding: .utf8)
        #expect(umbrella.contains("#include \"edgequant_model.h\""))
        #expect(umbrella.contains("edgequant_model_bytes(void) { return edgequant_model_data; }"))
        #expect(Self.files(under: emit.package).filter { !$0.hasPrefix("Sources/") } == ["Package.swift", "README.md", "toolset.json"])
        let modules = try FileManager.default.contentsOfDirectory(atPath: emit.package.appendingPathComponent("Sources").path)
        #expect(modules.sorted() == ["CInt8DSP", "EdgeQuantModel", "Int8Runtime"])
        let readme = try String(contentsOf: emit.package.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("cd swift && swift build -c release --triple armv7em-none-none-eabi --toolset toolset.json"))
    }

    @Test func swiftPMReadsTheManifest() throws {
        let emit = try EmitFolder()
        defer { emit.remove() }
        try SwiftPackageForm.write(into: emit.url, core: "cortex-m0", triple: "armv6m-none-none-eabi", cpuFlags: Self.m0Flags)
        let described = try Self.run(["swift", "package", "describe", "--type", "json"], in: emit.package)
        #expect(described.status == 0, "\(described.output)")
        let json = described.output[described.output.firstIndex(of: "{")!...]
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let products = (manifest["products"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(products.sorted() == ["CInt8DSP", "EdgeQuantModel", "Int8Runtime"])
        let targets = manifest["targets"] as? [[String: Any]] ?? []
        let byName = Dictionary(uniqueKeysWithValues: targets.compactMap { t in (t["name"] as? String).map { ($0, t) } })
        #expect(byName.keys.sorted() == ["CInt8DSP", "EdgeQuantModel", "Int8Runtime"])
        #expect(byName["Int8Runtime"]?["target_dependencies"] as? [String] == ["CInt8DSP"])
        #expect(byName["EdgeQuantModel"]?["module_type"] as? String == "ClangTarget")
        #expect(byName["EdgeQuantModel"]?["sources"] as? [String] == ["edgequant_model.c"])
        let runtimeSources = (byName["Int8Runtime"]?["sources"] as? [String] ?? []).count
        #expect(runtimeSources == Self.files(under: SwiftPackageForm.repositorySources.appendingPathComponent("Int8Runtime"))
            .filter { $0.hasSuffix(".swift") }.count)
    }

    @Test func toolsetCarriesTheCoreFlags() throws {
        let emit = try EmitFolder()
        defer { emit.remove() }
        try SwiftPackageForm.write(into: emit.url, core: "cortex-m4f", triple: "armv7em-none-none-eabi", cpuFlags: Self.m4Flags)
        let data = try Data(contentsOf: emit.package.appendingPathComponent("toolset.json"))
        let toolset = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(toolset["schemaVersion"] as? String == "1.0")
        let swift = (toolset["swiftCompiler"] as? [String: Any])?["extraCLIOptions"] as? [String] ?? []
        let c = (toolset["cCompiler"] as? [String: Any])?["extraCLIOptions"] as? [String] ?? []
        #expect(swift == SwiftPackageForm.swiftFlags(cpuFlags: Self.m4Flags))
        #expect(c == SwiftPackageForm.cFlags(cpuFlags: Self.m4Flags))
        #expect(Array(swift.prefix(3)) == ["-enable-experimental-feature", "Embedded", "-wmo"])
        for flag in Self.m4Flags + ["-fno-pic", "-fshort-enums"] {
            #expect(swift.contains(["-Xcc", flag]), "Swift's Clang importer lacks \(flag)")
            #expect(c.contains(flag), "the C compiler lacks \(flag)")
        }
        #expect(swift.contains(["-Xfrontend", "-disable-stack-protector"]))
        // SwiftPM passes the C flags to Swift's Clang importer too, where these made the kernels 14% slower.
        for slow in ["-ffreestanding", "-fno-builtin"] {
            #expect(!c.contains(slow) && !swift.contains(slow), "\(slow) in the toolset")
        }
    }

    @Test func refusalsNameTheFileAndLeaveNothing() throws {
        for (header, source, missing) in [(false, true, "include/edgequant_model.h"), (true, false, "model/edgequant_model.c")] {
            let emit = try EmitFolder(header: header, source: source)
            defer { emit.remove() }
            #expect(throws: SwiftPackageFormError(file: emit.url.appendingPathComponent(missing).path,
                                                  "missing (the model's header and C array come first)")) {
                try SwiftPackageForm.write(into: emit.url, core: "cortex-m4f", triple: "armv7em-none-none-eabi", cpuFlags: Self.m4Flags)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: emit.url.path).sorted() == ["include", "model"])
        }
        let emit = try EmitFolder()
        defer { emit.remove() }
        let noSources = emit.url.appendingPathComponent("nowhere")
        #expect(throws: SwiftPackageFormError(file: noSources.appendingPathComponent("Int8Runtime").path,
                                              "missing (the runtime sources the package form copies)")) {
            try SwiftPackageForm.write(into: emit.url, core: "cortex-m4f", triple: "armv7em-none-none-eabi",
                                       cpuFlags: Self.m4Flags, sources: noSources)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: emit.url.path).sorted() == ["include", "model"])
        // A file that cannot be read mid-copy (a dangling link among the runtime sources): the error names the
        // package folder and the half-copied temporary folder is gone.
        let broken = emit.url.appendingPathComponent("broken")
        for module in ["Int8Runtime", "CInt8DSP"] {
            try FileManager.default.createDirectory(at: broken.appendingPathComponent(module), withIntermediateDirectories: true)
        }
        try Data("let x = 1\n".utf8).write(to: broken.appendingPathComponent("Int8Runtime/A.swift"))
        try FileManager.default.createSymbolicLink(atPath: broken.appendingPathComponent("Int8Runtime/B.swift").path,
                                                   withDestinationPath: "/nonexistent/B.swift")
        do {
            try SwiftPackageForm.write(into: emit.url, core: "cortex-m4f", triple: "armv7em-none-none-eabi",
                                       cpuFlags: Self.m4Flags, sources: broken)
            Issue.record("a source that cannot be read was accepted")
        } catch {
            #expect(error.message.hasPrefix("\(emit.package.path): cannot write the package form ("), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: emit.url.path).sorted() == ["broken", "include", "model"])
        try FileManager.default.removeItem(at: broken)
        try SwiftPackageForm.write(into: emit.url, core: "cortex-m4f", triple: "armv7em-none-none-eabi", cpuFlags: Self.m4Flags)
        #expect(throws: SwiftPackageFormError(file: emit.package.path, "already exists (the package form is written once)")) {
            try SwiftPackageForm.write(into: emit.url, core: "cortex-m4f", triple: "armv7em-none-none-eabi", cpuFlags: Self.m4Flags)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: emit.url.path).sorted() == ["include", "model", "swift"])
    }

    /// The documented command builds the package for Embedded Swift: Cortex-M4F (the runtime's objects hold SMLAD,
    /// the DSP path) and Cortex-M0 (ARMv6-M: no SMLAD). Tens of seconds per core: only with EDGEQUANT_FIRMWARE=1.
    @Test(arguments: [("cortex-m4f", "armv7em-none-none-eabi", m4Flags, true), ("cortex-m0", "armv6m-none-none-eabi", m0Flags, false)])
    func buildsForEmbeddedSwift(core: String, triple: String, flags: [String], dsp: Bool) throws {
        guard ProcessInfo.processInfo.environment["EDGEQUANT_FIRMWARE"] == "1" else {
            print("skipped: SwiftPM package form build for \(core) (set EDGEQUANT_FIRMWARE=1)")
            return
        }
        let emit = try EmitFolder()
        defer { emit.remove() }
        try SwiftPackageForm.write(into: emit.url, core: core, triple: triple, cpuFlags: flags)
        let build = try Self.run(SwiftPackageForm.buildCommand(triple: triple).split(separator: " ").map(String.init), in: emit.package)
        #expect(build.status == 0, "\(build.output)")
        let objects = emit.package.appendingPathComponent(".build/\(triple)/release")
        let runtime = Self.files(under: objects.appendingPathComponent("Int8Runtime.build")).filter { $0.hasSuffix(".o") }
        #expect(runtime.count > 10, "\(runtime)")
        #expect(FileManager.default.fileExists(atPath: objects.appendingPathComponent("EdgeQuantModel.build/edgequant_model.c.o").path))
        let listing = try Self.run(["llvm-objdump", "-d"] + runtime.map { objects.appendingPathComponent("Int8Runtime.build/\($0)").path }, in: objects)
        #expect(listing.status == 0, "\(listing.output.prefix(500))")
        #expect(listing.output.contains("\tsmlad\t") == dsp, "\(core): SMLAD in the runtime's code should be \(dsp)")
    }
}

/// The Embedded Swift example (Firmware-Sim/examples/swift) built by SwiftPM from a folder `quantize --emit` wrote,
/// run on QEMU, every output byte equal to `edge-sim run`'s: resnet on netduinoplus2 (Cortex-M4F), and tiny-mnist on
/// microbit (Cortex-M0) when Models/tiny-mnist.bin is present. Tens of seconds each: only with EDGEQUANT_FIRMWARE=1.
@Suite("Swift example firmware")
struct SwiftExampleFirmwareTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(arguments: [("Models/resnet-mnist.bin", "cortex-m4f", "netduinoplus2"), ("Models/tiny-mnist.bin", "cortex-m0", "microbit")])
    func matchesEdgeSim(model: String, target: String, machine: String) throws {
        guard ProcessInfo.processInfo.environment["EDGEQUANT_FIRMWARE"] == "1",
              FileManager.default.isExecutableFile(atPath: "/usr/bin/qemu-system-arm") else {
            print("skipped: Swift example firmware on \(machine) (set EDGEQUANT_FIRMWARE=1, needs qemu-system-arm)")
            return
        }
        guard FileManager.default.fileExists(atPath: Self.repository.appendingPathComponent(model).path) else {
            print("skipped: Swift example firmware on \(machine) (no \(model))")
            return
        }
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("swift-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let emit = work.appendingPathComponent("out").path
        let quantize = try SwiftPackageFormTests.run([products.appendingPathComponent("quantize").path, model, "-o",
                                                      work.appendingPathComponent("m.q8").path, "--emit", emit, "--target", target],
                                                     in: Self.repository)
        #expect(quantize.status == 0, "\(quantize.output)")
        let run = try SwiftPackageFormTests.run(["env", "EDGE_SIM=\(products.appendingPathComponent("edge-sim").path)", "python3",
                                                 "Firmware-Sim/examples/swift/run", "--emit", emit, "--machine", machine, "--quiet",
                                                 "--build-dir", work.appendingPathComponent("build").path],
                                                in: Self.repository)
        print("Swift example on \(machine): " + (run.output.split(separator: "\n").last.map(String.init) ?? ""))
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("bit-exact 14/14,"), "\(run.output)")
    }
}
