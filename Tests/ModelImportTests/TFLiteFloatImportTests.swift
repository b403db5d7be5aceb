import DigitImage
import FloatEngine
import Foundation
import ModelFormat
import Testing
@testable import ModelImport

/// Float .tflite files as float graphs: the converter's own files give TFLite's outputs on real MNIST digits,
/// and hand-written files (TestFlatBufferBuilder.swift) show each mapping rule and each refusal.
@Suite("TFLite float import")
struct TFLiteFloatImportTests {
    static let importFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/import")
    static let mnist = ProcessInfo.processInfo.environment["EDGEQUANT_MNIST"]
        ?? importFixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path
    static let mnistPresent = FileManager.default.fileExists(atPath: mnist + "/t10k-images-idx3-ubyte.gz")
        || FileManager.default.fileExists(atPath: mnist + "/t10k-images-idx3-ubyte")

    struct Expected: Decodable {
        struct Samples: Decodable {
            var pixels_crc32: [UInt32]
            var labels: [Int]
        }
        var samples: Samples
        var outputs: [[Float]]
        var predictions: [Int]
    }

    // MARK: - Files from TFLiteConverter

    @Test(
        "outputs equal tf.lite.Interpreter's within 1e-4 of the largest |output| on the first 8 MNIST test images",
        .enabled(if: mnistPresent, "MNIST is not at ../shared/data/mnist (set EDGEQUANT_MNIST): skipping TFLite float parity"),
        arguments: ["keras_convnet_float", "keras_resnet_float"]
    )
    func outputsEqualTFLite(name: String) throws {
        let path = Self.importFixtures.appendingPathComponent(name + ".tflite").path
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: path + ".json")))
        let graph = try ModelImporter.floatGraph(path: path)
        let dataset = try MNISTDataset(directory: Self.mnist, split: .test, limit: expected.outputs.count)
        #expect(expected.outputs.count == 8)
        var interpreter = FloatInterpreter(graph: graph)
        for (index, want) in expected.outputs.enumerated() {
            let pixels = dataset.image(at: index).pixels
            try #require(CRC32.checksum(pixels) == expected.samples.pixels_crc32[index], "MNIST test image \(index) differs from the one the fixture was made with")
            let got = try interpreter.run(pixels.map { Float($0) / 255 })
            try #require(got.count == want.count)
            let largest = want.map(abs).max() ?? 0
            let worst = zip(got, want).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-4 * largest, "image \(index): largest difference \(worst), largest |output| \(largest)")
            #expect(got.indices.max { got[$0] < got[$1] } == expected.predictions[index], "image \(index)")
        }
    }

    /// The graphs themselves, without MNIST: the ops each file becomes, and the weights' layouts.
    @Test func converterFilesBecomeTheseGraphs() throws {
        let convnet = try ModelImporter.floatGraph(path: Self.importFixtures.appendingPathComponent("keras_convnet_float.tflite").path)
        // Keras's Flatten converts to SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE: evaluated at import, one Flatten.
        #expect(convnet.nodes.map(\.op.name) == ["Conv2D", "MaxPool2D", "Conv2D", "MaxPool2D", "Flatten", "Dense", "Softmax"])
        #expect(convnet.nodes[0].op == .conv2D(strideY: 1, strideX: 1, padding: .valid, activation: .relu))
        #expect(convnet.tensors[convnet.nodes[5].inputs[1]].shape == [800, 10])
        #expect(convnet.tensors[convnet.input].shape == [1, 28, 28, 1])

        let resnet = try ModelImporter.floatGraph(path: Self.importFixtures.appendingPathComponent("keras_resnet_float.tflite").path)
        #expect(resnet.nodes.map(\.op.name) == ["Pad", "Conv2D", "Pad", "MaxPool2D", "Conv2D", "Conv2D", "Add", "Conv2D",
                                                "Conv2D", "Conv2D", "Add", "Conv2D", "Conv2D", "Conv2D", "Add",
                                                "GlobalAveragePool", "Dense"])
        #expect(resnet.nodes[0].op == .pad(top: 3, bottom: 3, left: 3, right: 3))
        #expect(resnet.tensors[resnet.nodes[1].inputs[1]].shape == [7, 7, 1, 8])
    }

    @Test func anInt8FileIsNotAFloatModel() throws {
        let path = Self.importFixtures.appendingPathComponent("keras_convnet_int8.tflite").path
        #expect(throws: ModelFileError(path: path, problem: "is an int8 (quantized) TFLite model, not a float one: its int8 tensors are not converted to a float graph")) {
            try ModelImporter.floatGraph(path: path)
        }
    }

    // MARK: - Hand-written files

    /// The reader tests' model with its 3x2 stride-2 pool made VALID, so that its stored [1, 2, 2, 2] is the
    /// pool's output (SAME would give [1, 3, 3, 2], which the importer refuses).
    static func small(convOptions: [Int: FBField]? = [
        TFLiteSchema.Conv2DOptions.padding: .u8(1), TFLiteSchema.Conv2DOptions.strideW: .i32(1),
        TFLiteSchema.Conv2DOptions.strideH: .i32(1), TFLiteSchema.Conv2DOptions.fusedActivation: .u8(1),
    ]) -> TestTFLite {
        var m = TestTFLite.small(convOptions: convOptions)
        m.ops[3].options?[TFLiteSchema.Pool2DOptions.padding] = .u8(1)
        return m
    }

    func graph(_ m: TestTFLite) throws -> FloatGraph { try TFLiteModel(bytes: m.bytes()).floatGraph() }

    func error(_ m: TestTFLite) -> String? {
        do {
            _ = try TFLiteModel(bytes: m.bytes()).floatGraph()
            return nil
        } catch {
            return error.message
        }
    }

    /// PAD -> CONV_2D (+RELU) -> RELU6 -> MAX_POOL_2D -> RESHAPE -> FULLY_CONNECTED -> SOFTMAX, op by op, with the
    /// filter moved from OHWI to HWIO and the weights from [out, in] to [in, out].
    @Test func handWrittenModelMapsOpByOp() throws {
        let m = Self.small()
        let g = try graph(m)
        #expect(g.nodes.map(\.op) == [
            .pad(top: 1, bottom: 1, left: 1, right: 1),
            .conv2D(strideY: 1, strideX: 1, padding: .valid, activation: .relu),
            .relu6,
            .maxPool2D(Window2D(height: 3, width: 2, strideY: 2, strideX: 2, padding: .valid)),
            .flatten,
            .dense(activation: .none),
            .softmax,
        ])
        #expect(g.nodes[5].inputs.count == 2, "the FULLY_CONNECTED has no bias (-1)")
        let filter = (0..<18).map { Float($0) / 10 }          // OHWI [2, 3, 3, 1]
        let kernel = try #require(g.tensors[g.nodes[1].inputs[1]].data)
        #expect(g.tensors[g.nodes[1].inputs[1]].shape == [3, 3, 1, 2])
        for o in 0..<2 { for y in 0..<3 { for x in 0..<3 {
            #expect(kernel[(y * 3 + x) * 2 + o] == filter[(o * 3 + y) * 3 + x], "HWIO [\(y), \(x), 0, \(o)]")
        } } }
        let weights = (0..<16).map { Float($0) }               // [out 2, in 8]
        let dense = try #require(g.tensors[g.nodes[5].inputs[1]].data)
        #expect(g.tensors[g.nodes[5].inputs[1]].shape == [8, 2])
        for o in 0..<2 { for i in 0..<8 { #expect(dense[i * 2 + o] == weights[o * 8 + i], "[\(i), \(o)]") } }
        #expect(g.tensors[g.output].shape == [1, 2])
        #expect(g.logits == g.nodes[5].outputs[0])
    }

    /// A .tflite does not promise unique tensor names; the graph needs them: every name is made unique.
    @Test func repeatedNamesAreMadeUnique() throws {
        var m = Self.small()
        for k in m.tensors.indices { m.tensors[k].name = "same" }
        let g = try graph(m)
        #expect(Set(g.tensors.map(\.name)).count == g.tensors.count)
        #expect(Set(g.nodes.map(\.name)).count == g.nodes.count)
        #expect(g.nodes.map(\.name) == ["same_2", "same_4", "same_5", "same_6", "same_7", "same_8", "same_9"])
    }

    /// One operator on a [1, 4, 4, 2] input: `extra` tensors are constants (with their buffers) after the input.
    static func oneOp(code: Int32, tag: UInt8 = 0, options: [Int: FBField]? = nil, extra: [(TestTFLite.TensorSpec, [UInt8])] = [],
                      extraActivations: [TestTFLite.TensorSpec] = [], output: [Int32], inputShape: [Int32] = [1, 4, 4, 2]) -> TestTFLite {
        var m = TestTFLite()
        m.codes = [(Int8(clamping: code), code)]
        m.tensors = [TestTFLite.TensorSpec(name: "input", shape: inputShape)] + extraActivations
        var opInputs: [Int32] = [0] + extraActivations.indices.map { Int32($0 + 1) }
        for (spec, data) in extra {
            var spec = spec
            m.buffers.append(data)
            spec.buffer = UInt32(m.buffers.count - 1)
            opInputs.append(Int32(m.tensors.count))
            m.tensors.append(spec)
        }
        m.tensors.append(TestTFLite.TensorSpec(name: "output", shape: output))
        m.ops = [TestTFLite.OpSpec(opcodeIndex: 0, inputs: opInputs, outputs: [Int32(m.tensors.count - 1)], optionsTag: tag, options: options)]
        m.inputs = [0]
        m.outputs = [Int32(m.tensors.count - 1)]
        return m
    }

    static func axes(_ values: [Int32]) -> (TestTFLite.TensorSpec, [UInt8]) {
        (TestTFLite.TensorSpec(name: "axes", shape: [Int32(values.count)], type: 2), TestTFLite.ints(values))
    }

    static func paddings(_ values: [Int32]) -> (TestTFLite.TensorSpec, [UInt8]) {
        (TestTFLite.TensorSpec(name: "paddings", shape: [4, 2], type: 2), TestTFLite.ints(values))
    }

    @Test func meanOverHeightAndWidthIsAGlobalAveragePool() throws {
        let keep = [TFLiteSchema.ReducerOptions.keepDims: FBField.u8(1)]
        #expect(try graph(Self.oneOp(code: 40, extra: [Self.axes([1, 2])], output: [1, 2])).nodes.map(\.op) == [.globalAveragePool])
        #expect(try graph(Self.oneOp(code: 40, extra: [Self.axes([-2, -3])], output: [1, 2])).nodes.map(\.op) == [.globalAveragePool])
        // keep_dims: [1, 1, 1, C] in the file, the same values as the pool's [1, C].
        let kept = try graph(Self.oneOp(code: 40, tag: 27, options: keep, extra: [Self.axes([1, 2])], output: [1, 1, 1, 2]))
        #expect(kept.nodes.map(\.op) == [.globalAveragePool])
        #expect(error(Self.oneOp(code: 40, extra: [Self.axes([3])], output: [1, 4, 4]))
            == "operator 0 (MEAN): MEAN over axes [3] is not supported (only over height and width, axes [1, 2])")
        #expect(error(Self.oneOp(code: 40, extra: [Self.axes([1, 2])], output: [1, 1, 1, 2]))
            == "operator 0 (MEAN): its output 'output' is stored as [1, 1, 1, 2], the op gives [1, 2]")
    }

    /// MEAN with keep_dims then RESHAPE to [1, C] then FULLY_CONNECTED: the reshape adds no node.
    @Test func reshapeThatDropsDimensionsOfSizeOneIsAnIdentity() throws {
        var m = Self.oneOp(code: 40, tag: 27, options: [TFLiteSchema.ReducerOptions.keepDims: .u8(1)], extra: [Self.axes([1, 2])],
                           output: [1, 1, 1, 2])
        m.codes += [(22, 22), (9, 9)]
        m.buffers.append(TestTFLite.floats([1, 2, 3, 4, 5, 6]))
        m.tensors += [TestTFLite.TensorSpec(name: "flat", shape: [2]),
                      TestTFLite.TensorSpec(name: "w", shape: [3, 2], buffer: UInt32(m.buffers.count - 1)),
                      TestTFLite.TensorSpec(name: "logits", shape: [1, 3])]
        m.ops += [TestTFLite.OpSpec(opcodeIndex: 1, inputs: [2, 3], outputs: [3], optionsTag: 17, options: [0: .ref(.ints([2]))]),
                  TestTFLite.OpSpec(opcodeIndex: 2, inputs: [3, 4], outputs: [5], optionsTag: 8, options: [:])]
        m.ops[1].inputs = [2]
        m.outputs = [5]
        let g = try graph(m)
        #expect(g.nodes.map(\.op.name) == ["GlobalAveragePool", "Dense"])
        #expect(g.nodes[1].inputs[0] == g.nodes[0].outputs[0])

        // [1, 4, 4, 2] -> [1, 8, 4]: neither a flatten nor only dimensions of size 1.
        let bad = Self.oneOp(code: 22, tag: 17, options: [0: .ref(.ints([1, 8, 4]))], output: [1, 8, 4])
        #expect(error(bad) == "operator 0 (RESHAPE): reshaping [1, 4, 4, 2] to [1, 8, 4] is not supported (only a flatten "
            + "to [1, N], or adding or dropping dimensions of size 1)")
        // The shape asked for must be the one stored.
        let lying = Self.oneOp(code: 22, tag: 17, options: [0: .ref(.ints([1, -1]))], output: [1, 16])
        #expect(error(lying) == "operator 0 (RESHAPE): reshapes [1, 4, 4, 2] to [1, 32] but its output 'output' is stored as [1, 16]")
    }

    @Test func padAndPadV2WithZerosOnHeightAndWidth() throws {
        let p = Self.paddings([0, 0, 1, 2, 3, 0, 0, 0])
        #expect(try graph(Self.oneOp(code: 34, extra: [p], output: [1, 7, 7, 2])).nodes.map(\.op) == [.pad(top: 1, bottom: 2, left: 3, right: 0)])
        let zero = (TestTFLite.TensorSpec(name: "value", shape: [], type: 0), TestTFLite.floats([0]))
        #expect(try graph(Self.oneOp(code: 60, extra: [p, zero], output: [1, 7, 7, 2])).nodes.map(\.op) == [.pad(top: 1, bottom: 2, left: 3, right: 0)])
        #expect(try graph(Self.oneOp(code: 60, extra: [p], output: [1, 7, 7, 2])).nodes.map(\.op) == [.pad(top: 1, bottom: 2, left: 3, right: 0)])
        let one = (TestTFLite.TensorSpec(name: "value", shape: [], type: 0), TestTFLite.floats([1]))
        #expect(error(Self.oneOp(code: 60, extra: [p, one], output: [1, 7, 7, 2])) == "operator 0 (PADV2): padding with [1.0] is not supported (only with 0)")
        #expect(error(Self.oneOp(code: 34, extra: [Self.paddings([0, 0, 1, 1, 1, 1, 0, 1])], output: [1, 6, 6, 3]))
            == "operator 0 (PAD): paddings [0, 0, 1, 1, 1, 1, 0, 1] are not supported (only zero or more on height and width)")
    }

    @Test func unsupportedOpsAndAttributesAreOneLineNamingTheOperator() throws {
        // Reader refusals, through the whole path: the file, the operator index and the op.
        var m = Self.small()
        m.codes[1] = (4, 4)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tflf-\(UUID().uuidString).tflite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(m.bytes()).write(to: URL(fileURLWithPath: path))
        #expect(throws: ModelFileError(path: path, problem: "subgraph 0 operator 1 (DEPTHWISE_CONV_2D): DEPTHWISE_CONV_2D is not "
            + "supported yet (EdgeQuant's kernels are regular convolutions)")) { try ModelImporter.floatGraph(path: path) }

        m = Self.small()
        m.codes[4] = (2, 2)
        #expect(error(m)?.hasPrefix("subgraph 0 operator 4 (CONCATENATION): not supported (EdgeQuant imports") == true)

        m = Self.small(convOptions: [TFLiteSchema.Conv2DOptions.strideW: .i32(1), TFLiteSchema.Conv2DOptions.strideH: .i32(1),
                                           TFLiteSchema.Conv2DOptions.fusedActivation: .u8(2)])
        #expect(error(m) == "subgraph 0 operator 1 (CONV_2D): fused activation RELU_N1_TO_1 is not supported (NONE, RELU and RELU6 are)")

        // Importer refusals.
        m = Self.small()
        m.ops[6].options = [0: .f32(0.5)]
        #expect(error(m) == "operator 6 (SOFTMAX): beta 0.5 is not supported (only 1)")

        m = Self.small()
        m.tensors[9].shape = [4, 4]   // FULLY_CONNECTED [out 4, in 4] on 8 values: a batch of 2
        #expect(error(m) == "operator 5 (FULLY_CONNECTED): input shape [1, 8] with weights [4, 4] is a batch of 2; EdgeQuant runs one image")

        m = Self.small()
        m.codes[2] = (114, 114)       // the RELU6 slot becomes a QUANTIZE
        m.ops[2].optionsTag = 0
        #expect(error(m) == "operator 2 (QUANTIZE): not supported in a float model (EdgeQuant imports float32 models, or int8 ones as they are)")

        m = Self.small()
        m.ops[1].inputs = [2, 3, 5]   // the bias is an activation
        #expect(error(m) == "operator 1 (CONV_2D): the bias 'conv' must be a float32 constant; it is an activation")

        // ADD: no broadcasting, no constant operand.
        let addend = (TestTFLite.TensorSpec(name: "c", shape: [1, 4, 4, 2]), TestTFLite.floats([Float](repeating: 1, count: 32)))
        #expect(error(Self.oneOp(code: 0, extra: [addend], output: [1, 4, 4, 2]))
            == "operator 0 (ADD): input 'c' is a constant; EdgeQuant's ops take it as an activation")
        var add = Self.oneOp(code: 0, extraActivations: [TestTFLite.TensorSpec(name: "b", shape: [1, 1, 1, 2])], output: [1, 4, 4, 2])
        add.inputs = [0, 1]
        #expect(error(add) == "the model has 2 inputs and 1 outputs (EdgeQuant imports one input image and one output)")
        add.inputs = [0]
        #expect(error(add) == "operator 0 (ADD): reads 'b' (tensor 1) before any float operator writes it")

        let conv = Self.oneOp(code: 3, tag: 1, options: [TFLiteSchema.Conv2DOptions.strideW: .i32(1), TFLiteSchema.Conv2DOptions.strideH: .i32(1)],
                              extra: [(TestTFLite.TensorSpec(name: "f", shape: [1, 3, 3, 2]), TestTFLite.floats([Float](repeating: 1, count: 18)))],
                              output: [1, 4, 4, 1], inputShape: [1, 4, 4, 2])
        #expect(try graph(conv).nodes.map(\.op) == [.conv2D(strideY: 1, strideX: 1, padding: .same, activation: .none)])
        var flat = conv
        flat.tensors[0].shape = [1, 32]
        #expect(error(flat) == "the input 'input' has shape [1, 32]; EdgeQuant takes an image [1, H, W, C] or [1, H, W]")
    }

    /// TFLiteConverter's float16 weights: FLOAT16 constants read through DEQUANTIZE.
    @Test func float16WeightsAreRefusedClearly() throws {
        let half = (TestTFLite.TensorSpec(name: "w16", shape: [1, 4, 4, 2], type: 1), [UInt8](repeating: 0, count: 64))
        var m = Self.oneOp(code: 6, extra: [half], output: [1, 4, 4, 2])
        m.ops[0].inputs = [1]
        #expect(error(m) == "subgraph 0 tensor 1 'w16': tensor type FLOAT16 is not supported: float16 weights, read through "
            + "DEQUANTIZE (TFLiteConverter with supported_types=[tf.float16]); convert the model with float32 weights")
    }

    /// Keras's Flatten with a dynamic batch: the shape computed by SHAPE, STRIDED_SLICE and PACK is evaluated.
    @Test func shapeArithmeticBeforeReshapeIsEvaluated() throws {
        var m = TestTFLite()
        m.codes = [(77, 77), (45, 45), (83, 83), (22, 22)]
        m.buffers = [[], TestTFLite.ints([0]), TestTFLite.ints([1]), TestTFLite.ints([-1])]
        m.tensors = [
            TestTFLite.TensorSpec(name: "input", shape: [1, 4, 4, 2]),
            TestTFLite.TensorSpec(name: "shape", shape: [4], type: 2),
            TestTFLite.TensorSpec(name: "begin", shape: [1], type: 2, buffer: 1),
            TestTFLite.TensorSpec(name: "end", shape: [1], type: 2, buffer: 2),
            TestTFLite.TensorSpec(name: "batch", shape: [], type: 2),
            TestTFLite.TensorSpec(name: "minus1", shape: [], type: 2, buffer: 3),
            TestTFLite.TensorSpec(name: "newshape", shape: [2], type: 2),
            TestTFLite.TensorSpec(name: "flat", shape: [1, 32]),
        ]
        typealias S = TFLiteSchema.StridedSliceOptions
        m.ops = [
            TestTFLite.OpSpec(opcodeIndex: 0, inputs: [0], outputs: [1]),
            TestTFLite.OpSpec(opcodeIndex: 1, inputs: [1, 2, 3, 3], outputs: [4], optionsTag: 32, options: [S.shrinkAxisMask: .i32(1)]),
            TestTFLite.OpSpec(opcodeIndex: 2, inputs: [4, 5], outputs: [6], optionsTag: 59, options: [TFLiteSchema.PackOptions.valuesCount: .i32(2)]),
            TestTFLite.OpSpec(opcodeIndex: 3, inputs: [0, 6], outputs: [7]),
        ]
        m.outputs = [7]
        #expect(try graph(m).nodes.map(\.op) == [.flatten])

        m.ops[1].options = [S.ellipsisMask: .i32(1)]
        #expect(error(m) == "operator 1 (STRIDED_SLICE): only slices of a shape vector are supported (1-D input, no ellipsis or new axis)")
        m.ops[1].options = [S.endMask: .i32(1)]   // no shrink: [1, 4, 4, 2][0...] is a vector, not the scalar stored
        #expect(error(m) == "operator 1 (STRIDED_SLICE): writes the INT32 [] 'batch'; shape arithmetic is supported on INT32 vectors only, giving [4]")
        // An INT32 operand nothing computes (no buffer, no shape arithmetic writes it) is refused.
        m = Self.small()
        m.tensors[1].buffer = 0
        #expect(error(m) == "operator 0 (PAD): the paddings 'paddings' must be an INT32 constant; it is computed at run time")
    }

    /// Every slice the converter could write for a shape vector, against the rule written out by hand.
    @Test func stridedSliceOnAVector() throws {
        let x = [1, 5, 5, 32]
        func s(_ b: Int, _ e: Int, _ st: Int, begin: Int32 = 0, end: Int32 = 0, shrink: Int32 = 0, offset: Bool = false) throws -> [Int] {
            try TFLiteFloatImporter.slice(x, begin: b, end: e, stride: st, options: TFLiteStridedSliceOptions(
                beginMask: begin, endMask: end, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: shrink, offset: offset))
        }
        #expect(try s(0, 1, 1, shrink: 1) == [1])
        #expect(try s(-1, 0, 1, shrink: 1) == [32])
        #expect(try s(1, 0, 1, end: 1) == [5, 5, 32])
        #expect(try s(1, 3, 1) == [5, 5])
        #expect(try s(0, 0, 2, begin: 1, end: 1) == [1, 5])
        #expect(try s(0, 0, -1, begin: 1, end: 1) == [32, 5, 5, 1])
        #expect(try s(-2, 10, 1) == [5, 32])
        #expect(try s(1, 2, 1, offset: true) == [5, 5])
        #expect(throws: ImportError.self) { try s(0, 1, 0) }
        #expect(throws: ImportError.self) { try s(4, 5, 1, shrink: 1) }
    }
}
