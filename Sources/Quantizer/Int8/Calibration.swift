import FloatEngine
import Foundation
import ModelFormat
import Parallel

/// Observes the activations of a float graph on sample inputs and chooses each tensor's int8 range.
public enum Calibration {
    static let bins = 2048

    /// Runs `graph` on every sample and returns the range of every activation tensor, by tensor index.
    /// `progress(done, total)` is called as samples finish (from worker threads, never concurrently).
    public static func ranges(
        _ graph: FloatGraph, samples: [[Float]], method: CalibrationMethod,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws(QuantizerError) -> [Int: TensorRange] {
        guard !samples.isEmpty else { throw QuantizerError("calibration needs at least one sample") }
        let inputSize = graph.tensors[graph.input].elementCount
        if let bad = samples.firstIndex(where: { $0.count != inputSize }) {
            throw QuantizerError("calibration sample \(bad) has \(samples[bad].count) values, the model input needs \(inputSize)")
        }
        let activations = graph.tensors.indices.filter { !graph.tensors[$0].isConstant }
        let counter = ProgressCounter(total: samples.count * (method == .minmax ? 1 : 2), report: progress)

        // Pass 1: extremes.
        let extremes = perWorker(graph, samples, workers, initial: activations.map { _ in (Float.infinity, -Float.infinity) }) {
            state, interpreter in
            for (k, tensor) in activations.enumerated() {
                for v in interpreter.values(of: tensor) {
                    state[k].0 = Swift.min(state[k].0, v)
                    state[k].1 = Swift.max(state[k].1, v)
                }
            }
            counter.step()
        }.reduce(into: activations.map { _ in (Float.infinity, -Float.infinity) }) { total, part in
            for k in total.indices { total[k] = (Swift.min(total[k].0, part[k].0), Swift.max(total[k].1, part[k].1)) }
        }
        var result: [Int: TensorRange] = [:]
        for (k, tensor) in activations.enumerated() { result[tensor] = TensorRange(min: extremes[k].0, max: extremes[k].1) }
        guard method != .minmax else { return result }

        // Pass 2: a histogram over each tensor's extremes, from which percentile or MSE picks the range.
        let histograms = perWorker(graph, samples, workers, initial: activations.map { _ in [Int](repeating: 0, count: bins) }) {
            state, interpreter in
            for (k, tensor) in activations.enumerated() {
                let (low, high) = extremes[k]
                let width = (high - low) / Float(bins)
                guard width > 0 else { continue }
                for v in interpreter.values(of: tensor) {
                    state[k][Swift.min(bins - 1, Int((v - low) / width))] += 1
                }
            }
            counter.step()
        }.reduce(into: activations.map { _ in [Int](repeating: 0, count: bins) }) { total, part in
            for k in total.indices { for b in 0..<bins { total[k][b] += part[k][b] } }
        }
        for (k, tensor) in activations.enumerated() {
            let histogram = Histogram(counts: histograms[k], low: extremes[k].0, high: extremes[k].1)
            result[tensor] = method == .percentile ? histogram.percentileRange(0.0001) : histogram.mseRange()
        }
        return result
    }

    /// Splits the samples among workers, each with its own interpreter and its own accumulator.
    private static func perWorker<State>(
        _ graph: FloatGraph, _ samples: [[Float]], _ workers: Int, initial: State,
        observe: @escaping (inout State, FloatInterpreter) -> Void
    ) -> [State] {
        let workerCount = Swift.max(1, Swift.min(workers, samples.count))
        return parallelMap(count: workerCount, workers: workerCount, makeState: { FloatInterpreter(graph: graph) }, work: {
            interpreter, worker in
            var state = initial
            for index in stride(from: worker, to: samples.count, by: workerCount) {
                _ = try? interpreter.run(samples[index])
                observe(&state, interpreter)
            }
            return state
        }, fallback: initial)
    }
}

/// Counts finished samples across threads and reports them.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let report: @Sendable (Int, Int) -> Void

    init(total: Int, report: @escaping @Sendable (Int, Int) -> Void) {
        self.total = total
        self.report = report
    }

    func step() {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        report(done, total)
    }
}
