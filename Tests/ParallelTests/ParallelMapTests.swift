import Parallel
import Testing

@Suite("parallel map")
struct ParallelMapTests {
    @Test(arguments: [1, 2, 3, 8])
    func resultsComeBackInIndexOrder(workers: Int) {
        let squares = parallelMap(count: 101, workers: workers, makeState: { 0 }, work: { calls, index in
            calls += 1
            return index * index
        }, fallback: -1)
        #expect(squares == (0..<101).map { $0 * $0 })
    }

    @Test func eachWorkerKeepsItsOwnState() {
        // Every worker counts its own calls; with 4 workers over 40 indices each sees exactly 10.
        let seen = parallelMap(count: 40, workers: 4, makeState: { 0 }, work: { calls, _ in
            calls += 1
            return calls
        }, fallback: 0)
        #expect(seen.max() == 10)
    }

    @Test func emptyAndSingleWork() {
        #expect(parallelMap(count: 0, workers: 4, makeState: { 0 }, work: { _, i in i }, fallback: -1).isEmpty)
        #expect(parallelMap(count: 1, workers: 4, makeState: { 0 }, work: { _, i in i + 5 }, fallback: -1) == [5])
    }

    /// Regression: generic states and results captured from a caller, many times over. The first version
    /// (DispatchQueue.concurrentPerform) crashed here intermittently, releasing a closure context.
    @Test func genericClosuresSurviveRepeatedUse() {
        func perWorker<State>(_ initial: State, _ observe: @escaping (inout State, [Float]) -> Void) -> [State] {
            parallelMap(count: 3, workers: 3, makeState: { [Float](repeating: 1, count: 16) }, work: { buffer, _ in
                var state = initial
                for _ in 0..<3 { observe(&state, buffer) }
                return state
            }, fallback: initial)
        }
        for _ in 0..<500 {
            let parts = perWorker([(Float(0), Float(1))]) { state, values in state[0].0 += values[0] }
            #expect(parts.map { $0[0].0 } == [3, 3, 3])
        }
    }
}
