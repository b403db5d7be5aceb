import ArgumentParser
import EdgeSim
import Foundation
import Int8Runtime
import ModelFormat
import Quantizer

/// `edge-sim inspect MODEL.q8 [--json] [--inputs FILE]`: what a .q8 holds, op by op, with the work of each op as
/// Int8Runtime defines it (`Q8OpWork`, the figure the loader bounds and the cost model prices). Firmware-Sim reads
/// this JSON instead of parsing .q8 bytes itself. With `--inputs`, runs raw int8 input tensors through the host
/// runtime, for models whose input is not a 28x28 digit image.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an int8 .q8 model's tensors and ops, with each op's work.",
        discussion: "With --inputs FILE (int8 input tensors stored one after another, each exactly the model input's "
            + "size), each is run through the host runtime (reference kernels, as edge-sim run) and its int8 output printed."
    )

    @Argument(help: "An int8 .q8 model.")
    var model: String

    @Flag(name: .long, help: "Print as JSON.")
    var json = false

    @Option(name: .long, help: "A file of int8 input tensors to run, one after another.")
    var inputs: String?

    struct Shape: Encodable {
        var height: Int, width: Int, channels: Int
    }

    struct Layer: Encodable {
        var step: Int
        var op: String
        var input: Shape
        var output: Shape
        var kernel: [Int]
        var stride: [Int]
        /// The fused max pool window of a Conv2D (height, width), absent otherwise.
        var pool: [Int]?
        var outputs: UInt64
        var macs: UInt64
        var work: UInt64
    }

    struct Run: Encodable {
        var output_int8: [Int8]
    }

    struct Report: Encodable {
        var model: String
        var input: Shape
        var output: Shape
        var arena_bytes: Int
        var macs: UInt64
        var work: UInt64
        var layers: [Layer]
        var runs: [Run]?
    }

    func run() throws {
        let loaded: Q8File
        do { loaded = try Q8File(path: model) } catch { throw EdgeSimError(error.description) }
        let q8 = loaded.model
        var layers: [Layer] = []
        for step in 0..<q8.opCount {
            let op = q8.op(step)
            // The loader bounds every op's work, so a validated model always has one.
            guard let work = q8.work(step) else { throw EdgeSimError(file: model, "op \(step): its work overflows") }
            layers.append(Layer(
                step: step, op: op.opcode.name, input: Self.shape(q8.tensor(op.input)),
                output: Self.shape(q8.tensor(op.output)), kernel: [op.kernelHeight, op.kernelWidth],
                stride: [op.strideY, op.strideX],
                pool: op.opcode == .conv2D && op.parameters.0 > 0 ? [Int(op.parameters.0), Int(op.parameters.1)] : nil,
                outputs: work.outputs, macs: work.macs, work: work.work))
        }
        let runs = try inputs.map { try Self.run(q8, inputsPath: $0) }
        let report = Report(
            model: model, input: Self.shape(q8.input), output: Self.shape(q8.output), arena_bytes: q8.arenaSize,
            macs: layers.reduce(0) { $0 + $1.macs }, work: layers.reduce(0) { $0 + $1.work }, layers: layers, runs: runs)
        withExtendedLifetime(loaded) {}  // q8 is a view of its bytes
        if json {
            print(try JSONOutput.encode(report))
            return
        }
        let input = report.input, output = report.output
        print("\(model): input \(input.height)x\(input.width)x\(input.channels), output \(output.height)x\(output.width)x"
            + "\(output.channels), arena \(report.arena_bytes) B, \(report.macs) MACs, work \(report.work)")
        for layer in layers {
            let o = layer.output
            print("  \(layer.step) \(layer.op) -> \(o.height)x\(o.width)x\(o.channels)"
                + (layer.pool.map { " (fused pool \($0[0])x\($0[1]))" } ?? "")
                + "  outputs \(layer.outputs)  MACs \(layer.macs)  work \(layer.work)")
        }
        for (index, run) in (runs ?? []).enumerated() {
            print("input \(index): output \(run.output_int8.map(String.init).joined(separator: " "))")
        }
    }

    /// Runs each input tensor of the file through the host runtime (reference kernels) over a fresh arena.
    static func run(_ model: Q8Model, inputsPath: String) throws -> [Run] {
        let bytes: [UInt8]
        do { bytes = try ModelFile.readBytes(path: inputsPath) } catch { throw EdgeSimError(error.description) }
        let size = model.input.size
        guard !bytes.isEmpty, bytes.count % size == 0 else {
            throw EdgeSimError(file: inputsPath, "\(bytes.count) bytes is not a whole number of \(size)-byte int8 input tensors")
        }
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.arenaSize, 1), alignment: 16)
        defer { arena.deallocate() }
        var runs: [Run] = []
        for start in stride(from: 0, to: bytes.count, by: size) {
            arena.initializeMemory(as: UInt8.self, repeating: 0)
            let input = Int8Interpreter.inputBuffer(model, arena: arena)
            for i in 0..<size { input[i] = Int8(bitPattern: bytes[start + i]) }
            do {
                try Int8Interpreter.invoke(model, arena: arena)
            } catch {
                throw EdgeSimError(file: inputsPath, "inference failed (\(error))")
            }
            runs.append(Run(output_int8: Array(Int8Interpreter.outputBuffer(model, arena: arena))))
        }
        return runs
    }

    static func shape(_ tensor: Q8Tensor) -> Shape {
        Shape(height: tensor.height, width: tensor.width, channels: tensor.channels)
    }
}
