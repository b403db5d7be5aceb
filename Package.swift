// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "EdgeQuant",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "edge-sim", targets: ["edge-sim"]),
        .executable(name: "quantize", targets: ["quantize"]),
        .library(name: "ModelFormat", targets: ["ModelFormat"]),
        .library(name: "FloatEngine", targets: ["FloatEngine"]),
        .library(name: "DigitImage", targets: ["DigitImage"]),
        .library(name: "EdgeSim", targets: ["EdgeSim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    ],
    targets: [
        // The float graph and the model.bin codec (docs/model-format.md).
        .target(name: "ModelFormat"),
        // Model files users bring (TFLite; ONNX and Keras to come), read with bounds-checked parsers (docs/importing.md).
        .target(name: "ModelImport", dependencies: ["CHDF5", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // libhdf5 (Debian's libhdf5-dev) behind a small C shim: printing off, errors as codes, sizes bounded.
        .target(name: "CHDF5", linkerSettings: [.linkedLibrary("hdf5_serial")]),
        // A float32 reference executor for ModelFormat graphs.
        .target(name: "FloatEngine", dependencies: ["ModelFormat"]),
        // Work spread over all cores, in index order.
        .target(name: "Parallel"),
        // The deployable int8 core: zero-copy .q8 view, kernels, interpreter. Embedded Swift compatible.
        .target(name: "Int8Runtime", dependencies: ["CInt8DSP"]),
        // ARMv7E-M DSP instructions (SMLAD, SXTB16) for the int8 kernels, with portable C fallbacks; header-only.
        .target(name: "CInt8DSP"),
        // Float graph to int8: BN folding, activation fusion, calibration, quantization, memory planning.
        .target(name: "Quantizer", dependencies: ["ModelFormat", "FloatEngine", "Int8Runtime", "Parallel"]),
        // libpng and zlib behind a small C shim that traps libpng's longjmp errors.
        .target(name: "CPNG", linkerSettings: [.linkedLibrary("png"), .linkedLibrary("z")]),
        // Host-only int8 kernels in C (AVX-512 VNNI behind a run-time CPU check), bit-exact with Int8Runtime's.
        .target(name: "CInt8Host"),
        // PNG decoding/encoding, MNIST-style preprocessing and MNIST IDX reading.
        .target(name: "DigitImage", dependencies: ["CPNG"]),
        // Boards, run and compare logic behind the edge-sim command.
        .target(name: "EdgeSim", dependencies: ["ModelFormat", "FloatEngine", "DigitImage", "Parallel", "Quantizer", "Int8Runtime", "CInt8Host"], resources: [.copy("Resources/boards.json")]),
        // One-line errors for both command-line tools.
        .target(name: "CommandLineSupport", dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "edge-sim",
            dependencies: ["EdgeSim", "CommandLineSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Seeded sample graphs shared by the test targets.
        .target(name: "TestSupport", dependencies: ["ModelFormat", "Int8Runtime"], path: "Tests/Support"),
        .executableTarget(
            name: "quantize",
            dependencies: ["EdgeSim", "Quantizer", "ModelFormat", "CommandLineSupport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Counts heap allocations on the calling thread by interposing malloc & co. in the test executable.
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        .testTarget(name: "Int8RuntimeTests", dependencies: ["Int8Runtime", "Quantizer", "TestSupport", "AllocationCounter"]),
        .testTarget(name: "ModelFormatTests", dependencies: ["ModelFormat", "TestSupport"]),
        .testTarget(name: "FloatEngineTests", dependencies: ["FloatEngine", "ModelFormat", "DigitImage", "TestSupport"]),
        .testTarget(name: "QuantizerTests", dependencies: ["Quantizer", "FloatEngine", "ModelFormat", "TestSupport", "Int8Runtime"]),
        .testTarget(name: "DigitImageTests", dependencies: ["DigitImage"]),
        .testTarget(name: "EdgeSimTests", dependencies: ["EdgeSim", "DigitImage", "ModelFormat", "CInt8Host"]),
        .testTarget(name: "ParallelTests", dependencies: ["Parallel"]),
        .testTarget(name: "ModelImportTests", dependencies: ["ModelImport", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
    ]
)
