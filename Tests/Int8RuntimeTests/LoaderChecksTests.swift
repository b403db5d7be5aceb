import Foundation
import Int8Runtime
import Quantizer
import Testing

/// The edges of the loader's plan and work checks (docs/q8-format.md, "Validation"): what must still be accepted
/// next to what the hostile suite refuses, so that neither side of each bound can move unnoticed.
@Suite("loader checks: the accepted side of each bound")
struct LoaderChecksTests {
    /// base.q8 of the hostile suite: 9 tensors, 8 ops covering every opcode.
    static func base() throws -> [UInt8] { try HostileSuiteTests.bytes("base/base.q8") }

    static func u32(_ b: [UInt8], _ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) } }
    static func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
    static func put32(_ b: inout [UInt8], _ at: Int, _ v: Int) { for k in 0..<4 { b[at + k] = UInt8((v >> (8 * k)) & 0xFF) } }

    /// Recomputes the trailing CRC after an edit.
    static func sealed(_ b: [UInt8]) -> [UInt8] {
        var b = b
        let crc = b.withUnsafeBytes { Checksum.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<(b.count - 4)])) }
        put32(&b, b.count - 4, Int(crc))
        return b
    }

    static func tensorAt(_ b: [UInt8], _ i: Int) -> Int { u32(b, Q8Layout.Header.tensorTable) + i * Q8Layout.tensorRecordSize }
    static func opAt(_ b: [UInt8], _ k: Int) -> Int { u32(b, Q8Layout.Header.opTable) + k * Q8Layout.opRecordSize }
    /// (offset, size, first, last) of tensor i; first is -1 for the input.
    static func tensor(_ b: [UInt8], _ i: Int) -> (offset: Int, size: Int, first: Int, last: Int) {
        let at = tensorAt(b, i), first = u16(b, at + Q8Layout.TensorRecord.firstStep)
        return (u32(b, at), u32(b, at + 4), first == 0xFFFF ? -1 : first, u16(b, at + Q8Layout.TensorRecord.lastStep))
    }

    /// Grows the arena by `extra` bytes (free space past every tensor) and returns the old end.
    static func grow(_ b: inout [UInt8], by extra: Int) -> Int {
        let old = u32(b, Q8Layout.Header.arenaSize)
        put32(&b, Q8Layout.Header.arenaSize, old + extra)
        return old
    }

    @Test func tensorsWhoseLifetimesTouchMayNotShareButDisjointOnesMay() throws {
        var b = try Self.base()
        // Tensor 1 is alive over steps [0, 1], tensor 2 over [1, 3] (both at op 1: its input and output), tensor 3
        // over [2, 3]. All three are moved to fresh space at the old end of a grown arena.
        let t1 = Self.tensor(b, 1), t2 = Self.tensor(b, 2), t3 = Self.tensor(b, 3)
        #expect((t1.first, t1.last, t2.first, t3.first) == (0, 1, 1, 2))
        let end = Self.grow(&b, by: 2 * (t1.size + t2.size + t3.size))
        var disjoint = b
        Self.put32(&disjoint, Self.tensorAt(b, 1), end)
        Self.put32(&disjoint, Self.tensorAt(b, 3), end)  // dead [0, 1] then born at 2: may share
        #expect(HostileSuiteTests.outcome(Self.sealed(disjoint)) == "accepted")
        var touching = b
        Self.put32(&touching, Self.tensorAt(b, 1), end)
        Self.put32(&touching, Self.tensorAt(b, 2), end + t1.size - 1)  // both alive at step 1, one byte shared
        #expect(HostileSuiteTests.outcome(Self.sealed(touching)) == "tensorsOverlap(1,2)")
        var adjacent = touching
        Self.put32(&adjacent, Self.tensorAt(b, 2), end + t1.size)  // next to each other: fine
        #expect(HostileSuiteTests.outcome(Self.sealed(adjacent)) == "accepted")
    }

    @Test func scratchMayReuseDeadTensorsAndFreeSpaceButNotLiveOnes() throws {
        let base = try Self.base()
        let k = 2  // op 2 reads tensor 2 (alive [1, 3]) and writes tensor 3; the input tensor 0 is dead by then
        let x = Self.tensor(base, 2), input = Self.tensor(base, 0)
        #expect(input.last < k)
        func withScratch(_ offset: Int, _ size: Int, grow extra: Int = 0) -> String {
            var b = base
            _ = Self.grow(&b, by: extra)
            Self.put32(&b, Self.opAt(b, k) + Q8Layout.OpRecord.scratchOffset, offset)
            Self.put32(&b, Self.opAt(b, k) + Q8Layout.OpRecord.scratchSize, size)
            return HostileSuiteTests.outcome(Self.sealed(b))
        }
        // Free space past every tensor.
        let end = Self.u32(base, Q8Layout.Header.arenaSize)
        #expect(withScratch(end, 64, grow: 64) == "accepted")
        #expect(withScratch(end, 65, grow: 64) == "badOp(2)")  // one byte past the arena
        // Right after its input, up to the next live tensor, is allowed; one byte into the input is not.
        let live = (0..<9).map { Self.tensor(base, $0) }.filter { $0.first <= k && k <= $0.last }
        let nextLive = live.map(\.offset).filter { $0 >= x.offset + x.size }.min() ?? end
        if nextLive > x.offset + x.size {
            #expect(withScratch(x.offset + x.size, nextLive - x.offset - x.size) == "accepted")
        }
        #expect(withScratch(x.offset + x.size - 1, 1) == "scratchOverlaps(2,2)")
        // The bytes of the dead input that no live tensor uses.
        let free = (input.offset..<(input.offset + input.size)).filter { byte in !live.contains { $0.offset <= byte && byte < $0.offset + $0.size } }
        let run = try #require(free.first)
        let contiguous = zip(free, free.dropFirst()).prefix { $1 == $0 + 1 }.count + 1
        #expect(withScratch(run, contiguous) == "accepted")
        // A size of zero is no scratch at all, wherever the offset points.
        #expect(withScratch(x.offset, 0) == "accepted")
    }

    /// The work bound is 2^32 multiply-accumulates or values read per inference, inclusive. A max pool reads that
    /// many values with no MACs, so the header's MAC count (< 2^31) does not stop the writer first.
    @Test func workOfExactlyTwoToThe32IsAcceptedOneRowMoreIsNot() throws {
        func pool(inputHeight: Int) throws -> Result<[UInt8], QuantizerError> {
            // 16 x 16 valid max pool, stride 1, of one channel: output (h - 15) x 4096, 256 values read per output.
            let q = ActivationQuantization(scale: 0.05, zeroPoint: 0)
            let tensors = [
                Int8Tensor(name: "in", height: inputHeight, width: 4111, channels: 1, quantization: q),
                Int8Tensor(name: "out", height: inputHeight - 15, width: 4096, channels: 1, quantization: q),
            ]
            var layer = Int8Layer(name: "pool", opcode: .maxPool2D, input: 0, output: 1)
            (layer.kernelHeight, layer.kernelWidth) = (16, 16)
            let program = Int8Program(tensors: tensors, layers: [layer], input: 0, output: 1, outputIsLogits: false)
            return Result { () throws(QuantizerError) in try Q8Writer.write(program, plan: MemoryPlanner.plan(Q8Writer.buffers(of: program))) }
        }
        let exact = try pool(inputHeight: 4111)  // 4096 x 4096 x 256 = 2^32
        let bytes = try exact.get()
        #expect(HostileSuiteTests.outcome(bytes) == "accepted")
        let over = try pool(inputHeight: 4112)  // one output row more
        #expect(throws: QuantizerError("internal error: the written .q8 fails validation (badOp(index: 0))")) { try over.get() }
    }
}
