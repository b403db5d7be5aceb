/// The cores `quantize --emit --target` builds libedgequant.a for: one table (the Q8Layout pattern), read by the
/// library build, the emitted edgequant.mk and README, and docs/deploy.md.
public struct DeployTarget: Equatable, Sendable {
    /// The --target name: "cortex-m4f".
    public var name: String
    /// The Embedded Swift target the toolchain has a standard library for.
    public var swiftTarget: String
    /// -mcpu and float ABI for Swift's code generation and its C imports (passed as -Xcc flags).
    public var cpuFlags: [String]
    /// The gcc flags the user's firmware must be compiled and linked with (EDGEQUANT_CPU_FLAGS).
    public var gccFlags: [String]
    /// Whether the int8 kernels use the ARMv7E-M DSP instructions (SMLAD, SXTB16) on this core.
    public var dsp: Bool
    /// The core's name in boards.json, when the catalog has one (the measured figures and --board's core).
    public var catalogCore: String?
    /// What the build does for this core, for the emitted README.
    public var note: String

    public static let all: [DeployTarget] = [
        DeployTarget(name: "cortex-m0", swiftTarget: "armv6m-none-none-eabi",
                     cpuFlags: ["-mcpu=cortex-m0", "-mfloat-abi=soft"],
                     gccFlags: ["-mcpu=cortex-m0", "-mthumb", "-mfloat-abi=soft"], dsp: false, catalogCore: "cortex-m0",
                     note: "ARMv6-M: portable C paths (no DSP, no unaligned access), soft float"),
        DeployTarget(name: "cortex-m0plus", swiftTarget: "armv6m-none-none-eabi",
                     cpuFlags: ["-mcpu=cortex-m0plus", "-mfloat-abi=soft"],
                     gccFlags: ["-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft"], dsp: false, catalogCore: "cortex-m0plus",
                     note: "ARMv6-M: portable C paths (no DSP, no unaligned access), soft float"),
        DeployTarget(name: "cortex-m3", swiftTarget: "armv7em-none-none-eabi",
                     cpuFlags: ["-mcpu=cortex-m3", "-mfloat-abi=soft"],
                     gccFlags: ["-mcpu=cortex-m3", "-mthumb", "-mfloat-abi=soft"], dsp: false, catalogCore: "cortex-m3",
                     note: "ARMv7-M: portable C paths (no DSP), soft float (the toolchain's armv7em library, code generated for the M3)"),
        DeployTarget(name: "cortex-m4f", swiftTarget: "armv7em-none-none-eabi",
                     cpuFlags: ["-mcpu=cortex-m4", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"],
                     gccFlags: ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"], dsp: true, catalogCore: "cortex-m4f",
                     note: "ARMv7E-M: DSP paths (SMLAD, SXTB16), single-precision FPU, hard-float ABI"),
        DeployTarget(name: "cortex-m7", swiftTarget: "armv7em-none-none-eabi",
                     cpuFlags: ["-mcpu=cortex-m7", "-mfloat-abi=hard", "-mfpu=fpv5-d16"],
                     gccFlags: ["-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-d16"], dsp: true, catalogCore: "cortex-m7",
                     note: "ARMv7E-M: DSP paths (SMLAD, SXTB16), double-precision FPU, hard-float ABI"),
        DeployTarget(name: "cortex-m33", swiftTarget: "armv7em-none-none-eabi",
                     cpuFlags: ["-mcpu=cortex-m33", "-mfloat-abi=hard", "-mfpu=fpv5-sp-d16"],
                     gccFlags: ["-mcpu=cortex-m33", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-sp-d16"], dsp: true, catalogCore: "cortex-m33",
                     note: "ARMv8-M Mainline with the DSP extension: the toolchain has no armv8m Embedded standard library, so the "
                         + "armv7em one is used with code generated for -mcpu=cortex-m33 (objects tagged v8-M.mainline, DSP paths), hard-float ABI"),
    ]

    /// The target called `name` (case-insensitive).
    public static func named(_ name: String) -> DeployTarget? {
        all.first { $0.name == name.lowercased() }
    }

    /// The target whose boards.json core is `core` ("cortex-m4f"), for inferring --target from --board.
    public static func forCatalogCore(_ core: String) -> DeployTarget? {
        all.first { $0.catalogCore == core } ?? named(core)
    }

    public static var names: String { all.map(\.name).joined(separator: ", ") }
}
