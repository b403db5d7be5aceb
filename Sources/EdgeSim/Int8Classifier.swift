import Foundation
import Int8Runtime
import Quantizer

/// An int8 .q8 model running inside a simulated board (SimulatedMemory): the model in read-only flash, the arena of
/// exactly the planned size between guard pages, inference on a guarded stack of the board's measured budget.
public struct Int8Classifier: ~Copyable {
    private let memory: SimulatedMemory
    public let model: Q8Model
    public let file: String

    /// Bytes of the thread stack inference runs on: the board's budget in whole pages plus the host's allowance.
    public var stackBytes: Int { memory.stackBytes }

    /// Loads and validates the .q8 at `path` into simulated flash; inference gets `stackBudget` bytes of stack.
    public init(path: String, stackBudget: Int) throws(EdgeSimError) {
        let loaded: Q8File
        do { loaded = try Q8File(path: path) } catch { throw EdgeSimError(error) }
        try self.init(loaded, stackBudget: stackBudget)
    }

    public init(bytes: [UInt8], file: String, stackBudget: Int) throws(EdgeSimError) {
        let loaded: Q8File
        do { loaded = try Q8File(bytes: bytes, file: file) } catch { throw EdgeSimError(error) }
        try self.init(loaded, stackBudget: stackBudget)
    }

    /// Copies a loaded .q8 into simulated flash and validates it again there, where it will run.
    public init(_ loaded: Q8File, stackBudget: Int) throws(EdgeSimError) {
        let memory: SimulatedMemory
        do {
            memory = try SimulatedMemory(model: loaded.bytes, arenaSize: loaded.model.arenaSize, stackBudget: stackBudget)
        } catch {
            throw EdgeSimError(file: loaded.file, error.description)
        }
        let flash = memory.flash
        let result = Result { () throws(Q8Error) in try Q8Model(validating: flash) }
        guard case let .success(model) = result else {
            throw EdgeSimError(file: loaded.file, "the model does not validate in simulated flash")
        }
        self.model = model
        self.memory = memory
        self.file = loaded.file
    }

    /// The outcome of one inference.
    public struct Outcome {
        public var scores: [Float]
        public var logits: [Int8]
        /// The quantized input the model ran on.
        public var input: [Int8]
        /// Highest arena byte the run wrote, found by painting the arena with two patterns.
        public var highWaterMark: Int
        /// Stack bytes the inference used on the host (x86-64 or arm64 code: not the board's figure).
        public var hostStackUsed: Int
        /// Per layer: the int8 output's smallest and largest value and how many values were clipped at the int8 limits.
        public var trace: [LayerTrace]
    }

    public struct LayerTrace: Equatable {
        public var minimum: Int8
        public var maximum: Int8
        public var saturated: Int
        public var count: Int
    }

    /// Classifies one input given as floats in [0, 1] (pixels / 255), of the model's input size.
    public func classify(_ input: [Float], trace: Bool = false) throws(EdgeSimError) -> Outcome {
        var highWater = 0, stackUsed = 0
        var traces: [LayerTrace] = []
        var logits: [Int8] = [], quantizedInput: [Int8] = []
        // Two paints: a byte that happens to equal the paint cannot hide the true high-water mark from both.
        for paint: UInt8 in [0xAA, 0x55] {
            memory.paint(paint)
            let buffer = Int8Interpreter.inputBuffer(model, arena: memory.arena)
            guard buffer.count == input.count else {
                throw EdgeSimError(file: file, "model input has \(buffer.count) values, the image gives \(input.count)")
            }
            // q = round(((x − mean) / std) / scale) + zero_point: the model's input normalization, then its quantization.
            model.quantizeInput(input, into: buffer)
            quantizedInput = Array(buffer)
            let collect = trace && paint == 0xAA
            let arena = memory.arena, model = self.model
            let run = { () -> Result<Void, Q8Error> in Result { () throws(Q8Error) in
                try Int8Interpreter.invoke(model, arena: arena) { step in
                    guard collect else { return }
                    let tensor = model.tensor(model.op(step).output)
                    let values = Int8Interpreter.region(tensor, arena)
                    // Clipped values sit at 127, or at -128 when that is not the real zero (after a ReLU the
                    // zero point is -128, and -128 there is an exact 0, not a clipped negative).
                    let clippedLow: Int8 = tensor.zeroPoint > -128 ? -128 : 127
                    traces.append(LayerTrace(minimum: values.min() ?? 0, maximum: values.max() ?? 0,
                                             saturated: values.filter { $0 == 127 || $0 == clippedLow }.count, count: values.count))
                }
            } }
            let ran: (result: Result<Void, Q8Error>, stackUsed: Int)
            do { ran = try memory.onBoardStack(run) } catch { throw EdgeSimError(file: file, error.description) }
            if case let .failure(error) = ran.result { throw EdgeSimError(file: file, Q8ErrorText.describe(error)) }
            guard memory.canaryIntact else { throw EdgeSimError(file: file, SimulatedBoardError.wroteBesideArena.description) }
            stackUsed = max(stackUsed, ran.stackUsed)
            logits = Array(Int8Interpreter.outputBuffer(model, arena: memory.arena))
            highWater = max(highWater, memory.highWaterMark(paint: paint))
        }
        let output = model.output
        let real = logits.map { Float(Int32($0) - output.zeroPoint) * output.scale }
        let scores = model.outputIsLogits ? Softmax.probabilities(real) : real
        return Outcome(scores: scores, logits: logits, input: quantizedInput, highWaterMark: highWater, hostStackUsed: stackUsed, trace: traces)
    }
}

/// One-line wording of runtime errors (the runtime itself carries no strings).
enum Q8ErrorText {
    static func describe(_ error: Q8Error) -> String {
        switch error {
        case .badMagic: "not a .q8 model (bad magic)"
        case .unsupportedVersion: "unsupported .q8 version (this runtime reads 1.0 and 1.1)"
        case .sizeMismatch: "size does not match the .q8 header (truncated or padded file)"
        case .crcMismatch: "CRC mismatch (corrupted file)"
        case .misaligned: "misaligned section in the .q8 file"
        case .countOutOfRange: "tensor or op count out of range"
        case .outOfBounds: "a table or array lies outside the file"
        case let .badTensor(index): "tensor \(index) is invalid (shape, quantization, arena placement or lifetime)"
        case let .badOp(index): "op \(index) is invalid (tensors, geometry, weights or requantization)"
        case let .arenaTooSmall(needed): "the arena is smaller than the \(needed) bytes the model needs"
        case let .badHeader(offset): "header field \(headerField(offset)) (byte \(offset)) is out of range"
        case let .tensorsOverlap(first, second):
            "tensors \(first) and \(second) are alive at the same step but share arena bytes"
        case let .scratchOverlaps(op, tensor):
            "op \(op)'s scratch region shares arena bytes with tensor \(tensor), which is alive at that op"
        }
    }

    /// The name docs/q8-format.md gives the header field at `offset`.
    static func headerField(_ offset: Int) -> String {
        typealias H = Q8Layout.Header
        switch offset {
        case H.arenaSize: return "arena_size"
        case H.arenaLowerBound: return "arena_lower_bound"
        case H.macs: return "macs"
        case H.flags: return "flags"
        case H.inputMean: return "input_mean/input_std"
        default: return "at \(offset)"
        }
    }
}
