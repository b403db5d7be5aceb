import Foundation
import Testing
@testable import ModelImport

/// Hand-written models (TestFlatBufferBuilder.swift): what the reader decodes, what it refuses and how it says so,
/// and that no corruption of a real file gets past it other than as a typed error.
@Suite("TFLite reader: decoding, refusals, hostile bytes")
struct TFLiteRejectionTests {
    func error(_ bytes: [UInt8], limits: TFLiteLimits = .default) -> ImportError? {
        do {
            _ = try TFLiteModel(bytes: bytes, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: TFLiteFixtureTests.directory.appendingPathComponent(name + ".tflite")))
    }

    @Test func handWrittenModelDecodes() throws {
        let model = try TFLiteModel(bytes: TestTFLite.small().bytes())
        #expect(model.description == "hand-written")
        #expect(model.inputs == [0] && model.outputs == [11])
        #expect(model.operators.map(\.op.name) == ["PAD", "CONV_2D", "RELU6", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"])
        #expect(model.operators[1].op == .conv2D(TFLiteConv2DOptions(padding: .valid, strideH: 1, strideW: 1, activation: .relu)))
        // Omitted fields take their schema defaults: padding SAME (0), activation NONE.
        #expect(model.operators[3].op == .maxPool2D(TFLitePool2DOptions(padding: .same, strideH: 2, strideW: 2, filterH: 3, filterW: 2, activation: .none)))
        #expect(model.operators[4].op == .reshape(newShape: [1, 8]))
        #expect(model.operators[5].op == .fullyConnected(activation: .none, keepNumDims: false))
        #expect(model.operators[5].inputs == [8, 9, nil])
        #expect(model.operators[6].op == .softmax(beta: 1))
        #expect(model.tensors[1].int32Values == [0, 0, 1, 1, 1, 1, 0, 0])
        #expect(model.tensors[3].floatValues == (0..<18).map { Float($0) / 10 })
        #expect(model.tensors[3].shape == [2, 3, 3, 1])
        #expect(model.tensors[5].data == nil)
    }

