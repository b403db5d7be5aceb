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
}
