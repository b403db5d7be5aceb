// swift-tools-version: 6.0
// The Swift example firmware: depends on the package form `quantize --emit DIR` writes to DIR/swift.
// Built by ./run (EDGEQUANT_EMIT=DIR selects the emitted folder; see README.md).
import PackageDescription

let emitted = Context.environment["EDGEQUANT_EMIT"] ?? "../../../../out"
// The QEMU machine (./run sets it): its startup.c, the C example's, is the one the Board target compiles.
let machines = ["netduinoplus2", "microbit"]
let machine = Context.environment["EDGEQUANT_MACHINE"] ?? "netduinoplus2"

let package = Package(
    name: "SwiftExample",
    products: [
        // Everything the firmware needs but startup's link: the Swift main, the board support, the runtime and model.
        .library(name: "Firmware", type: .static, targets: ["Firmware"]),
    ],
    dependencies: [
        .package(path: "\(emitted)/swift"),
    ],
    targets: [
        .target(name: "Firmware", dependencies: [
            "Board",
            .product(name: "Int8Runtime", package: "swift"),
            .product(name: "EdgeQuantModel", package: "swift"),
        ]),
        // The C examples' board support, as symlinks: board.c and include/board.h (../../common: semihosting, the
        // instruction clock, stack painting, faults, reset, memory functions) and <machine>/startup.c (vectors, the
        // core's set-up); example.c adds main, the arena (sized by edgequant_model.h) and the samples.
        // -ffreestanding on this target only: its memcpy and memset must not compile into calls to themselves (in the
        // toolset it would also reach Swift's Clang importer and slow the kernels, see SwiftPackageForm.cFlags).
        .target(name: "Board", dependencies: [.product(name: "EdgeQuantModel", package: "swift")],
                exclude: machines.filter { $0 != machine },
                cSettings: [.unsafeFlags(["-ffreestanding"])]),
    ]
)
