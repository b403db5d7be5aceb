import Foundation
import OneLineError

/// The SwiftPM package form of an emitted folder: `DIR/swift`, for firmware written in Embedded Swift.
///
/// `quantize --emit DIR` writes it after `DIR/include/edgequant_model.h` and `DIR/model/edgequant_model.c`:
/// ```
/// DIR/swift/Package.swift        products Int8Runtime, CInt8DSP, EdgeQuantModel (the same for every core)
/// DIR/swift/toolset.json         the core's flags: Embedded, -wmo, -mcpu/-mfloat-abi/-mfpu, -fno-pic, ...
/// DIR/swift/README.md            the build command and how a firmware package depends on this one
/// DIR/swift/Sources/Int8Runtime  a copy of Sources/Int8Runtime, every file unchanged
/// DIR/swift/Sources/CInt8DSP     a copy of Sources/CInt8DSP (the DSP intrinsics header and its module map)
/// DIR/swift/Sources/EdgeQuantModel  the emitted edgequant_model.c and .h, and EdgeQuantModel.h (the module's
///                                umbrella: edgequant_model_bytes(), since Swift imports a C array as a tuple
///                                and rejects one of a model's size: resnet's 90,028 bytes are an "invalid
///                                declaration")
/// ```
/// Built with `swift build -c release --triple TRIPLE --toolset toolset.json` (docs/deploy.md, "Embedded Swift
/// (SwiftPM package form)"). The runtime is copied, not rewritten: what runs on the board is the code the host
/// tests check.
public enum SwiftPackageForm {
    /// The folder name inside the emitted folder.
    public static let folderName = "swift"

    /// The repository's `Sources` folder of this build (holding Int8Runtime and CInt8DSP), from this file's path.
    public static var repositorySources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Writes `emitFolder/swift` for one core, from `emitFolder/include/edgequant_model.h`,
    /// `emitFolder/model/edgequant_model.c` and the runtime sources under `sources` (Int8Runtime, CInt8DSP).
    /// `triple` is the Embedded Swift target (armv7em-none-none-eabi, armv6m-none-none-eabi); `cpuFlags` the gcc
    /// flags of the core (`-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16`), given to Swift's Clang
    /// importer too: CInt8DSP's header picks the DSP path from them. Written to a temporary sibling, then renamed:
    /// never half written.
    public static func write(into emitFolder: URL, core: String, triple: String, cpuFlags: [String],
                             sources: URL = repositorySources) throws(SwiftPackageFormError) {
        let files = FileManager.default
        let target = emitFolder.appendingPathComponent(folderName)
        guard !files.fileExists(atPath: target.path) else {
            throw SwiftPackageFormError(file: target.path, "already exists (the package form is written once)")
        }
        let header = emitFolder.appendingPathComponent("include/edgequant_model.h")
        let model = emitFolder.appendingPathComponent("model/edgequant_model.c")
        for input in [header, model] where !files.fileExists(atPath: input.path) {
            throw SwiftPackageFormError(file: input.path, "missing (the model's header and C array come first)")
        }
        let runtime = sources.appendingPathComponent("Int8Runtime"), dsp = sources.appendingPathComponent("CInt8DSP")
        for folder in [runtime, dsp] where !isFolder(folder) {
            throw SwiftPackageFormError(file: folder.path, "missing (the runtime sources the package form copies)")
        }
        let partial = emitFolder.appendingPathComponent(".\(folderName).partial-\(UUID().uuidString)")
        do {
            let out = partial.appendingPathComponent("Sources")
            try files.createDirectory(at: out.appendingPathComponent("EdgeQuantModel/include"),
                                      withIntermediateDirectories: true)
            try copyTree(runtime, to: out.appendingPathComponent("Int8Runtime"))
            try copyTree(dsp, to: out.appendingPathComponent("CInt8DSP"))
            try files.copyItem(at: header, to: out.appendingPathComponent("EdgeQuantModel/include/edgequant_model.h"))
            try files.copyItem(at: model, to: out.appendingPathComponent("EdgeQuantModel/edgequant_model.c"))
            try Data(modelUmbrellaHeader.utf8).write(to: out.appendingPathComponent("EdgeQuantModel/include/EdgeQuantModel.h"))
            try Data(packageManifest.utf8).write(to: partial.appendingPathComponent("Package.swift"))
            try Data(toolset(cpuFlags: cpuFlags).utf8).write(to: partial.appendingPathComponent("toolset.json"))
            try Data(readme(core: core, triple: triple).utf8).write(to: partial.appendingPathComponent("README.md"))
            try files.moveItem(at: partial, to: target)
        } catch {
            try? files.removeItem(at: partial)
            throw SwiftPackageFormError(file: target.path, "cannot write the package form (\(error.localizedDescription))")
        }
    }

