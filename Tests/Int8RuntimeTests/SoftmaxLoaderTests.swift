import Int8Runtime
import Quantizer
import Testing

/// The loader's SOFTMAX checks (docs/q8-format.md): both sides of each bound, on the softmax_fc10 fixture's .q8
/// (op 0 FullyConnected, op 1 Softmax with left shift 21).
@Suite("loader checks: Softmax")
struct SoftmaxLoaderTests {
    typealias L = LoaderChecksTests

    static func base() throws -> (bytes: [UInt8], op: Int, output: Int) {
        let program = try TFLMFixture.load("softmax_fc10.json").program()
        let bytes = try Q8Writer.write(program, plan: MemoryPlanner.plan(Q8Writer.buffers(of: program)))
        let op = L.opAt(bytes, 1)
        #expect(bytes[op + Q8Layout.OpRecord.opcode] == Q8Opcode.softmax.rawValue)
        return (bytes, op, L.tensorAt(bytes, L.u16(bytes, op + Q8Layout.OpRecord.output)))
    }

    static func with(_ edit: (inout [UInt8]) -> Void) throws -> String {
        var b = try base().bytes
        edit(&b)
        return HostileSuiteTests.outcome(L.sealed(b))
    }

    @Test func parameters() throws {
        let (b, op, output) = try Self.base()
        let p = op + Q8Layout.OpRecord.parameters
        #expect(HostileSuiteTests.outcome(b) == "accepted")
        #expect(L.u32(b, p + 4) == 21)
        // |diff_min| · 2^21 must stay below 2^31: 1023 is the largest allowed.
        #expect(try Self.with { L.put32(&$0, p + 8, -1023) } == "accepted")
        #expect(try Self.with { L.put32(&$0, p + 8, -1024) } == "badOp(1)")
        #expect(try Self.with { L.put32(&$0, p + 8, 1) } == "badOp(1)")          // diff_min > 0
        #expect(try Self.with { L.put32(&$0, p, 0) } == "badOp(1)")              // multiplier 0
        #expect(try Self.with { L.put32(&$0, p + 4, 32); L.put32(&$0, p + 8, 0) } == "badOp(1)")   // left shift 32
        #expect(try Self.with { L.put32(&$0, p + 4, 31); L.put32(&$0, p + 8, 0) } == "accepted")
        #expect(try Self.with { L.put32(&$0, p + 12, 1) } == "badOp(1)")         // parameter 3 must be 0
        // The output must be scale 1/256, zero point -128.
        #expect(try Self.with { L.put32(&$0, output + Q8Layout.TensorRecord.zeroPoint, -127 & 0xFFFF_FFFF) } == "badOp(1)")
        #expect(try Self.with { L.put32(&$0, output + Q8Layout.TensorRecord.scale, Int((Float(1) / 255).bitPattern)) } == "badOp(1)")
    }
}
