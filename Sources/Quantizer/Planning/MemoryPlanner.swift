/// Static memory planning: offsets for buffers with known lifetimes so that buffers alive at the same step
/// never overlap, in as small an arena as the heuristics find.
public enum MemoryPlanner {
    /// Offsets are multiples of this, as TFLite Micro aligns its buffers.
    public static let alignment = 16

    /// The most bytes live at any one step (each size aligned): a lower bound for every placement.
    public static func lowerBound(_ buffers: [PlannedBuffer]) -> Int {
        // The live set only grows when a buffer starts, so the peak is at some buffer's first step.
        var best = 0
        for step in Set(buffers.map(\.first)) {
            best = max(best, buffers.filter { $0.first <= step && step <= $0.last }.reduce(0) { $0 + aligned($1.size) })
        }
        return best
    }

    /// TFLite Micro's GreedyMemoryPlanner ordering: largest first, each at the lowest offset that fits.
    public static func greedyBySize(_ buffers: [PlannedBuffer]) -> MemoryPlan {
        let order = buffers.indices.sorted { (buffers[$0].size, -$0) > (buffers[$1].size, -$1) }
        return place(buffers, order: order, strategy: "greedy by size (TFLM)")
    }

    /// The smallest of several orderings, TFLM's among them, so the plan is never worse than TFLM's.
    public static func plan(_ buffers: [PlannedBuffer]) -> MemoryPlan {
        let orders: [(String, [Int])] = [
            ("greedy by size then lifetime", buffers.indices.sorted {
                (buffers[$0].size, buffers[$0].last - buffers[$0].first, -$0) > (buffers[$1].size, buffers[$1].last - buffers[$1].first, -$1)
            }),
            ("greedy by size × lifetime", buffers.indices.sorted {
                (buffers[$0].size * (buffers[$0].last - buffers[$0].first + 1), -$0) > (buffers[$1].size * (buffers[$1].last - buffers[$1].first + 1), -$1)
            }),
            ("greedy by first use", buffers.indices.sorted { (buffers[$0].first, -buffers[$0].size, $0) < (buffers[$1].first, -buffers[$1].size, $1) }),
            ("greedy by longest lifetime", buffers.indices.sorted {
                (buffers[$0].last - buffers[$0].first, buffers[$0].size, -$0) > (buffers[$1].last - buffers[$1].first, buffers[$1].size, -$1)
            }),
        ]
        var best = greedyBySize(buffers)
        for (name, order) in orders {
            let candidate = place(buffers, order: order, strategy: name)
            if candidate.arenaSize < best.arenaSize { best = candidate }
        }
        return best
    }

    /// Places buffers in `order`, each at the lowest aligned offset where it overlaps no already placed
    /// buffer whose lifetime intersects its own.
    static func place(_ buffers: [PlannedBuffer], order: [Int], strategy: String) -> MemoryPlan {
        var offsets = [Int](repeating: 0, count: buffers.count)
        var placed: [Int] = []
        var arena = 0
        for index in order {
            let buffer = buffers[index]
            // Intervals already taken by buffers alive at the same time, by start offset.
            let taken = placed.filter { buffers[$0].overlapsInTime(buffer) }
                .map { (start: offsets[$0], end: offsets[$0] + aligned(buffers[$0].size)) }
                .sorted { $0.start < $1.start }
            var candidate = 0
            for interval in taken {
                if candidate + buffer.size <= interval.start { break }
                candidate = max(candidate, interval.end)
            }
            offsets[index] = candidate
            placed.append(index)
            arena = max(arena, aligned(candidate + buffer.size))
        }
        return MemoryPlan(offsets: offsets, arenaSize: arena, lowerBound: lowerBound(buffers), strategy: strategy)
    }

    static func aligned(_ size: Int) -> Int {
        (size + alignment - 1) / alignment * alignment
    }

    /// The pairs of buffers that are alive at the same step and share bytes under `plan` (empty when valid).
    public static func conflicts(_ buffers: [PlannedBuffer], _ plan: MemoryPlan) -> [(Int, Int)] {
        var result: [(Int, Int)] = []
        for a in buffers.indices {
            for b in (a + 1)..<buffers.count where buffers[a].overlapsInTime(buffers[b]) {
                let (s1, e1) = (plan.offsets[a], plan.offsets[a] + buffers[a].size)
                let (s2, e2) = (plan.offsets[b], plan.offsets[b] + buffers[b].size)
                if s1 < e2 && s2 < e1 { result.append((a, b)) }
            }
        }
        return result
    }
}