    private static func isFolder(_ url: URL) -> Bool {
        var folder: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &folder) && folder.boolValue
    }

    /// Every file under `from`, copied unchanged (only regular files and folders: no links into the checkout).
    private static func copyTree(_ from: URL, to: URL) throws {
        let files = FileManager.default
        try files.createDirectory(at: to, withIntermediateDirectories: true)
        for name in try files.contentsOfDirectory(atPath: from.path).sorted() {
            let source = from.appendingPathComponent(name), destination = to.appendingPathComponent(name)
            if isFolder(source) {
                try copyTree(source, to: destination)
            } else {
                try Data(contentsOf: source).write(to: destination)
            }
        }
    }

    /// Package.swift: the same for every core (the core lives in toolset.json), so it also builds for the host.
    public static let packageManifest = """
        // swift-tools-version: 6.0
        // EdgeQuant's int8 runtime and one model, for firmware written in Embedded Swift (written by quantize --emit).
        // Build for the core with toolset.json; see README.md.
        import PackageDescription

        let package = Package(
            name: "EdgeQuant",
            products: [
                // The runtime: Q8Model(validating:), Int8Interpreter.inputBuffer/outputBuffer/invoke.
                .library(name: "Int8Runtime", targets: ["Int8Runtime"]),
                // The DSP intrinsics (SMLAD, SXTB16) the runtime's fast kernels use, with portable C fallbacks.
                .library(name: "CInt8DSP", targets: ["CInt8DSP"]),
                // The model: edgequant_model_bytes(), EDGEQUANT_MODEL_SIZE, EDGEQUANT_MODEL_ARENA_SIZE, ...
                .library(name: "EdgeQuantModel", targets: ["EdgeQuantModel"]),
            ],
            targets: [
                .target(name: "Int8Runtime", dependencies: ["CInt8DSP"]),
                .target(name: "CInt8DSP"),
                .target(name: "EdgeQuantModel"),
            ]
        )

        """

    /// The model module's umbrella header: the emitted constants, and the array's address as a function.
    static let modelUmbrellaHeader = """
        // The EdgeQuantModel module (written by quantize --emit): edgequant_model.h's constants and array, and the
        // array's address as a function (Swift imports a C array as a tuple, and one of a model's size not at all).
        // In Swift:
        //   UnsafeRawBufferPointer(start: edgequant_model_bytes(), count: Int(EDGEQUANT_MODEL_SIZE))
        #ifndef EDGEQUANT_MODEL_MODULE_H
        #define EDGEQUANT_MODEL_MODULE_H
        #include "edgequant_model.h"

        static inline const uint8_t *edgequant_model_bytes(void) { return edgequant_model_data; }

        #endif

        """

    /// The Swift and C flags an Embedded Swift build for the core needs. Why each: Embedded needs whole-module
    /// builds; without -fno-pic Swift emits GOT-relative code that faults on the first indirect call; without
    /// -disable-stack-protector the link pulls __stack_chk_fail and with it libc; -fshort-enums matches
    /// arm-none-eabi-gcc's enums; function sections let the linker drop what the firmware does not call.
    public static func swiftFlags(cpuFlags: [String]) -> [String] {
        ["-enable-experimental-feature", "Embedded", "-wmo"]
            + (cpuFlags + ["-fshort-enums", "-fno-pic"]).flatMap { ["-Xcc", $0] }
            + ["-Xfrontend", "-function-sections", "-Xfrontend", "-disable-stack-protector"]
    }

    /// The flags of the package's C files (CInt8DSP, EdgeQuantModel) and the firmware's own. SwiftPM also hands
    /// them to Swift's Clang importer, which compiles CInt8DSP's inline helpers into the Swift code: no
    /// -ffreestanding here, nor the -fno-builtin it implies (with it, the resnet example on Cortex-M4F ran 8.63 M
    /// instead of 7.57 M instructions per inference, Firmware-Sim/examples/swift). A firmware's own memcpy and
    /// memset need -ffreestanding on its own C target only (the example's Board target).
    public static func cFlags(cpuFlags: [String]) -> [String] {
        cpuFlags + ["-fshort-enums", "-fno-pic", "-ffunction-sections", "-fdata-sections"]
    }

    /// toolset.json (SwiftPM's toolset format, schema 1.0) for the core.
    static func toolset(cpuFlags: [String]) -> String {
        func list(_ flags: [String]) -> String { flags.map { "\"\($0)\"" }.joined(separator: ", ") }
        return """
            {
              "schemaVersion": "1.0",
              "swiftCompiler": { "extraCLIOptions": [\(list(swiftFlags(cpuFlags: cpuFlags)))] },
              "cCompiler": { "extraCLIOptions": [\(list(cFlags(cpuFlags: cpuFlags)))] }
            }

            """
    }

    /// The build command for the core, as the README and docs/deploy.md give it (run in DIR/swift).
    public static func buildCommand(triple: String) -> String {
        "swift build -c release --triple \(triple) --toolset toolset.json"
    }

    /// DIR/swift/README.md; its text from "## Embedded Swift" on is also what DIR/README.md may include.
    static func readme(core: String, triple: String) -> String {
        """
        # EdgeQuant for Embedded Swift (\(core))

        \(readmeSection(core: core, triple: triple))
        """
    }

    /// The section on the package form for an emitted README (DIR/README.md): the command and how to use it.
    public static func readmeSection(core: String, triple: String) -> String {
        """
        ## Embedded Swift (SwiftPM package form)

        `swift/` is a Swift package with the runtime (`Int8Runtime`, the sources EdgeQuant tests, unchanged), its
        DSP header (`CInt8DSP`) and this model (`EdgeQuantModel`). `swift/toolset.json` holds the \(core) flags
        (Embedded Swift, whole-module, `-mcpu`, float ABI, `-fno-pic`, no stack protector). Build it with
        Swift 6.3 (checked with 6.3.1; its Embedded standard library for `\(triple)`):

        ```
        cd swift && \(buildCommand(triple: triple))
        ```

        In a firmware package: `.package(path: "PATH/TO/swift")` and, in the firmware's target,
        `.product(name: "Int8Runtime", package: "swift")` and `.product(name: "EdgeQuantModel", package: "swift")`
        (the firmware's own folder must not also be named `swift`: SwiftPM names packages by folder). Build the
        firmware with the same `--triple` and `--toolset swift/toolset.json`; a `.library(type: .static)` product
        holding the firmware's target is an archive of every object (runtime and model included) to link with the
        startup code and linker script (`arm-none-eabi-gcc -nostdlib -T link.ld ... -lgcc`). No heap: a link that
        asks for malloc, free or posix_memalign means something allocated.

        ```swift
        import EdgeQuantModel
        import Int8Runtime

        let model = try Q8Model(validating: UnsafeRawBufferPointer(start: edgequant_model_bytes(),
                                                                   count: Int(EDGEQUANT_MODEL_SIZE)))
        // arena: EDGEQUANT_MODEL_ARENA_SIZE bytes, 16-byte aligned, e.g. a static C array
        let input = Int8Interpreter.inputBuffer(model, arena: arena)    // write the int8 input here
        try Int8Interpreter.invoke(model, arena: arena)
        let output = Int8Interpreter.outputBuffer(model, arena: arena)  // the int8 output
        ```

        """
    }
}

/// Why the package form could not be written: one line naming the file and the problem.
public struct SwiftPackageFormError: OneLineError {
    public let message: String
    public init(_ message: String) { self.message = message }
}
