import HostKernels
@testable import Int8Runtime
import TestSupport

/// One way to run a model's Conv2D and Add ops, so the TFLM fixtures check every kernel path and not only
/// the one the interpreter happens to pick.
enum KernelPath: String, CaseIterable, CustomStringConvertible, Sendable {
    /// What Int8Runtime runs by itself (`Int8Interpreter.invoke` without overrides, as firmware does).
    case shipped
    /// The plain reference loops only (ConvInt8.reference / withMaxPool, AddInt8.reference).
    case reference
    /// Each Conv2D through the quad path when it takes the op (k <= 576), else the reference.
    case quad
    /// Each Add through the table path when it takes the op (>= 512 elements), else the reference.
    case addTables
    /// The AVX-512 VNNI host kernels (Conv2D and Add) when they take the op, else the reference.
    case host

    var description: String { rawValue }

    /// The paths this machine can run (the host kernels need AVX-512 VNNI).
    static var available: [KernelPath] { allCases.filter { $0 != .host || HostKernels.isAvailable } }
}

/// Records which kernel ran each op (by step), for the path a test chose.
final class KernelLog: @unchecked Sendable {
    var ran: [String] = []
}

/// Runs Conv2D and Add the way `KernelPath.current` says, and always returns true: an op the chosen kernel
/// declines runs the reference here, so each path is compared with TFLM on exactly the ops it takes.
enum PathKernels: KernelOverrides {
    @TaskLocal static var current = KernelPath.reference
    @TaskLocal static var log: KernelLog?

    static func convolution(_ c: ConvolutionCall) -> Bool {
        let took: Bool
        switch current {
        case .quad: took = ConvInt8.quad(c)
        case .host: took = HostKernels.convolution(c)
        case .shipped, .reference, .addTables: took = false
        }
        if !took {
            if c.pool.0 != 0 { ConvInt8.withMaxPool(c) } else { ConvInt8.reference(c) }
        }
        log?.ran.append(took ? "conv:\(current)" : "conv:reference")
        return true
    }

    static func add(_ a: AddCall) -> Bool {
        let took: Bool
        switch current {
        case .addTables: took = AddInt8.tables(a)
        case .host: took = HostKernels.add(a)
        default: took = false
        }
        if !took { AddInt8.reference(a) }
        log?.ran.append(took ? "add:\(current)" : "add:reference")
        return true
    }

    /// The Conv2D path Int8Runtime's own dispatch (`ConvInt8.run`) picks for this call, in its order: quad,
    /// reference. Runs the kernel to find out (it returns whether it took the op).
    static func shippedConvolution(_ c: ConvolutionCall) -> String {
        if ConvInt8.quad(c) { return "quad" }
        if c.pool.0 != 0 { ConvInt8.withMaxPool(c) } else { ConvInt8.reference(c) }
        return "reference"
    }
}

/// Records the path of Int8Runtime's own Conv2D dispatch for each conv op, computing the same bytes.
enum ShippedPathRecorder: KernelOverrides {
    @TaskLocal static var log: KernelLog?

    static func convolution(_ c: ConvolutionCall) -> Bool {
        log?.ran.append(PathKernels.shippedConvolution(c))
        return true
    }

    static func add(_ a: AddCall) -> Bool { false }
}

extension LoadedQ8 {
    /// One inference of `input` with the kernels of `path`; returns the output tensor's bytes.
    func run(_ input: [Int8], path: KernelPath, log: KernelLog? = nil) throws -> [Int8] {
        let buffer = Int8Interpreter.inputBuffer(model, arena: arena)
        for i in 0..<min(buffer.count, input.count) { buffer[i] = input[i] }
        if path == .shipped {
            try Int8Interpreter.invoke(model, arena: arena)
        } else {
            try PathKernels.$current.withValue(path) {
                try PathKernels.$log.withValue(log) {
                    try Int8Interpreter.invoke(model, arena: arena, kernels: PathKernels.self)
                }
            }
        }
        return Array(Int8Interpreter.outputBuffer(model, arena: arena))
    }

    /// The path Int8Runtime's own dispatch takes for each Conv2D op, in op order.
    func shippedConvolutionPaths(_ input: [Int8]) throws -> [String] {
        let buffer = Int8Interpreter.inputBuffer(model, arena: arena)
        for i in 0..<min(buffer.count, input.count) { buffer[i] = input[i] }
        let log = KernelLog()
        try ShippedPathRecorder.$log.withValue(log) {
            try Int8Interpreter.invoke(model, arena: arena, kernels: ShippedPathRecorder.self)
        }
        return log.ran
    }
}
