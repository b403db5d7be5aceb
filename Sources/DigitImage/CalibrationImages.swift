import Foundation
import OneLineError

/// Calibration inputs for the converter: MNIST training images from an IDX folder, or a folder of PNG digits
/// prepared exactly as `edge-sim run` prepares them (MNIST-style, `DigitPreprocessor.mnistStyle`); either way brought
/// to the model's input shape by `DigitInputAdapter`, as `edge-sim compare` and `evaluate` bring MNIST.
public struct CalibrationImages {
    /// Model inputs, `shape.elements` floats in [0, 1] each.
    public var samples: [[Float]]
    /// The model input shape the samples were made for.
    public var shape: DigitInputShape
    /// Where they came from, for the report.
    public var source: String
    /// PNGs that failed to decode and were skipped.
    public var skipped: Int

    /// Fewer usable images than this is an error rather than a silently poor calibration.
    public static let minimum = 10

    /// Loads up to `count` images from `directory`, as inputs of a model of `shape`.
    public init(directory: String, count: Int, shape: DigitInputShape = .mnist) throws(CalibrationImagesError) {
        let adapter = DigitInputAdapter(shape: shape)
        self.shape = shape
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw CalibrationImagesError(file: directory, "no such calibration folder")
        }
        guard isDirectory.boolValue else { throw CalibrationImagesError(file: directory, "is not a folder (give a folder of MNIST IDX files or PNGs)") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw CalibrationImagesError(file: directory, "cannot be listed")
        }
        if names.contains(where: { $0.hasPrefix("train-images-idx3-ubyte") }) {
            let dataset: MNISTDataset
            do {
                dataset = try MNISTDataset(directory: directory, split: .train, limit: count)
            } catch {
                throw CalibrationImagesError("\(error)")
            }
            samples = (0..<min(count, dataset.count)).map { adapter.input(dataset.image(at: $0)) }
            source = "\(samples.count) MNIST training images from \(directory)" + (shape == .mnist ? "" : " (\(adapter))")
            skipped = 0
        } else if names.contains(where: { $0.hasPrefix("t10k-images") }) {
            throw CalibrationImagesError(file: directory, "holds only the MNIST test set; calibrate on training images, never on the test set")
        } else {
            let pngs = names.filter { $0.lowercased().hasSuffix(".png") }
            guard !pngs.isEmpty else { throw CalibrationImagesError(file: directory, "holds neither MNIST IDX files nor PNG images") }
            var samples: [[Float]] = [], skipped = 0
            for name in pngs where samples.count < count {
                let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
                if let image = try? ImageFile.readPNG(path: path) {
                    samples.append(adapter.input(DigitPreprocessor.mnistStyle(image)))
                } else {
                    skipped += 1
                }
            }
            guard samples.count >= min(Self.minimum, count) else {
                throw CalibrationImagesError(file: directory, "only \(samples.count) usable PNGs (\(skipped) failed to decode); calibration needs at least \(min(Self.minimum, count))")
            }
            self.samples = samples
            self.skipped = skipped
            source = "\(samples.count) PNG digits from \(directory)" + (skipped > 0 ? " (\(skipped) undecodable skipped)" : "")
                + (shape == .mnist ? "" : " (prepared MNIST-style in 28x28, then \(adapter.how))")
        }
    }
}

/// Calibration images that cannot be used, worded as one line that names the folder and the problem.
public struct CalibrationImagesError: OneLineError, Sendable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}
