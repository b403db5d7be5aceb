import Foundation

/// A Keras model as EdgeQuant reads it from a Keras 3 `.keras` file (a zip of config.json and model.weights.h5)
/// or a legacy Keras `.h5` file (HDF5 with the model's JSON in the root attribute `model_config`): its layers in
/// an order where every layer comes after its inputs, each with typed attributes and its weights in Keras's
/// weight order. Made only by `KerasModel(bytes:)` (or `KerasModel(configJSON:)` without weights), which checks
/// every size and refuses what EdgeQuant cannot run. The mapping to the float graph happens elsewhere
/// (docs/importing.md).
public struct KerasModel: Sendable, Equatable {
    public enum Container: Sendable, Equatable {
        /// Keras 3 `.keras`: zip with config.json and model.weights.h5.
        case kerasZip
        /// Legacy `.h5`: one HDF5 file, JSON in the `model_config` attribute, weights under `model_weights`.
        case legacyHDF5
        /// Configuration only (`KerasModel(configJSON:)`): no weights were read.
        case configOnly
    }

    public enum Kind: String, Sendable, Equatable {
        case sequential = "Sequential"
        case functional = "Functional"
    }

    public var container: Container
    public var kind: Kind
    public var name: String
    /// Input shape without the batch dimension (height, width, channels for images).
    public var inputShape: [Int]
    /// Every layer after all of its inputs; the first is the input layer.
    public var layers: [KerasLayer]
    /// The layer whose output is the model's output.
    public var output: String
}

public struct KerasLayer: Sendable, Equatable {
    public var name: String
    /// The class name as Keras wrote it ("Conv2D", "BatchNormalization", ...).
    public var className: String
    public var op: KerasOp
    /// Names of the layers whose outputs this layer takes, in order (Add: all its operands).
    public var inputs: [String]
    /// In Keras's order: kernel, bias; gamma, beta, moving_mean, moving_variance (those the config has).
    public var weights: [KerasWeight]
}

public struct KerasWeight: Sendable, Equatable {
    /// kernel, bias, gamma, beta, moving_mean or moving_variance.
    public var name: String
    /// As stored: Conv2D kernels HWIO, Dense kernels [in, out].
    public var shape: [Int]
    public var values: [Float]
}

public enum KerasActivation: String, Sendable, Equatable {
    case linear, relu, relu6, softmax
}

public enum KerasPadding: String, Sendable, Equatable {
    /// No padding.
    case valid
    /// Output size ceil(input / stride); TensorFlow puts the odd padding element after (bottom, right).
    case same
}

public struct KerasConv2D: Sendable, Equatable {
    public var filters: Int
    /// (height, width)
    public var kernel: [Int]
    public var strides: [Int]
    public var padding: KerasPadding
    public var activation: KerasActivation
    public var useBias: Bool
}

public struct KerasPool2D: Sendable, Equatable {
    public var pool: [Int]
    public var strides: [Int]
    public var padding: KerasPadding
}

public enum KerasOp: Sendable, Equatable {
    case input
    case conv2D(KerasConv2D)
    case batchNormalization(epsilon: Float, center: Bool, scale: Bool)
    case activation(KerasActivation)
    case maxPooling2D(KerasPool2D)
    case averagePooling2D(KerasPool2D)
    case globalAveragePooling2D(keepDims: Bool)
    case add
    case flatten
    /// Target shape without the batch dimension; at most one -1.
    case reshape([Int])
    /// Identity at inference.
    case dropout(rate: Float)
    case dense(units: Int, activation: KerasActivation, useBias: Bool)
    /// Zero rows and columns added: top, bottom, left, right.
    case zeroPadding2D(top: Int, bottom: Int, left: Int, right: Int)
    case softmax
    /// `x * scale + offset`: folded into the input normalization when it follows the input.
    case rescaling(scale: Float, offset: Float)
    /// `(x - mean) / max(sqrt(variance), 1e-7)` along the channels: values from the config when the layer was
    /// made with them, else (`nil`) its adapted weights mean and variance. Folded into the input normalization.
    case normalization(mean: [Float]?, variance: [Float]?)

    /// Weights that must be stored but are not read (not float, not needed at inference).
    static let unreadWeights: Set<String> = ["count"]

    /// The weights this op has, in Keras's order.
    var weightNames: [String] {
        switch self {
        case .conv2D(let conv): conv.useBias ? ["kernel", "bias"] : ["kernel"]
        case .dense(_, _, let useBias): useBias ? ["kernel", "bias"] : ["kernel"]
        case .batchNormalization(_, let center, let scale):
            (scale ? ["gamma"] : []) + (center ? ["beta"] : []) + ["moving_mean", "moving_variance"]
        // `count` (int64, how many samples adapt() saw) is stored but not read: see `KerasOp.unreadWeights`.
        case .normalization(nil, _): ["mean", "variance", "count"]
        default: []
        }
    }
}

