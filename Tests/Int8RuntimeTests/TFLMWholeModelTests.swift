import DigitImage
import Foundation
import Int8Runtime
import ModelFormat
import Quantizer
import Testing
import TestSupport

/// What Tools/tflm/make_model_fixtures.py recorded for a shipped model on the first MNIST test images: TFLite
/// Micro's int8 logits, and CRC-32s that pin the images and the quantized inputs (no pixels are committed).
struct TFLMModelRun: Decodable {
    struct MNIST: Decodable {
        var split: String
        var first: Int
        var pixels_crc32: [UInt32]
        var input_crc32: [UInt32]
        /// `first` x 10 int8 logits, base64.
        var logits: String
    }

    var mnist: MNIST

    static let directory = TFLMFixture.directory.deletingLastPathComponent().appendingPathComponent("tflm-models")

    /// TFLM's logits of image `i`.
    func logits(_ i: Int) -> [Int8] {
        let all = Data(base64Encoded: mnist.logits).map { $0.map { Int8(bitPattern: $0) } } ?? []
        return Array(all[(i * 10)..<min(all.count, (i + 1) * 10)])
    }
}

/// Where the real MNIST files are: $EDGEQUANT_MNIST, or shared/data/mnist beside the repository.
enum MNISTFiles {
    static let directory = ProcessInfo.processInfo.environment["EDGEQUANT_MNIST"]
        ?? TFLMFixture.directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path
    static let present = ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"].allSatisfy { name in
        [name, name + ".gz"].contains { FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent($0)) }
    }
    static let skipMessage = "MNIST is not at \(directory) (set EDGEQUANT_MNIST): skipping the whole-model TFLM comparison"
}

/// Both shipped models whole, against TFLite Micro: the int8 .tflite TFLite's converter made of each (full-integer
/// post-training quantization, nothing fused but what the converter fuses), read into our program unfused, gives
/// TFLM's logits bytes on every one of the first 256 MNIST test images; and our Conv+MaxPool fusion of the same
/// program gives exactly the unfused program's bytes on the same images.
@Suite("shipped models bit-exact with TFLite Micro")
struct TFLMWholeModelTests {
    static let models = ["vgg-mnist", "resnet-mnist"]

