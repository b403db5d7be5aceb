import Quantizer
import Testing
import TestSupport

@Suite("memory planner")
struct MemoryPlannerTests {
    @Test func chainReusesMemory() {
        // a → b → c → d, each 100 bytes: two buffers alive at any step.
        let buffers = (0..<4).map { PlannedBuffer(size: 100, first: $0 - 1, last: $0) }
        let plan = MemoryPlanner.plan(buffers)
        #expect(MemoryPlanner.conflicts(buffers, plan).isEmpty)
        #expect(plan.lowerBound == 224)
        #expect(plan.arenaSize == 224)
    }

    @Test func neverWorseThanTFLMAndNeverBelowTheBound() {
        var random = SeededRandom(seed: 42)
        for _ in 0..<300 {
            let steps = Int.random(in: 2...30, using: &random)
            let buffers = (0..<Int.random(in: 1...40, using: &random)).map { _ in
                let first = Int.random(in: -1..<steps, using: &random)
                return PlannedBuffer(size: Int.random(in: 1...5000, using: &random), first: first,
                                     last: Int.random(in: first...steps, using: &random))
            }
            let plan = MemoryPlanner.plan(buffers)
            let tflm = MemoryPlanner.greedyBySize(buffers)
            #expect(MemoryPlanner.conflicts(buffers, plan).isEmpty)
            #expect(MemoryPlanner.conflicts(buffers, tflm).isEmpty)
            // True by construction (plan tries TFLM's order first): kept as a guard; the test that can fail on a
            // weaker heuristic is MemoryPlannerOptimalityTests, against an exhaustive optimum.
            #expect(plan.arenaSize <= tflm.arenaSize)
            #expect(plan.arenaSize >= plan.lowerBound)
            #expect(plan.offsets.allSatisfy { $0 % MemoryPlanner.alignment == 0 })
        }
    }
}
