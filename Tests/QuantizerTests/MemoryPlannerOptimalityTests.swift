import Quantizer
import Testing
import TestSupport

/// The planner against the true optimum. `MemoryPlanner.plan` starts from TFLite Micro's greedy order, so "never
/// worse than TFLM" holds by construction and proves nothing; here an exhaustive search, written independently of
/// the planner, finds the smallest arena any placement of a small random graph can have, and the planner's arena
/// and lower bound are checked against it. Only the buffer-level interface (`PlannedBuffer` in, offsets and
/// sizes out) is used, so per-op scratch regions entering the plan as more buffers do not change these tests.
@Suite("memory planner optimality")
struct MemoryPlannerOptimalityTests {
    /// Offsets are multiples of 16; in units of 16 bytes a buffer takes `units(size)`.
    static let unit = MemoryPlanner.alignment

    static func units(_ size: Int) -> Int { (size + unit - 1) / unit }

    static func alive(together a: PlannedBuffer, _ b: PlannedBuffer) -> Bool {
        a.first <= b.last && b.first <= a.last
    }

    /// The smallest arena (bytes) of any valid placement with 16-aligned offsets, and one placement reaching it.
    ///
    /// Every valid placement can be pushed down without growing: visit its buffers by increasing offset and
    /// put each at the lowest offset where it clashes with none of those already moved (its own offset is still
    /// free, since everything alive with it and below it ends at or under it). So some visiting order, with
    /// "lowest free offset" placement, reaches the optimum; this tries every order (branch and bound: a
    /// partial placement already as high as the best found is dropped, and the search stops once a placement
    /// meets the peak of live bytes, which nothing can beat).
    static func optimum(_ buffers: [PlannedBuffer]) -> (arena: Int, offsets: [Int]) {
        let n = buffers.count, floor = peakLive(buffers) / unit
        var best = buffers.reduce(0) { $0 + units($1.size) } + 1, bestOffsets = [Int](repeating: 0, count: n)
        var offsets = [Int](repeating: 0, count: n), placed = [Bool](repeating: false, count: n)
        func search(_ depth: Int, _ height: Int) {
            if height >= best || best == floor { return }
            if depth == n {
                best = height
                bestOffsets = offsets
                return
            }
            for i in 0..<n where !placed[i] {
                // Lowest offset clashing with no placed buffer alive at the same time: jump past each clash.
                var offset = 0, moved = true
                while moved {
                    moved = false
                    for j in 0..<n where placed[j] && alive(together: buffers[i], buffers[j])
                        && offsets[j] < offset + units(buffers[i].size) && offset < offsets[j] + units(buffers[j].size) {
                        offset = offsets[j] + units(buffers[j].size)
                        moved = true
                    }
                }
                offsets[i] = offset
                placed[i] = true
                search(depth + 1, max(height, offset + units(buffers[i].size)))
                placed[i] = false
            }
        }
        search(0, 0)
        return (best * unit, bestOffsets.map { $0 * unit })
    }

    /// Whether any placement at all (every aligned offset of every buffer) fits below `limit` bytes: the brute
    /// force that checks `optimum`'s argument on the smallest graphs.
    static func anyPlacement(_ buffers: [PlannedBuffer], below limit: Int) -> Bool {
        let top = limit / unit - 1 // the arena must be at most `top` units
        var offsets = [Int](repeating: 0, count: buffers.count)
        func search(_ i: Int) -> Bool {
            if i == buffers.count { return true }
            let size = units(buffers[i].size)
            guard size <= top else { return false }
            for offset in 0...(top - size) {
                let clash = (0..<i).contains { j in
                    alive(together: buffers[i], buffers[j]) && offsets[j] < offset + size && offset < offsets[j] + units(buffers[j].size)
                }
                if clash { continue }
                offsets[i] = offset
                if search(i + 1) { return true }
            }
            return false
        }
        return search(0)
    }

    /// The most bytes (sizes rounded to 16) alive at one step, counted step by step.
    static func peakLive(_ buffers: [PlannedBuffer]) -> Int {
        guard let low = buffers.map(\.first).min(), let high = buffers.map(\.last).max() else { return 0 }
        return (low...high).map { step in buffers.filter { $0.first <= step && step <= $0.last }.reduce(0) { $0 + units($1.size) * unit } }.max()!
    }

