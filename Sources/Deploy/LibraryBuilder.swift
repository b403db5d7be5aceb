import Foundation

/// libedgequant.a for one core: the Int8Runtime sources and Sources/EdgeQuantC/EdgeQuantAPI.swift compiled as ONE
/// Embedded Swift module with the toolchain's swiftc, reduced to what the eq_* functions reach, and archived.
///
/// Steps (each tool from the toolchain that provides `swiftc`):
/// 1. `swiftc -target <core's> -enable-experimental-feature Embedded -wmo -Osize -D EDGEQUANT_LIBRARY -c` → one object
///    (one module: the runtime's constants are not duplicated across a module boundary, the C API inlines into it).
/// 2. `ld.lld -r --gc-sections -u eq_...`: a relocatable object rooted at the eq_* symbols. The plain object also holds
///    the Embedded stdlib's allocation and hashing code (undefined free, posix_memalign, arc4random_buf); none of it is
///    reachable from the API, so none is left.
/// 3. `llvm-objcopy --keep-global-symbol=eq_...`: every other symbol made local (no clash with a firmware's own
///    Swift).
/// 4. `llvm-nm -u`: the build fails unless every undefined symbol is memcpy/memmove/memset (or an __aeabi_ form) or a
///    compiler helper libgcc provides (__aeabi_l*, __aeabi_idiv, __clzsi2...). A lazily initialized global in the
///    runtime would show here as swift_once's __atomic_*_4 calls (ARMv6-M has no LDREX/STREX and bare-metal
///    toolchains ship no libatomic): keep the runtime's globals constant-foldable (Q8Layout.maxWork is a literal).
/// 5. `llvm-ar rcs libedgequant.a`.
///
/// Built libraries are cached under `<source root>/.build/edgequant-lib/<core>-<key>/`, the key hashing the core,
/// the flags, the toolchain's version and every source byte: repeated emits and CI reuse them.
public struct LibraryBuilder: Sendable {
    /// The C API's symbols: the roots of the link, and the only global symbols left.
    public static let apiSymbols = [
        "eq_status_name", "eq_init", "eq_error_detail", "eq_arena_size", "eq_op_count", "eq_input", "eq_input_size",
        "eq_output", "eq_output_size", "eq_invoke", "eq_invoke_with_hook",
    ]

    /// -Osize: measured on Cortex-M4F (docs/deploy.md, "Optimization"): the library's code is about a third smaller
    /// than with -O for about 2% more instructions per inference. EDGEQUANT_LIBRARY_OPTIMIZATION=-O overrides it (to
    /// repeat that measurement); the flag is part of the cache key.
    public static var optimization: String {
        let asked = ProcessInfo.processInfo.environment["EDGEQUANT_LIBRARY_OPTIMIZATION"] ?? ""
        return ["-O", "-Osize"].contains(asked) ? asked : "-Osize"
    }

    public let sources: SourceTree
    public let toolchain: Toolchain
    public let cacheDirectory: URL

    public init(sources: SourceTree, toolchain: Toolchain, cacheDirectory: URL? = nil) {
        self.sources = sources
        self.toolchain = toolchain
        self.cacheDirectory = cacheDirectory ?? sources.root.appendingPathComponent(".build/edgequant-lib")
    }

    /// The sources and toolchain found the usual way (`SourceTree.locate()`, `Toolchain.locate()`).
    public static func standard() throws(DeployError) -> LibraryBuilder {
        LibraryBuilder(sources: try SourceTree.locate(), toolchain: try Toolchain.locate())
    }

    /// Part of the cache key: bump it when the steps below change in a way their flags do not show.
    static let recipeVersion = 1

    /// ld.lld's flags (step 2) and llvm-objcopy's (step 3): part of the cache key like the Swift flags.
    static var linkFlags: [String] { ["-r", "--gc-sections"] + apiSymbols.flatMap { ["-u", $0] } }
    static var localizeFlags: [String] { apiSymbols.map { "--keep-global-symbol=\($0)" } }

    /// Swift flags for `target` (without the sources and output).
    public static func swiftFlags(_ target: DeployTarget, sources: SourceTree) -> [String] {
        var flags = ["-target", target.swiftTarget, "-enable-experimental-feature", "Embedded", "-wmo", optimization,
                     "-parse-as-library", "-module-name", "EdgeQuant", "-D", "EDGEQUANT_LIBRARY"]
        for flag in target.cpuFlags + ["-fshort-enums", "-fno-pic"] { flags += ["-Xcc", flag] }
        // -fno-pic: without it Swift emits GOT-relative code that faults on Cortex-M; no stack protector: it would need
        // __stack_chk_fail from a libc (docs/../shared notes on Embedded Swift).
        flags += ["-Xfrontend", "-function-sections", "-Xfrontend", "-disable-stack-protector",
                  "-I", sources.dspInclude.path]
        return flags
    }

