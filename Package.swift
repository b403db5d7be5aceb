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
        .library(name: "Boards", targets: ["Boards"]),
        .library(name: "EdgeSim", targets: ["EdgeSim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    ],
    targets: [
        // Public modules.
        // The float graph and the model.bin codec (docs/model-format.md).
        .target(name: "ModelFormat"),
        // Model files users bring (TFLite; ONNX and Keras to come), read with bounds-checked parsers (docs/importing.md).
        // A full-integer .tflite becomes a Quantizer Int8Program as it is (TFLiteInt8Import).
        // ONNX is decoded by SwiftProtobuf with code generated once from onnx.proto (Tools/onnx-proto/generate.sh);
        // Keras .keras zips are read with ZIPFoundation and their HDF5 weights with libhdf5 (CHDF5).
        .target(name: "ModelImport", dependencies: ["ModelFormat", "Quantizer", "Int8Runtime", "CHDF5", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                                                    .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        // libhdf5 (Debian's libhdf5-dev) behind a small C shim: printing off, errors as codes, sizes bounded.
        .target(name: "CHDF5", linkerSettings: [.linkedLibrary("hdf5_serial")]),
        // A float32 reference executor for ModelFormat graphs.
        .target(name: "FloatEngine", dependencies: ["ModelFormat"]),
        // PNG decoding/encoding, MNIST-style preprocessing and MNIST IDX reading.
        .target(name: "DigitImage", dependencies: ["CPNG", "OneLineError"]),
        // Boards as memory and speed budgets, the verdict against one, and the per-op cost model (docs/boards.md).
        .target(name: "Boards", dependencies: ["Int8Runtime", "OneLineError"], resources: [.copy("Resources/boards.json")]),
        // Simulated board memory, run, compare and demo logic behind the edge-sim command.
        .target(name: "EdgeSim", dependencies: ["ModelFormat", "ModelImport", "FloatEngine", "DigitImage", "Parallel", "Quantizer", "Int8Runtime", "HostKernels", "OneLineError",
                                                "Boards", "CommandLineSupport"]),
        // The edge-sim command: run, compare, evaluate, demo.
        .executableTarget(
            name: "edge-sim",
            dependencies: ["EdgeSim", "Boards", "CommandLineSupport", "Quantizer", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The quantize command: the converter, with its report and board verdicts (never the simulator).
        .executableTarget(
            name: "quantize",
            dependencies: ["Boards", "Quantizer", "ModelFormat", "ModelImport", "DigitImage", "CommandLineSupport", "Deploy",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The C API of libedgequant.a (edgequant.h) over Int8Runtime, for host tests; `quantize --emit` compiles the same
        // file with the runtime sources as one Embedded Swift module (Deploy's LibraryBuilder, docs/deploy.md).
        .target(name: "EdgeQuantC", dependencies: ["Int8Runtime"], exclude: ["edgequant.h"]),
        // `quantize --emit`: libedgequant.a per core (DeployTarget), the emitted folder and its memory bill.
        .target(name: "Deploy", dependencies: ["Int8Runtime", "Boards", "DigitImage", "EdgeSim", "OneLineError"]),

        // Implementation details.
        // The one wording of every tool error: a line naming the file, flag or board and the problem.
        .target(name: "OneLineError"),
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
        // The C host kernels as Int8Runtime kernel overrides, with their per-model plans (docs/host-kernels.md).
        .target(name: "HostKernels", dependencies: ["CInt8Host", "Int8Runtime"]),
        // What both command-line tools share: one-line errors, the progress line, the options defined once.
        .target(name: "CommandLineSupport", dependencies: ["Boards", "OneLineError", "ModelFormat", "ModelImport", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Tests.
        // Seeded sample graphs shared by the test targets.
        .target(name: "TestSupport", dependencies: ["ModelFormat", "Int8Runtime"], path: "Tests/Support"),
        // Counts heap allocations on the calling thread by interposing malloc & co. in the test executable.
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        // Kernels against TFLM fixtures, fast paths against the reference kernels, allocation-free inference.
        .testTarget(name: "Int8RuntimeTests", dependencies: ["Int8Runtime", "Quantizer", "TestSupport", "AllocationCounter", "HostKernels", "DigitImage"]),
        // model.bin round trips and rejections.
        .testTarget(name: "ModelFormatTests", dependencies: ["ModelFormat", "TestSupport"]),
        // Float kernels against loops and Keras.
        .testTarget(name: "FloatEngineTests", dependencies: ["FloatEngine", "ModelFormat", "DigitImage", "TestSupport"]),
        // Passes, quantization math, planning and the conversion.
        .testTarget(name: "QuantizerTests", dependencies: ["Quantizer", "FloatEngine", "ModelFormat", "TestSupport", "Int8Runtime"]),
        // PNG, preprocessing and MNIST reading, and their rejections.
        .testTarget(name: "DigitImageTests", dependencies: ["DigitImage"]),
        // The command lines, boards and cost model, the simulated board, the host kernels.
        .testTarget(name: "EdgeSimTests", dependencies: ["EdgeSim", "Boards", "HostKernels", "DigitImage", "ModelFormat", "CInt8Host", "TestSupport"]),
        // Index-ordered parallel work.
        .testTarget(name: "ParallelTests", dependencies: ["Parallel"]),
        .testTarget(name: "ModelImportTests", dependencies: ["ModelImport", "ModelFormat", "FloatEngine", "Quantizer", "Int8Runtime", "DigitImage", "TestSupport",
                                                        .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // The C API over real models, the library build and `quantize --emit`.
        .testTarget(name: "DeployTests", dependencies: ["EdgeQuantC", "Deploy", "Int8Runtime", "Boards", "EdgeSim", "TestSupport", "ModelFormat", "Quantizer"],
                    exclude: ["Smoke"]),
    ]
)
