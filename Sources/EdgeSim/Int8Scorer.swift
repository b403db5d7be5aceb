import HostKernels
import ModelFormat
import Int8Runtime

/// Read-only .q8 bytes in one aligned allocation, shared by every worker of a batch run.
public final class SharedModelBytes: @unchecked Sendable {
    public let buffer: UnsafeRawBufferPointer
    public let model: Q8Model
    /// The host conv kernels' packed weights for this model, made once and read by every worker (nil where the
    /// host kernels do not run).
    public let hostPlans: HostKernelPlans?

    /// Reads and validates the .q8 at `path`.
    public convenience init(path: String) throws(EdgeSimError) {
        let bytes: [UInt8]
        do { bytes = try ModelFile.readBytes(path: path) } catch { throw EdgeSimError(error.description) }
        guard bytes.starts(with: Array("EQ8M".utf8)) else { throw EdgeSimError(file: path, "not a .q8 model (bad magic)") }
        try self.init(bytes: bytes, file: path)
    }

    public init(bytes: [UInt8], file: String) throws(EdgeSimError) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        let view = UnsafeRawBufferPointer(rebasing: storage[0..<bytes.count])
        let result = Result { () throws(Q8Error) in try Q8Model(validating: view) }
        switch result {
        case let .success(model):
            buffer = UnsafeRawBufferPointer(storage)
            self.model = model
            hostPlans = HostKernelPlans(model)
        case let .failure(error):
            storage.deallocate()
            throw EdgeSimError(file: file, Q8ErrorText.describe(error))
        }
    }

    deinit { buffer.deallocate() }
}

/// Int8 inference on the host for batch work (compare, benchmarks): the same runtime and kernels as the
/// simulated board, with a plain arena; one copy per worker thread.
public struct Int8Scorer {
    public let shared: SharedModelBytes
    private var arena: [UInt8]

    public init(_ shared: SharedModelBytes) {
        self.shared = shared
        arena = [UInt8](repeating: 0, count: shared.model.arenaSize)
    }

    /// Class probabilities for one input of floats in [0, 1].
    public mutating func scores(_ input: [Float]) -> [Float] {
        let model = shared.model
        return arena.withUnsafeMutableBytes { arena in
            let q = model.input
            HostKernels.quantize(input, scale: q.scale, zeroPoint: q.zeroPoint, into: Int8Interpreter.inputBuffer(model, arena: arena))
            // The arena has the model's size, checked at validation, so invoke cannot fail here.
            // The host's fast Conv2D and Add where the CPU has them: the same bytes as the reference (tested), faster.
            if let plans = shared.hostPlans {
                plans.withActive { try? Int8Interpreter.invoke(model, arena: arena, kernels: HostKernels.self) }
            } else {
                try? Int8Interpreter.invoke(model, arena: arena, kernels: HostKernels.self)
            }
            let output = model.output
            let real = Int8Interpreter.outputBuffer(model, arena: arena).map { Float(Int32($0) - output.zeroPoint) * output.scale }
            return model.outputIsLogits ? Softmax.probabilities(real) : real
        }
    }
}
