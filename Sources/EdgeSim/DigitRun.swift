import DigitImage

/// `edge-sim run`: classify PNG digits with a model.
public struct DigitRun {
    public var modelPath: String
    public var imagePaths: [String]
    public var raw: Bool
    public var saveInputDirectory: String?

    public init(modelPath: String, imagePaths: [String], raw: Bool = false, saveInputDirectory: String? = nil) {
        self.modelPath = modelPath
        self.imagePaths = imagePaths
        self.raw = raw
        self.saveInputDirectory = saveInputDirectory
    }

    /// Loads the model and every image first, so that a bad file stops the run before any output is written.
    public func predictions() throws(EdgeSimError) -> [Prediction] {
        var classifier = try FloatClassifier(path: modelPath)
        var inputs: [(path: String, image: GrayImage)] = []
        for path in imagePaths {
            inputs.append((path, try DigitInput.load(path: path, raw: raw)))
        }
        if let saveInputDirectory {
            var saver = try InputSaver(directory: saveInputDirectory)
            for input in inputs { try saver.save(input.image, source: input.path) }
        }
        return inputs.map { Prediction(file: $0.path, scores: classifier.scores(DigitInput.tensor($0.image))) }
    }
}
