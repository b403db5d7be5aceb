#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `work` for every index in `0..<count` on up to `workers` threads, each worker with its own `State`
/// (for example an interpreter with its buffers) made on that worker's thread, and returns the results in
/// index order.
///
/// `work` must only touch its own state and read shared data. Each worker appends to a results array that no
/// other thread touches, which is why the unchecked hand-over below is sound.
///
/// Workers are plain POSIX threads joined before returning. `DispatchQueue.concurrentPerform` was used first,
/// but on Linux it crashed intermittently releasing the closure context it was given (seen in a debug build,
/// even with one worker), so this avoids it.
public func parallelMap<State, Result>(
    count: Int, workers: Int, makeState: @escaping () -> State, work: @escaping (inout State, Int) -> Result,
    fallback: Result
) -> [Result] {
    let workerCount = max(1, min(workers, count))
    let jobs = (0..<workerCount).map { worker in
        WorkerJob {
            var state = makeState()
            var mine: [Result] = []
            mine.reserveCapacity(count / workerCount + 1)
            // Strided indices give every worker a similar share of the work.
            for index in stride(from: worker, to: count, by: workerCount) {
                mine.append(work(&state, index))
            }
            return mine
        }
    }
    // Worker 0 runs on the calling thread; the others on their own threads.
    var threads: [pthread_t] = []
    for job in jobs.dropFirst() {
        if let thread = job.start() {
            threads.append(thread)
        } else {
            job.run()  // no thread available: do that share here
        }
    }
    jobs[0].run()
    for thread in threads { pthread_join(thread, nil) }

    var results = [Result](repeating: fallback, count: count)
    for (worker, job) in jobs.enumerated() {
        for (k, value) in (job.results ?? []).enumerated() { results[worker + k * workerCount] = value }
    }
    return results
}

/// One worker's closure and its results, shared with the thread that runs it.
private final class WorkerJob<Result>: @unchecked Sendable {
    private let body: () -> [Result]
    private(set) var results: [Result]?

    init(_ body: @escaping () -> [Result]) {
        self.body = body
    }

    func run() {
        results = body()
    }

    func start() -> pthread_t? {
        ThreadStart(run).start()
    }
}

/// A closure run on a new POSIX thread; not generic, because a C thread entry point cannot capture generics.
private final class ThreadStart: @unchecked Sendable {
    private let body: () -> Void

    init(_ body: @escaping () -> Void) {
        self.body = body
    }

    /// Starts `body` on a new thread with an 8 MiB stack (room for deep interpreters), or returns nil.
    func start() -> pthread_t? {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 8 << 20)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(&thread, &attributes, { context in
            Unmanaged<ThreadStart>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<ThreadStart>.fromOpaque(context).release()
            return nil
        }
        return thread
    }
}
