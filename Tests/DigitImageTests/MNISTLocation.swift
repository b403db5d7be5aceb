import Foundation

/// Where the real MNIST files are: $EDGEQUANT_MNIST, or shared/data/mnist beside the repository.
enum MNISTLocation {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let directory = ProcessInfo.processInfo.environment["EDGEQUANT_MNIST"]
        ?? repository.deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path

    static let present = ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
        .allSatisfy { name in
            [name, name + ".gz"].contains { FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent($0)) }
        }

    static let skipMessage = "MNIST is not at \(directory) (set EDGEQUANT_MNIST): skipping the real-data test"
}
