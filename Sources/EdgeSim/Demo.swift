import DigitImage
import Foundation

/// `edge-sim demo`: the shipped models on the sample digits and, when MNIST is present, on its test set.
public struct Demo {
    public var modelPaths: [String]
    public var samplesDirectory: String
    public var mnistDirectory: String
    public var limit: Int?

    public init(modelPaths: [String], samplesDirectory: String, mnistDirectory: String, limit: Int? = nil) {
        self.modelPaths = modelPaths
        self.samplesDirectory = samplesDirectory
        self.mnistDirectory = mnistDirectory
        self.limit = limit
    }

    /// Runs everything and returns the summary, line by line, through `emit` as each part finishes.
    public func run(emit: (String) -> Void) throws(EdgeSimError) {
        let classifiers = try modelPaths.map { (path) throws(EdgeSimError) in try FloatClassifier(path: path) }
        let samples = try SampleDigits.files(in: samplesDirectory)
        let names = modelPaths.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }

        emit("Sample digits (\(samples.count) PNGs in \(samplesDirectory), float32 models):")
        let width = max(24, samples.map { URL(fileURLWithPath: $0).lastPathComponent.count }.max() ?? 0)
        emit("  " + "file".padding(toLength: width, withPad: " ", startingAt: 0) + names.map { pad($0, 18) }.joined())
        var right = [Int](repeating: 0, count: classifiers.count)
        for sample in samples {
            let image = try DigitInput.load(path: sample, raw: false)
            let label = SampleDigits.label(of: sample)
            var line = "  " + URL(fileURLWithPath: sample).lastPathComponent.padding(toLength: width, withPad: " ", startingAt: 0)
            for index in classifiers.indices {
                let prediction = Prediction(file: sample, scores: classifiers[index].scoresCopy(DigitInput.tensor(image)))
                let ok = prediction.digit == label
                if ok { right[index] += 1 }
                line += pad("\(prediction.digit) \(ok ? "ok " : "BAD") \(percent(Double(prediction.confidence)))", 18)
            }
            emit(line)
        }
        emit("  " + "correct".padding(toLength: width, withPad: " ", startingAt: 0)
            + right.map { pad("\($0)/\(samples.count)", 18) }.joined())

        let dataset: MNISTDataset
        do {
            dataset = try MNISTDataset(directory: mnistDirectory, split: .test)
        } catch {
            emit("")
            emit("MNIST test set not found (\(error)); pass --data DIR to measure accuracy.")
            return
        }
        emit("")
        emit("MNIST test set (\(min(limit ?? dataset.count, dataset.count)) images from \(mnistDirectory)):")
        for (name, classifier) in zip(names, classifiers) {
            let result = MNISTEvaluation.run(classifier, on: dataset, limit: limit)
            let rate = Double(result.images) / max(result.seconds, 1e-9)
            emit("  \(pad(name, 14)) float32 accuracy \(percent(result.accuracy, digits: 2)) (\(result.correct)/\(result.images)), "
                + "\(String(format: "%.0f", rate)) images/s on \(ProcessInfo.processInfo.activeProcessorCount) cores")
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0)
    }

    private func percent(_ value: Double, digits: Int = 1) -> String {
        String(format: "%.\(digits)f%%", value * 100)
    }
}

extension FloatClassifier {
    /// Scores without mutating the caller's copy (the demo keeps its classifiers in a `let` array).
    func scoresCopy(_ input: [Float]) -> [Float] {
        var copy = self
        return copy.scores(input)
    }
}
