import Dispatch

/// Runs `work` for every index in `0..<count` on up to `workers` threads, each worker with its own `State`
/// (for example an interpreter with its buffers), and returns the results in index order.
///
/// `work` must only touch its own state and read shared data; each index's result is written by exactly one
/// worker, which is why the unchecked hand-over below is sound.
public func parallelMap<State, Result>(
    count: Int, workers: Int, makeState: () -> State, work: (inout State, Int) -> Result, fallback: Result
) -> [Result] {
    var results = [Result](repeating: fallback, count: count)
    let workerCount = max(1, min(workers, count))
    let states = (0..<workerCount).map { _ in makeState() }
    withoutActuallyEscaping(work) { work in
        results.withUnsafeMutableBufferPointer { out in
            let shared = Unchecked((states, out, work))
            DispatchQueue.concurrentPerform(iterations: workerCount) { worker in
                let (states, out, work) = shared.value
                var state = states[worker]
                // Strided indices give every worker a similar share of the work; the writes never overlap.
                for index in stride(from: worker, to: count, by: workerCount) {
                    out[index] = work(&state, index)
                }
            }
        }
    }
    return results
}

/// Hands values that are not `Sendable` to worker threads; see `parallelMap` for why that is sound there.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
