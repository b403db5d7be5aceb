import AllocationCounter
import Int8Runtime
import Quantizer
import Testing
import TestSupport

/// The runtime allocates nothing per inference: every allocation call on this thread is counted around
/// `invoke`, and one is a failure.
@Suite("zero allocations")
struct AllocationTests {
    @Test func counterSeesAnAllocation() {
        // The counter itself must work, or a zero below would prove nothing.
        allocation_counter_start()
        let array = [Int](repeating: 7, count: 1000 + Int.random(in: 0...10))
        let counted = allocation_counter_stop()
        #expect(array.count > 999)
        #expect(counted >= 1)
    }

    @Test func inferenceAllocatesNothing() throws {
        var random = SeededRandom(seed: 9)
        let samples = (0..<8).map { _ in random.floats(144, in: 0...1) }
        let conversion = try Conversion(graph: try SampleGraphs.everyOp(), calibration: .samples(samples, .minmax))
        let loaded = try LoadedQ8(conversion.bytes)
        let (model, arena) = (loaded.model, loaded.arena)
        let input = Int8Interpreter.inputBuffer(model, arena: arena)
        try Int8Interpreter.invoke(model, arena: arena)

        allocation_counter_start()
        for round in 0..<20 {
            for i in 0..<input.count { input[i] = Int8(truncatingIfNeeded: i &* 31 &+ round) }
            try Int8Interpreter.invoke(model, arena: arena)
        }
        let allocations = allocation_counter_stop()
        #expect(allocations == 0, "inference allocated \(allocations) times")
    }
}