    /// The cached or freshly built library for `target`.
    public func build(_ target: DeployTarget) throws(DeployError) -> BuiltLibrary {
        let inputs = try sources.inputs(for: target)
        var key = StableHash()
        key.add("recipe \(Self.recipeVersion)")
        key.add(target.name)
        key.add(Self.swiftFlags(target, sources: sources).joined(separator: " "))
        key.add(Self.linkFlags.joined(separator: " "))
        key.add(Self.localizeFlags.joined(separator: " "))
        key.add(toolchain.version)
        for file in inputs {
            key.add(file.lastPathComponent)
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw DeployError(file: file.path, "cannot be read (a source of libedgequant.a)")
            }
            key.add(data)
        }
        let folder = cacheDirectory.appendingPathComponent("\(target.name)-\(key.hex)")
        if let built = try? BuiltLibrary(folder: folder, target: target) { return built }

        let fm = FileManager.default
        do { try fm.createDirectory(at: cacheDirectory, withIntermediateDirectories: true) } catch {
            throw DeployError(file: cacheDirectory.path, "cannot create the library cache folder")
        }
        let work = cacheDirectory.appendingPathComponent(".tmp-\(target.name)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0 ... .max))")
        try? fm.removeItem(at: work)
        do { try fm.createDirectory(at: work, withIntermediateDirectories: true) } catch {
            throw DeployError(file: work.path, "cannot create a build folder")
        }
        defer { try? fm.removeItem(at: work) }
        let swiftSources = inputs.filter { $0.pathExtension == "swift" }
        let swiftObject = work.appendingPathComponent("edgequant_swift.o")
        try toolchain.run(toolchain.swiftc, Self.swiftFlags(target, sources: sources) + ["-c"] + swiftSources.map(\.path) + ["-o", swiftObject.path],
                          what: "swiftc (libedgequant.a for \(target.name))", in: work)
        let objects = [swiftObject.path]
        let linked = work.appendingPathComponent("edgequant_linked.o")
        try toolchain.run(toolchain.ldLLD, Self.linkFlags + objects + ["-o", linked.path],
                          what: "ld.lld -r (libedgequant.a for \(target.name))", in: work)
        let object = work.appendingPathComponent(BuiltLibrary.objectName)
        try toolchain.run(toolchain.objcopy, Self.localizeFlags + [linked.path, object.path],
                          what: "llvm-objcopy (libedgequant.a for \(target.name))", in: work)
        let undefined = try toolchain.run(toolchain.nm, ["-u", "--just-symbol-name", object.path], what: "llvm-nm", in: work)
            .split(whereSeparator: \.isNewline).map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let foreign = undefined.filter { !Self.allowedUndefined($0) }
        guard foreign.isEmpty else {
            // __atomic_*: swift_once, i.e. a runtime global Swift could not fold to a constant (ARMv6-M has no LDREX/STREX).
            let lazyGlobal = foreign.contains { $0.hasPrefix("__atomic_") || $0 == "swift_once" }
                ? "; __atomic_* means a lazily initialized global in the runtime: write it as a literal" : ""
            throw DeployError("libedgequant.a for \(target.name) needs \(foreign.joined(separator: ", ")) from the firmware "
                + "(only memcpy/memmove/memset and compiler helpers are allowed: the library must not allocate\(lazyGlobal))")
        }
        let defined = try toolchain.run(toolchain.nm, ["-g", "--defined-only", "--just-symbol-name", object.path], what: "llvm-nm", in: work)
            .split(whereSeparator: \.isNewline).map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard Set(defined) == Set(Self.apiSymbols) else {
            throw DeployError("libedgequant.a for \(target.name): global symbols \(defined.sorted()) are not exactly the C API's")
        }
        try toolchain.run(toolchain.ar, ["rcs", work.appendingPathComponent(BuiltLibrary.archiveName).path, object.path],
                          what: "llvm-ar (libedgequant.a for \(target.name))", in: work)
        try? fm.removeItem(at: swiftObject)
        try? fm.removeItem(at: linked)
        for object in objects { try? fm.removeItem(atPath: object) }
        // Another build of the same key may have won the race: its result is as good.
        do { try fm.moveItem(at: work, to: folder) } catch {
            if let built = try? BuiltLibrary(folder: folder, target: target) { return built }
            throw DeployError(file: folder.path, "cannot store the built library")
        }
        return try BuiltLibrary(folder: folder, target: target)
    }

    /// What a firmware may be asked to provide: the C library's memory functions (and their ARM EABI forms) and the
    /// helpers the compiler itself calls (libgcc: 64-bit shifts and division, integer division on ARMv6-M, ...).
    public static func allowedUndefined(_ symbol: String) -> Bool {
        if ["memcpy", "memmove", "memset"].contains(symbol) { return true }
        if symbol.hasPrefix("__aeabi_") { return true }  // __aeabi_memcpy*, memset*, memclr*, l*, idiv... (RTABI helpers)
        // libgcc's bit and arithmetic helpers: __clzsi2, __ctzdi2, __popcountsi2, __udivmoddi4, ...
        let helpers = ["__clz", "__ctz", "__popcount", "__ffs", "__udivmod", "__divmod", "__mul", "__div", "__udiv", "__mod", "__umod",
                       "__ashl", "__ashr", "__lshr"]
        return helpers.contains { symbol.hasPrefix($0) }
    }
}

