/// Where every tensor lives in the arena, and how big the arena is.
public struct MemoryPlan: Equatable, Sendable {
    /// Byte offset of each buffer.
    public var offsets: [Int]
    /// Bytes the arena needs: the end of the highest buffer, aligned.
    public var arenaSize: Int
    /// The most bytes live at any one step: no placement can need less.
    public var lowerBound: Int
    /// Which ordering heuristic produced the plan.
    public var strategy: String
}

/// A buffer to place: its size and the steps during which it must stay intact (inclusive).
public struct PlannedBuffer: Equatable, Sendable {
    public var size: Int
    public var first: Int
    public var last: Int

    public init(size: Int, first: Int, last: Int) {
        self.size = size
        self.first = first
        self.last = last
    }

    func overlapsInTime(_ other: PlannedBuffer) -> Bool {
        first <= other.last && other.first <= last
    }
}