/// Sizes the Keras reader accepts; anything larger is refused with `ImportError.Kind.tooLarge` before it is read.
public struct KerasLimits: Sendable {
    /// The whole file (.keras or .h5), and model.weights.h5 inside a .keras.
    public var maxFileBytes = 1 << 30
    /// config.json / model_config and metadata.json.
    public var maxConfigBytes = 1 << 24
    /// Nesting of the JSON (JSONSerialization recurses).
    public var maxJSONDepth = 100
    public var maxZipEntries = 64
    public var maxLayers = 10_000
    public var maxDimension = 1 << 20
    public var hdf5 = HDF5Limits.default

    public init() {}
    public static let `default` = KerasLimits()
}

extension KerasModel {
    static func isZip(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06])
    }

    static func isHDF5(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    /// Reads a `.keras` or legacy `.h5` file from disk, told apart by content (see `init(bytes:)`). A .keras is
    /// read in place by the zip reader; an .h5 is read into memory (at most `limits.maxFileBytes`).
    public init(contentsOf url: URL, limits: KerasLimits = .default) throws(ImportError) {
        let size: Int
        do {
            size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw .malformed("cannot read the file (\(printable(error.localizedDescription)))")
        }
        if size > limits.maxFileBytes { throw .tooLarge("file of \(size) bytes, the limit is \(limits.maxFileBytes)") }
        let head: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            head = try handle.read(upToCount: 8) ?? Data()
        } catch {
            throw .malformed("cannot read the file (\(printable(error.localizedDescription)))")
        }
        if KerasModel.isZip(head) {
            self = try KerasModel(archive: KerasArchive(url: url, limits: limits), limits: limits)
        } else {
            let bytes: [UInt8]
            do { bytes = [UInt8](try Data(contentsOf: url)) } catch {
                throw .malformed("cannot read the file (\(printable(error.localizedDescription)))")
            }
            self = try KerasModel(bytes: bytes, limits: limits)
        }
    }

    private init(archive: KerasArchive, limits: KerasLimits) throws(ImportError) {
        var model = try KerasModel(configJSON: archive.config, limits: limits, what: "config.json")
        let weights = try HDF5File(bytes: archive.weights, what: "model.weights.h5", limits: limits.hdf5)
        try model.readKeras3Weights(from: weights)
        model.container = .kerasZip
        self = model
    }

    /// Reads a `.keras` or legacy `.h5` file, told apart by content: a zip ("PK\u{3}\u{4}") or HDF5 signature.
    /// A .keras held in memory is written to a temporary file for the zip reader (see `KerasArchive`).
    public init(bytes: [UInt8], limits: KerasLimits = .default) throws(ImportError) {
        if bytes.count > limits.maxFileBytes {
            throw .tooLarge("file of \(bytes.count) bytes, the limit is \(limits.maxFileBytes)")
        }
        if KerasModel.isZip(bytes) {
            self = try KerasModel(archive: KerasArchive(bytes: bytes, limits: limits), limits: limits)
        } else if KerasModel.isHDF5(bytes) {
            let file = try HDF5File(bytes: bytes, what: "HDF5", limits: limits.hdf5)
            guard let config = try file.strings("model_config", at: ".") else {
                throw .unsupported("HDF5 file without a 'model_config' attribute: a weights-only file? save the whole model with model.save()")
            }
            guard config.count == 1 else { throw .malformed("HDF5 attribute 'model_config' holds \(config.count) strings, expected 1") }
            var model = try KerasModel(configJSON: Array(config[0].utf8), limits: limits, what: "model_config")
            try model.readLegacyWeights(from: file)
            model.container = .legacyHDF5
            self = model
        } else {
            throw .malformed("not a Keras file (neither a .keras zip nor an HDF5 .h5)")
        }
    }

    /// Reads a model from its JSON and a Keras 3 weights file (what `model.save_weights("x.weights.h5")` writes,
    /// and model.weights.h5 inside a .keras).
    public init(configJSON: [UInt8], weightsH5: [UInt8], limits: KerasLimits = .default) throws(ImportError) {
        if weightsH5.count > limits.maxFileBytes {
            throw .tooLarge("weights file of \(weightsH5.count) bytes, the limit is \(limits.maxFileBytes)")
        }
        var model = try KerasModel(configJSON: configJSON, limits: limits, what: "config.json")
        let weights = try HDF5File(bytes: weightsH5, what: "weights.h5", limits: limits.hdf5)
        try model.readKeras3Weights(from: weights)
        model.container = .kerasZip
        self = model
    }
}