/// A built library in its cache folder, with its sizes read from the object inside.
public struct BuiltLibrary: Sendable {
    static let archiveName = "libedgequant.a"
    static let objectName = "edgequant.o"

    public var target: DeployTarget
    public var archive: URL
    /// Bytes the library places in flash: code, read-only data, unwind index (every allocated, read-only section).
    public var codeBytes: Int
    /// Bytes of static SRAM: initialized data (copied from flash too) and zero-initialized data.
    public var dataBytes: Int
    public var bssBytes: Int
    public var staticSRAMBytes: Int { dataBytes + bssBytes }

    init(folder: URL, target: DeployTarget) throws(DeployError) {
        let archive = folder.appendingPathComponent(Self.archiveName), object = folder.appendingPathComponent(Self.objectName)
        guard FileManager.default.fileExists(atPath: archive.path), let bytes = FileManager.default.contents(atPath: object.path) else {
            throw DeployError(file: folder.path, "no built library")
        }
        let sizes = try ELFSizes(Array(bytes), file: object.path)
        self.target = target
        self.archive = archive
        codeBytes = sizes.code
        dataBytes = sizes.data
        bssBytes = sizes.bss
    }
}

/// Allocated section sizes of a 32-bit little-endian ELF object.
struct ELFSizes {
    var code = 0, data = 0, bss = 0

    init(_ bytes: [UInt8], file: String) throws(DeployError) {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard bytes.count >= 52, bytes[0 ..< 4] == [0x7F, 0x45, 0x4C, 0x46], bytes[4] == 1, bytes[5] == 1 else {
            throw DeployError(file: file, "not a 32-bit little-endian ELF object")
        }
        let offset = u32(0x20), entrySize = u16(0x2E), count = u16(0x30)
        guard entrySize >= 40, offset > 0, offset + count * entrySize <= bytes.count else {
            throw DeployError(file: file, "section table outside the file")
        }
        for i in 0 ..< count {
            let at = offset + i * entrySize
            let kind = u32(at + 4), flags = u32(at + 8), size = u32(at + 20)
            guard flags & 0x2 != 0 else { continue }  // SHF_ALLOC
            if kind == 8 { bss += size }  // SHT_NOBITS
            else if flags & 0x1 != 0 { data += size }  // SHF_WRITE
            else { code += size }
        }
    }
}

/// Where the library's sources are: this checkout (found from this file's path at compile time) or
/// EDGEQUANT_SOURCE_ROOT.
public struct SourceTree: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// EDGEQUANT_SOURCE_ROOT when set, else the checkout this tool was built from; checked for the sources.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              filePath: String = #filePath) throws(DeployError) -> SourceTree {
        let root: URL
        let why: String
        if let override = environment["EDGEQUANT_SOURCE_ROOT"], !override.isEmpty {
            root = URL(fileURLWithPath: override)
            why = "EDGEQUANT_SOURCE_ROOT=\(override)"
        } else {
            // <root>/Sources/Deploy/LibraryBuilder.swift
            root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            why = "\(root.path) (the checkout quantize was built from; set EDGEQUANT_SOURCE_ROOT to another)"
        }
        let tree = SourceTree(root: root)
        for needed in [tree.runtime, tree.api, tree.header, tree.dspInclude] where !FileManager.default.fileExists(atPath: needed.path) {
            throw DeployError("\(why): no \(needed.path) (the sources libedgequant.a is built from)")
        }
        return tree
    }

    public var runtime: URL { root.appendingPathComponent("Sources/Int8Runtime") }
    public var api: URL { root.appendingPathComponent("Sources/EdgeQuantC/EdgeQuantAPI.swift") }
    /// The C header handed out with the library.
    public var header: URL { root.appendingPathComponent("Sources/EdgeQuantC/edgequant.h") }
    public var dspInclude: URL { root.appendingPathComponent("Sources/CInt8DSP/include") }

    /// Every file the library for `target` is built from, in a fixed order (the runtime's .swift files sorted).
    func inputs(for target: DeployTarget) throws(DeployError) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: runtime, includingPropertiesForKeys: nil) else {
            throw DeployError(file: runtime.path, "cannot be listed")
        }
        let runtimeSources = walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
            .sorted { $0.path < $1.path }
        guard !runtimeSources.isEmpty else { throw DeployError(file: runtime.path, "holds no .swift sources") }
        var files = runtimeSources + [api]
        let dsp = (try? FileManager.default.contentsOfDirectory(at: dspInclude, includingPropertiesForKeys: nil)) ?? []
        files += dsp.sorted { $0.path < $1.path }
        return files
    }
}