    static func randomGraph(_ random: inout SeededRandom, count: ClosedRange<Int>, sizes: ClosedRange<Int>) -> [PlannedBuffer] {
        let steps = Int.random(in: 1...6, using: &random)
        return (0..<Int.random(in: count, using: &random)).map { _ in
            let first = Int.random(in: -1..<steps, using: &random)
            return PlannedBuffer(size: Int.random(in: sizes, using: &random), first: first, last: Int.random(in: first...steps, using: &random))
        }
    }

    /// Validity of a placement, checked here rather than with `MemoryPlanner.conflicts`.
    static func overlapping(_ buffers: [PlannedBuffer], _ offsets: [Int]) -> Bool {
        buffers.indices.contains { a in
            buffers.indices.contains { b in
                a < b && alive(together: buffers[a], buffers[b])
                    && offsets[a] < offsets[b] + buffers[b].size && offsets[b] < offsets[a] + buffers[a].size
            }
        }
    }

    /// The exhaustive optimum itself, on graphs small enough to try every aligned offset of every buffer:
    /// its placement is valid and no placement of any kind fits in less.
    @Test func exhaustiveSearchIsTheOptimum() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<150 {
            let buffers = Self.randomGraph(&random, count: 1...5, sizes: 1...100)
            let (arena, offsets) = Self.optimum(buffers)
            #expect(!Self.overlapping(buffers, offsets), "\(buffers)")
            #expect(offsets.indices.allSatisfy { offsets[$0] + buffers[$0].size <= arena })
            #expect(!Self.anyPlacement(buffers, below: arena), "a smaller placement exists: \(buffers)")
            #expect(Self.anyPlacement(buffers, below: arena + Self.unit))
        }
    }

    /// The planner on 400 random graphs of 1 to 7 buffers: valid, never below the optimum (that would be an
    /// overlap the conflict check missed), its lower bound never above the optimum, optimal whenever its arena
    /// meets the lower bound (the "planned = lower bound" claim), and as often optimal as measured when this test
    /// was written (a weaker heuristic fails here, not only an invalid one).
    @Test func plannerAgainstTheExhaustiveOptimum() {
        var random = SeededRandom(seed: 11)
        var optimal = 0, tflmOptimal = 0, worst = 1.0, total = 0
        for round in 0..<400 {
            // Half the graphs with sizes from a few values, so that ties between orders are common.
            let buffers = round % 2 == 0
                ? Self.randomGraph(&random, count: 1...7, sizes: 1...5000)
                : Self.randomGraph(&random, count: 1...7, sizes: 1...4).map { PlannedBuffer(size: $0.size * 1000, first: $0.first, last: $0.last) }
            let best = Self.optimum(buffers).arena
            let plan = MemoryPlanner.plan(buffers)
            #expect(!Self.overlapping(buffers, plan.offsets), "\(buffers)")
            #expect(plan.offsets.allSatisfy { $0 % Self.unit == 0 })
            #expect(plan.offsets.indices.allSatisfy { plan.offsets[$0] + buffers[$0].size <= plan.arenaSize })
            #expect(plan.arenaSize >= best, "below the exhaustive optimum \(best): \(buffers)")
            #expect(plan.lowerBound == Self.peakLive(buffers) && plan.lowerBound <= best)
            if plan.arenaSize == plan.lowerBound { #expect(plan.arenaSize == best) }
            optimal += plan.arenaSize == best ? 1 : 0
            tflmOptimal += MemoryPlanner.greedyBySize(buffers).arenaSize == best ? 1 : 0
            worst = max(worst, Double(plan.arenaSize) / Double(best))
            total += 1
        }
        // Measured when written: the planner is optimal on 396 of the 400 graphs, TFLM's order alone on 384,
        // and the worst plan is 1.168x the optimum.
        #expect(total == 400)
        #expect(optimal >= 396, "planner optimal on \(optimal)/400 graphs (TFLM's order: \(tflmOptimal)), worst \(worst)x")
        #expect(worst <= 1.17, "worst plan \(worst)x the optimum")
    }
}