    /// OperatorCode: the larger of deprecated_builtin_code and builtin_code names the op.
    @Test func builtinCodeIsTheLargerOfTheTwoFields() throws {
        var m = TestTFLite.small()
        m.codes[2] = (21, 0)      // an old writer: RELU6 only in the deprecated byte
        #expect(try TFLiteModel(bytes: m.bytes()).operators[2].op == .relu6)
        m.codes[2] = (127, 150)   // PLACEHOLDER_FOR_GREATER_OP_CODES in the byte, GELU in the int32
        #expect(error(m.bytes())?.message == "subgraph 0 operator 2 (GELU): not supported (EdgeQuant imports CONV_2D, "
            + "FULLY_CONNECTED, MAX_POOL_2D, AVERAGE_POOL_2D, MEAN, ADD, RESHAPE, SOFTMAX, PAD, PADV2, RELU, RELU6, QUANTIZE, DEQUANTIZE, "
            + "and SHAPE, STRIDED_SLICE, PACK for RESHAPE's shape)")
    }

    @Test func refusalsNameTheProblemAndTheOperator() throws {
        var m = TestTFLite.small()
        m.codes[1] = (4, 4)
        #expect(error(m.bytes()) == .unsupported("subgraph 0 operator 1 (DEPTHWISE_CONV_2D): DEPTHWISE_CONV_2D is not "
            + "supported yet (EdgeQuant's kernels are regular convolutions)"))

        m = TestTFLite.small(convOptions: [TFLiteSchema.Conv2DOptions.strideW: .i32(1), TFLiteSchema.Conv2DOptions.strideH: .i32(1),
                                           TFLiteSchema.Conv2DOptions.dilationH: .i32(2)])
        #expect(error(m.bytes()) == .unsupported("subgraph 0 operator 1 (CONV_2D): dilation 2x1 is not supported (only 1x1)"))

        m = TestTFLite.small(convOptions: [TFLiteSchema.Conv2DOptions.strideW: .i32(1), TFLiteSchema.Conv2DOptions.strideH: .i32(1),
                                           TFLiteSchema.Conv2DOptions.fusedActivation: .u8(4)])
        #expect(error(m.bytes())?.message == "subgraph 0 operator 1 (CONV_2D): fused activation TANH is not supported (NONE, RELU and RELU6 are)")

        m = TestTFLite.small(convOptions: nil)   // no options at all: stride 0 by default
        #expect(error(m.bytes()) == .malformed("subgraph 0 operator 1 (CONV_2D): stride_h is 0 (expected 1...65536)"))

        m = TestTFLite.small()
        m.codes[6] = (32, 32)
        #expect(error(m.bytes())?.message == "subgraph 0 operator 6 (custom op ''): custom ops are not supported")

        m = TestTFLite.small()
        m.subgraphCount = 2
        #expect(error(m.bytes()) == .unsupported("the model has 2 subgraphs (control flow or several signatures); "
            + "EdgeQuant imports single-subgraph models"))

        m = TestTFLite.small()
        m.tensors[5].type = 3
        #expect(error(m.bytes()) == .unsupported("subgraph 0 tensor 5 'conv': tensor type UINT8 is not supported (FLOAT32, INT8 and INT32 are)"))

        m = TestTFLite.small()
        m.version = 2
        #expect(error(m.bytes()) == .unsupported("TFLite schema version 2 (this reader knows version 3)"))
    }

    @Test func indicesOutOfRangeAreMalformed() throws {
        var m = TestTFLite.small()
        m.tensors[9].buffer = 99
        #expect(error(m.bytes()) == .malformed("subgraph 0 tensor 9 'weights': buffer index 99 out of range (5 buffers)"))

        m = TestTFLite.small()
        m.ops[2].inputs = [12]
        #expect(error(m.bytes()) == .malformed("subgraph 0 operator 2 (RELU6): inputs[0] is tensor 12, out of range (12 tensors)"))

        m = TestTFLite.small()
        m.ops[2].opcodeIndex = 7
        #expect(error(m.bytes()) == .malformed("subgraph 0 operator 2: opcode index 7 out of range (7 operator codes)"))

        m = TestTFLite.small()
        m.outputs = [-3]
        #expect(error(m.bytes()) == .malformed("subgraph 0 outputs[0] is tensor -3, out of range (12 tensors)"))

        m = TestTFLite.small()
        m.ops[1].inputs = [-1, 3, 4]
        #expect(error(m.bytes()) == .malformed("subgraph 0 operator 1 (CONV_2D): required input 0 is absent (-1)"))

        m = TestTFLite.small()
        m.tensors[9].shape = [2, 9]   // 18 floats declared, the buffer holds 16
        #expect(error(m.bytes()) == .malformed("subgraph 0 tensor 9 'weights': buffer 4 holds 64 bytes, the FLOAT32 shape [2, 9] needs 72"))
    }

    @Test func quantizationIsChecked() throws {
        var m = TestTFLite.small()
        m.tensors[3].scales = [0.5, 0.25]
        m.tensors[3].quantizedDimension = 0
        #expect(try TFLiteModel(bytes: m.bytes()).tensors[3].quantization == TFLiteQuantization(scales: [0.5, 0.25], zeroPoints: [0, 0], quantizedDimension: 0))
        m.tensors[3].quantizedDimension = 1
        #expect(error(m.bytes()) == .malformed("subgraph 0 tensor 3 'filter': 2 per-channel scales for dimension 1 of size 3"))
        m.tensors[3].quantizedDimension = 0
        m.tensors[3].zeroPoints = [0]
        #expect(error(m.bytes()) == .malformed("subgraph 0 tensor 3 'filter': 2 quantization scales but 1 zero points"))
        m.tensors[3].zeroPoints = nil
        m.tensors[3].scales = [0.5, -1]
        #expect(error(m.bytes()) == .malformed("subgraph 0 tensor 3 'filter': quantization scale 1 is -1.0"))
    }

    @Test func limitsAreEnforcedBeforeAllocating() throws {
        var limits = TFLiteLimits()
        limits.maxTensors = 11
        #expect(error(TestTFLite.small().bytes(), limits: limits) == .tooLarge("subgraph 0 has 12 tensors (limit 11)"))
        limits = TFLiteLimits()
        limits.maxTensorElements = 49
        #expect(error(TestTFLite.small().bytes(), limits: limits)?.kind == .tooLarge)
        limits = TFLiteLimits()
        limits.maxTotalElements = 100
        #expect(error(TestTFLite.small().bytes(), limits: limits)?.kind == .tooLarge)
        // Totals over shared objects: names (12 tensors, 75 bytes with the description) and quantization scales.
        limits = TFLiteLimits()
        limits.maxTotalStringBytes = 60
        #expect(error(TestTFLite.small().bytes(), limits: limits)?.message.hasSuffix("names and strings exceed 60 bytes together") == true)
        var q = TestTFLite.small()
        q.tensors[3].scales = [0.5, 0.25]
        q.tensors[4].scales = [0.5, 0.25]
        limits = TFLiteLimits()
        limits.maxTotalScales = 3
        #expect(error(q.bytes(), limits: limits) == .tooLarge("subgraph 0 tensor 4 'bias': quantization scales exceed 3 in total"))
        var m = TestTFLite.small()
        m.tensors[5].shape = [1 << 16, 1 << 16, 1 << 16, 2]   // 2^49 elements: refused, never multiplied past the limit
        #expect(error(m.bytes())?.kind == .tooLarge)
    }

    /// A declared vector length far beyond the file, written over the tensors vector's length prefix.
    @Test func hugeVectorLengthIsRefused() throws {
        var bytes = TestTFLite.small().bytes()
        let fb = FlatBuffer(bytes)
        let subgraph = try #require(try fb.root(identifier: TFLiteSchema.identifier)
            .vector(TFLiteSchema.Model.subgraphs, elementSize: 4, "subgraphs")).table(0, "subgraph")
        let slot = try #require(try subgraph.field(TFLiteSchema.SubGraph.tensors, size: 4))
        let vector = slot + Int(fb.loadU32(slot))
        for (k, b) in [0xFF, 0xFF, 0xFF, 0x7F].enumerated() { bytes[vector + k] = UInt8(b) }
        let e = try #require(error(bytes))
        #expect(e.kind == .malformed)
        #expect(e.message.contains("declares 2147483647 elements of 4 bytes"), "\(e.message)")
    }

    @Test func headerProblems() {
        #expect(error([]) == .malformed("file is 0 bytes, too short for a FlatBuffer header (8 bytes)"))
        var bytes = TestTFLite.small().bytes()
        bytes[4] = UInt8(ascii: "X")
        #expect(error(bytes) == .malformed("file identifier is 'XFL3', expected 'TFL3'"))
        bytes = TestTFLite.small().bytes()
        bytes[0] = 0xF0; bytes[1] = 0xFF; bytes[2] = 0xFF; bytes[3] = 0xFF
        #expect(error(bytes)?.message.hasPrefix("root table start at byte 4294967280") == true)
        #expect(!TFLiteModel.isTFLite(Array("not a flatbuffer".utf8)))
        #expect(TFLiteModel.isTFLite(TestTFLite.small().bytes()))
    }

    /// Every prefix of a real converter file: a typed error (or, for none of them, a model), never a trap.
    @Test(arguments: ["small_float", "small_int8"])
    func everyTruncationIsATypedError(name: String) throws {
        let bytes = try Self.fixture(name)
        var refused = 0
        for length in 0..<bytes.count where error(Array(bytes[0..<length])) != nil { refused += 1 }
        // The converter writes buffers last, so cutting anywhere cuts something the reader needs.
        #expect(refused == bytes.count)
    }

    /// Every byte of a real file flipped by two patterns, one at a time: each result parses or gives a typed
    /// error (a trap would end the test process). Some flips land in bytes the reader does not use.
    @Test(arguments: ["small_float", "small_int8"])
    func everyByteFlipIsSafe(name: String) throws {
        let bytes = try Self.fixture(name)
        var refused = 0
        for position in 0..<bytes.count {
            for pattern: UInt8 in [0xFF, 0x01] {
                var corrupt = bytes
                corrupt[position] ^= pattern
                if error(corrupt) != nil { refused += 1 }
            }
        }
        #expect(refused > 0)
    }

    /// Seeded multi-byte corruption: runs of random bytes written at random places.
    @Test func randomCorruptionIsSafe() throws {
        let bytes = try Self.fixture("small_int8")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<5_000 {
            var corrupt = bytes
            for _ in 0..<(1 + next() % 8) {
                let p = next() % corrupt.count
                for k in p..<min(corrupt.count, p + 1 + next() % 4) { corrupt[k] = UInt8(truncatingIfNeeded: next()) }
            }
            _ = error(corrupt)
        }
    }
}
