// Weights from HDF5 into the layers parsed from the model's JSON. Keras 3 (model.weights.h5 in a .keras) keeps
// each layer's weights in layers/<group>/vars/0, 1, ... where <group> is a name Keras makes from the class
// ("conv2d_1") and the layer's own name is the `name` attribute of the vars group. Legacy .h5 keeps them under
// model_weights/<layer>/, at the paths listed by that group's `weight_names` attribute
// ("seq/conv_a/kernel" in a Sequential model, "conv_a/kernel:0" in Keras 2 files).

extension KerasModel {
    mutating func readKeras3Weights(from file: HDF5File) throws(ImportError) {
        // The layer's name -> its group under layers/.
        var groups: [String: String] = [:]
        if try file.kind("layers") == .group {
            for child in try file.children("layers") {
                let vars = "layers/\(child)/vars"
                guard try file.kind(vars) == .group else { continue }
                guard let names = try file.strings("name", at: vars), names.count == 1 else { continue }
                if groups[names[0]] != nil {
                    throw .malformed("\(file.what): two weight groups for layer '\(printable(names[0]))'")
                }
                groups[names[0]] = vars
            }
        }
        for index in layers.indices {
            let expected = layers[index].op.weightNames
            let context = "\(file.what): layer '\(printable(layers[index].name))' (\(layers[index].className))"
            guard let vars = groups[layers[index].name] else {
                if expected.isEmpty { continue }
                throw .malformed("\(context): no weights in the file (no layers/*/vars group named so)")
            }
            let stored = try file.children(vars)
            guard stored.count == expected.count, Set(stored) == Set((0..<expected.count).map(String.init)) else {
                throw .malformed("\(context): \(stored.count) weights stored, expected \(expected.count) (\(expected.joined(separator: ", ")))")
            }
            var weights: [KerasWeight] = []
            for (i, name) in expected.enumerated() where !KerasOp.unreadWeights.contains(name) {
                let (shape, values) = try file.floats("\(vars)/\(i)")
                weights.append(KerasWeight(name: name, shape: shape, values: values))
            }
            layers[index].weights = try checkedWeights(weights, layer: layers[index], context: context)
        }
    }

    mutating func readLegacyWeights(from file: HDF5File) throws(ImportError) {
        let root: String
        if try file.kind("model_weights") == .group {
            root = "model_weights"
        } else {
            throw .malformed("\(file.what): no 'model_weights' group (not a Keras model file)")
        }
        for index in layers.indices {
            let expected = layers[index].op.weightNames
            let context = "\(file.what): layer '\(printable(layers[index].name))' (\(layers[index].className))"
            let group = "\(root)/\(layers[index].name)"
            guard try file.kind(group) == .group else {
                if expected.isEmpty { continue }
                throw .malformed("\(context): no \(group) group")
            }
            let paths = try file.strings("weight_names", at: group) ?? []
            guard paths.count == expected.count else {
                throw .malformed("\(context): \(paths.count) weights stored, expected \(expected.count) (\(expected.joined(separator: ", ")))")
            }
            // Matched by the last component of each path ("kernel:0" in Keras 2 files), so the order in the
            // file does not matter.
            var byName: [String: String] = [:]
            for path in paths {
                guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                    throw .malformed("\(context): weight path '\(printable(path))' is not a plain relative path")
                }
                var last = String(path.split(separator: "/").last ?? "")
                if let colon = last.lastIndex(of: ":") { last = String(last[..<colon]) }
                if byName[last] != nil { throw .malformed("\(context): two weights named '\(printable(last))'") }
                byName[last] = path
            }
            var weights: [KerasWeight] = []
            for name in expected {
                guard let path = byName[name] else {
                    throw .malformed("\(context): no '\(name)' among its weights (\(paths.map { printable($0) }.joined(separator: ", ")))")
                }
                if KerasOp.unreadWeights.contains(name) { continue }
                let (shape, values) = try file.floats("\(group)/\(path)")
                weights.append(KerasWeight(name: name, shape: shape, values: values))
            }
            layers[index].weights = try checkedWeights(weights, layer: layers[index], context: context)
        }
    }

    /// Shapes the config implies: Conv2D kernel [kh, kw, in, filters], Dense kernel [in, units], biases and
    /// BatchNormalization vectors as long as the output channels; values finite.
    private func checkedWeights(_ weights: [KerasWeight], layer: KerasLayer, context: String) throws(ImportError) -> [KerasWeight] {
        func shapeError(_ weight: KerasWeight, _ expected: String) -> ImportError {
            .malformed("\(context): \(weight.name) has shape \(weight.shape), expected \(expected)")
        }
        switch layer.op {
        case .conv2D(let conv):
            let kernel = weights[0]
            guard kernel.shape.count == 4, kernel.shape[0] == conv.kernel[0], kernel.shape[1] == conv.kernel[1],
                  kernel.shape[2] >= 1, kernel.shape[3] == conv.filters else {
                throw shapeError(kernel, "[\(conv.kernel[0]), \(conv.kernel[1]), in, \(conv.filters)]")
            }
            if conv.useBias, weights[1].shape != [conv.filters] { throw shapeError(weights[1], "[\(conv.filters)]") }
        case .dense(let units, _, let useBias):
            let kernel = weights[0]
            guard kernel.shape.count == 2, kernel.shape[0] >= 1, kernel.shape[1] == units else {
                throw shapeError(kernel, "[in, \(units)]")
            }
            if useBias, weights[1].shape != [units] { throw shapeError(weights[1], "[\(units)]") }
        case .normalization(nil, _):
            guard weights.count == 2, weights[0].shape == weights[1].shape, weights[0].values.count >= 1 else {
                throw .malformed("\(context): mean and variance have shapes \(weights.map(\.shape)), expected two equal shapes")
            }
            if weights[1].values.contains(where: { $0 < 0 }) { throw .malformed("\(context): variance has negative values") }
        case .batchNormalization:
            let channels = weights[0].shape
            guard channels.count == 1, channels[0] >= 1 else { throw shapeError(weights[0], "[channels]") }
            for weight in weights where weight.shape != channels { throw shapeError(weight, "\(channels)") }
            if let variance = weights.last, variance.values.contains(where: { $0 < 0 }) {
                throw .malformed("\(context): moving_variance has negative values")
            }
        default:
            break
        }
        for weight in weights where weight.values.contains(where: { !$0.isFinite }) {
            throw .malformed("\(context): \(weight.name) has values that are not finite")
        }
        return weights
    }
}