/// The Swift toolchain's tools: swiftc on PATH, and ld.lld, llvm-ar, llvm-objcopy, llvm-nm beside it.
public struct Toolchain: Sendable {
    public let swiftc: URL, ldLLD: URL, ar: URL, objcopy: URL, nm: URL
    /// `swiftc -version`'s first line (part of the cache key).
    public let version: String

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(DeployError) -> Toolchain {
        let path = environment["PATH"] ?? ""
        guard let found = path.split(separator: ":").map({ URL(fileURLWithPath: String($0)).appendingPathComponent("swiftc") })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw DeployError("swiftc: not found on PATH (the Swift toolchain builds libedgequant.a)")
        }
        let bin = found.resolvingSymlinksInPath().deletingLastPathComponent()
        func tool(_ name: String) throws(DeployError) -> URL {
            let url = bin.appendingPathComponent(name)
            guard FileManager.default.isExecutableFile(atPath: url.path) else {
                throw DeployError("\(url.path): not found (the Swift toolchain beside swiftc should have it)")
            }
            return url
        }
        let swiftc = try tool("swiftc")
        let partial = Toolchain(swiftc: swiftc, ldLLD: try tool("ld.lld"), ar: try tool("llvm-ar"),
                                objcopy: try tool("llvm-objcopy"), nm: try tool("llvm-nm"), version: "")
        let version = try partial.run(swiftc, ["-version"], what: "swiftc -version", in: FileManager.default.temporaryDirectory)
        return Toolchain(swiftc: swiftc, ldLLD: partial.ldLLD, ar: partial.ar, objcopy: partial.objcopy,
                         nm: partial.nm, version: version.split(whereSeparator: \.isNewline).first.map(String.init) ?? "")
    }

    init(swiftc: URL, ldLLD: URL, ar: URL, objcopy: URL, nm: URL, version: String) {
        (self.swiftc, self.ldLLD, self.ar, self.objcopy, self.nm, self.version) = (swiftc, ldLLD, ar, objcopy, nm, version)
    }

    /// Runs `tool`; its standard output, or one line naming `what` and the tool's first error line.
    @discardableResult
    func run(_ tool: URL, _ arguments: [String], what: String, in folder: URL) throws(DeployError) -> String {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let output = folder.appendingPathComponent(".out-\(UInt32.random(in: 0 ... .max))")
        let errors = folder.appendingPathComponent(".err-\(UInt32.random(in: 0 ... .max))")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(at: errors)
        }
        do {
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
        } catch {
            throw DeployError("\(what): \(tool.path) cannot be started")
        }
        process.waitUntilExit()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            let lines = ((try? String(contentsOf: errors, encoding: .utf8)) ?? "").split(whereSeparator: \.isNewline).map(String.init)
            let line = lines.first { $0.lowercased().contains("error") } ?? lines.first ?? "exit status \(process.terminationStatus)"
            throw DeployError("\(what): failed (\(line))")
        }
        return text
    }
}

/// FNV-1a over everything added, twice with different seeds: a 128-bit key for the build cache (not a security hash).
struct StableHash {
    private var a: UInt64 = 0xCBF2_9CE4_8422_2325, b: UInt64 = 0x6C62_272E_07BB_0142

    mutating func add(_ text: String) { add(Data(text.utf8)); add(Data([0])) }
    mutating func add(_ data: Data) {
        for byte in data {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 ^ (b >> 29)
        }
    }

    var hex: String { String(format: "%016llx%016llx", a, b) }
}
