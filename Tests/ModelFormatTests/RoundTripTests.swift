import Testing
import ModelFormat
import TestSupport

@Suite("model.bin round trip")
struct RoundTripTests {
    @Test func encodeThenDecodeGivesTheSameGraph() throws {
        let graph = try SampleGraphs.everyOp()
        let bytes = try ModelBinary.encode(graph)
        #expect(try ModelBinary.decode(bytes) == graph)
        #expect(try ModelBinary.encode(ModelBinary.decode(bytes)) == bytes)
    }

    @Test func logitsAreTheSoftmaxInput() throws {
        let graph = try SampleGraphs.everyOp()
        #expect(graph.tensors[graph.logits].name == "logits:0")
    }

    @Test func crcMatchesZlib() {
        // zlib.crc32(b"123456789") == 0xCBF43926, the standard check value.
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        let long = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let split = long.withUnsafeBytes { all in
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: all[500...]),
                           continuing: CRC32.checksum(UnsafeRawBufferPointer(rebasing: all[..<500])))
        }
        #expect(split == CRC32.checksum(long))
    }

    @Test func paddingFollowsTensorFlow() {
        #expect(Padding.same.output(input: 28, window: 3, stride: 1)! == (28, 1))
        #expect(Padding.same.output(input: 28, window: 3, stride: 2)! == (14, 0))
        #expect(Padding.same.output(input: 7, window: 3, stride: 2)! == (4, 1))
        #expect(Padding.same.output(input: 14, window: 1, stride: 2)! == (7, 0))
        #expect(Padding.valid.output(input: 28, window: 2, stride: 2)! == (14, 0))
        #expect(Padding.valid.output(input: 7, window: 2, stride: 2)! == (3, 0))
        #expect(Padding.valid.output(input: 2, window: 3, stride: 1) == nil)
    }

    @Test func explicitPaddingAndPadRoundTrip() throws {
        var b = GraphBuilder(inputShape: [1, 9, 8, 2])
        let k = b.constant("k", shape: [7, 7, 2, 3], data: (0..<294).map { Float($0 % 11) / 10 - 0.5 })
        let padded = try b.add(.pad(top: 1, bottom: 0, left: 2, right: 3), name: "pad", inputs: [b.input])
        #expect(b.shape(padded) == [1, 10, 13, 2])
        let conv = try b.add(.conv2D(strideY: 2, strideX: 2, padding: .explicit(top: 3, bottom: 2, left: 3, right: 3)),
                             name: "conv", inputs: [padded, k])
        // (10 + 5 - 7) / 2 + 1 = 5 rows, (13 + 6 - 7) / 2 + 1 = 7 columns.
        #expect(b.shape(conv) == [1, 5, 7, 3])
        let pool = try b.add(.maxPool2D(Window2D(height: 3, width: 3, strideY: 2, strideX: 2,
                                                 padding: .explicit(top: 0, bottom: 1, left: 0, right: 1))),
                             name: "pool", inputs: [conv])
        #expect(b.shape(pool) == [1, 2, 3, 3])
        let graph = try b.finish(output: pool)
        let bytes = try ModelBinary.encode(graph)
        #expect(try ModelBinary.decode(bytes) == graph)
    }

    @Test func explicitPadsMustBeSmallerThanTheWindow() {
        #expect(Padding.explicit(top: 0, bottom: 0, left: 0, right: 0).output(input: 5, window: 3, stride: 1, before: 3, after: 0) == nil)
        #expect(Padding.explicit(top: 0, bottom: 0, left: 0, right: 0).output(input: 5, window: 3, stride: 1, before: 2, after: 2)! == (7, 2))
        let window = Window2D(height: 3, width: 3, strideY: 1, strideX: 1, padding: .explicit(top: 3, bottom: 0, left: 0, right: 0))
        #expect(window.output(inputHeight: 5, inputWidth: 5) == nil)
    }

    @Test func modelBinCannotRecordANormalization() throws {
        var graph = try SampleGraphs.everyOp()
        graph.inputNormalization = InputNormalization(mean: 0.1307, std: 0.3081)
        #expect(throws: ModelFormatError.self) { try ModelBinary.encode(graph) }
        graph.inputNormalization = InputNormalization(mean: 0, std: 0)
        #expect(throws: ModelFormatError.self) { try graph.validate() }
    }

    @Test func rescalingComposesWithANormalization() {
        // A model fed 0...255 (std 1/255) whose first layer is Rescaling(1/255) sees pixel / 255 again.
        #expect(InputNormalization(mean: 0, std: 1.0 / 255).then(scale: 1.0 / 255, offset: 0)! == .identity)
        let composed = InputNormalization(mean: 0.5, std: 0.25).then(scale: 2, offset: -1)!
        for p: Float in [0, 0.3, 1] {
            #expect(abs(composed.apply(p) - (InputNormalization(mean: 0.5, std: 0.25).apply(p) * 2 - 1)) < 1e-5)
        }
    }
}