    @Test func fixturesArePresent() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: TFLMModelRun.directory.path).filter { $0.hasSuffix(".json") }
        #expect(Set(names) == Set(Self.models.map { $0 + ".json" }))
    }

    /// The graph of each model as TFLite stored it, and the fusion our converter applies to it.
    @Test(arguments: models)
    func graphIsTheShippedModel(name: String) throws {
        let fixture = try TFLMFixture.load(TFLMModelRun.directory.appendingPathComponent(name + ".json"))
        let unfused = try fixture.program()
        let fused = fuseConvMaxPool(unfused)
        let pools = unfused.layers.filter { $0.opcode == .maxPool2D }.count
        #expect(pools == (name == "vgg-mnist" ? 3 : 1))
        #expect(fused.layers.filter { $0.opcode == .maxPool2D }.isEmpty, "every max pooling fuses into its conv")
        #expect(fused.layers.count == unfused.layers.count - pools)
        #expect(fused.layers.filter { $0.opcode == .conv2D && $0.parameters[0] != 0 }.count == pools)
    }

    /// Our arena for the unfused program (the MemoryPlanner's placement, plus per-op scratch when the plan
    /// holds it) is at most the head TFLite Micro's planner laid out for the same .tflite (its activations and
    /// its kernels' scratch), and fusion only makes ours smaller. TFLM's persistent tail is not compared: our
    /// counterparts of it (tensor table, multipliers) live in the .q8, in flash.
    @Test(arguments: models)
    func arenaIsNoLargerThanTFLMsHead(name: String) throws {
        let fixture = try TFLMFixture.load(TFLMModelRun.directory.appendingPathComponent(name + ".json"))
        let unfusedProgram = try fixture.program()
        let fusedProgram = fuseConvMaxPool(unfusedProgram)
        let unfused = try LoadedQ8(Q8Writer.write(unfusedProgram, plan: MemoryPlanner.plan(Q8Writer.buffers(of: unfusedProgram))))
        let fused = try LoadedQ8(Q8Writer.write(fusedProgram, plan: MemoryPlanner.plan(Q8Writer.buffers(of: fusedProgram))))
        let activations = MemoryPlanner.plan(unfusedProgram.activationBuffers).arenaSize
        #expect(activations <= fixture.tflm_arena.head, "\(name): our activations \(activations) B > TFLM's head \(fixture.tflm_arena.head) B")
        let scratch = ((unfusedProgram.scratchSizes.max() ?? 0) + 15) / 16 * 16
        #expect(unfused.model.arenaSize <= fixture.tflm_arena.head + scratch,
                "\(name): our unfused arena \(unfused.model.arenaSize) B > TFLM's head \(fixture.tflm_arena.head) B + largest scratch \(scratch) B")
        #expect(fused.model.arenaSize <= unfused.model.arenaSize)
    }

    /// Every image: our pixels are the fixture's (CRC-32), our quantized input is the one TFLM ran (CRC-32), the
    /// unfused program gives TFLM's logits bytes, and the fused program gives the unfused program's bytes, with
    /// Int8Runtime's own kernels (what firmware runs) and, where the CPU has them, the host AVX-512 kernels.
    @Test(.enabled(if: MNISTFiles.present, Comment(rawValue: MNISTFiles.skipMessage)), arguments: models)
    func logitsEqualTFLMsOnEveryImage(name: String) throws {
        let url = TFLMModelRun.directory.appendingPathComponent(name + ".json")
        let fixture = try TFLMFixture.load(url)
        let run = try JSONDecoder().decode(TFLMModelRun.self, from: Data(contentsOf: url))
        let count = run.mnist.first
        #expect(run.mnist.split == "t10k" && count >= 200 && run.mnist.pixels_crc32.count == count)
        let mnist = try MNISTDataset(directory: MNISTFiles.directory, split: .test, limit: count)
        let unfusedProgram = try fixture.program()
        let fusedProgram = fuseConvMaxPool(unfusedProgram)
        let unfused = try LoadedQ8(Q8Writer.write(unfusedProgram, plan: MemoryPlanner.plan(Q8Writer.buffers(of: unfusedProgram))))
        let fused = try LoadedQ8(Q8Writer.write(fusedProgram, plan: MemoryPlanner.plan(Q8Writer.buffers(of: fusedProgram))))
        #expect(fused.model.opCount < unfused.model.opCount)
        let input = fixture.tensors[fixture.input]
        let size = mnist.rows * mnist.cols
        var differingTFLM = 0, differingFused = 0, differingHost = 0
        let hostKernels = KernelPath.available.contains(.host)
        for i in 0..<count {
            let pixels = Array(mnist.images[(i * size)..<((i + 1) * size)])
            #expect(CRC32.checksum(pixels) == run.mnist.pixels_crc32[i], "\(name) image \(i): not the image TFLM ran")
            // pixel / 255 in float32, then TFLite's input quantization: round half away from zero, zero point, clamp.
            let quantized = pixels.map { pixel -> Int8 in
                let value = (Float(pixel) / 255 / input.scale).rounded(.toNearestOrAwayFromZero) + Float(input.zero_point)
                return Int8(min(max(value, -128), 127))
            }
            #expect(CRC32.checksum(quantized.map { UInt8(bitPattern: $0) }) == run.mnist.input_crc32[i],
                    "\(name) image \(i): our int8 input differs from TFLM's")
            let ours = try unfused.run(quantized)
            let ourFused = try fused.run(quantized)
            if ours != run.logits(i) { differingTFLM += 1 }
            if ourFused != ours { differingFused += 1 }
            // What edge-sim runs on this host: the fused program through the AVX-512 kernels.
            if hostKernels, try fused.run(quantized, path: .host) != ours { differingHost += 1 }
        }
        #expect(differingTFLM == 0, "\(name): \(differingTFLM) of \(count) images give logits bytes other than TFLM's")
        #expect(differingFused == 0, "\(name): the fused program differs from the unfused one on \(differingFused) of \(count) images")
        #expect(differingHost == 0, "\(name): the fused program on the host kernels differs on \(differingHost) of \(count) images")
    }
}
