import HostKernels
import ModelFormat
import Quantizer
import Int8Runtime

/// A validated .q8 shared by every worker of a batch run, with the host kernels' per-model plans.
public final class SharedModelBytes: Sendable {
    public let file: Q8File
    /// The host conv kernels' packed weights for this model, made once and read by every worker (nil where the
    /// host kernels do not run).
    public let hostPlans: HostKernelPlans?

    public var model: Q8Model { file.model }

    /// Reads and validates the .q8 at `path`.
    public convenience init(path: String) throws(EdgeSimError) {
        do { self.init(try Q8File(path: path)) } catch { throw EdgeSimError(error) }
    }

    public convenience init(bytes: [UInt8], file: String) throws(EdgeSimError) {
        do { self.init(try Q8File(bytes: bytes, file: file)) } catch { throw EdgeSimError(error) }
    }

    public init(_ file: Q8File) {
        self.file = file
        hostPlans = HostKernelPlans(file.model)
    }
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
            // The input normalization first (none in model.bin models), then the quantization.
            let normalization = model.inputNormalization
            let x = normalization == .identity ? input : input.map { normalization.apply($0) }
            HostKernels.quantize(x, scale: q.scale, zeroPoint: q.zeroPoint, into: Int8Interpreter.inputBuffer(model, arena: arena))
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
