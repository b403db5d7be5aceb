import ModelFormat

// A Keras model (KerasModel, read by KerasConfig/KerasWeights) as a float graph. Keras is NHWC like the float
// graph, so tensors keep their layout: Conv2D kernels stay HWIO, Dense kernels stay [in, out], Flatten keeps
// Keras's order. The layer -> op mapping is the one switch in `KerasGraphMapper.map` (docs/importing.md, "Keras").

/// Turns Keras models into float graphs.
public enum KerasImport {
    /// The float graph of `model`. `options.inputNormalization` says what the model's input holds (from a
    /// pixel / 255); a Rescaling or Normalization layer right after the input is folded into the graph's input
    /// normalization (on top of the option when given; Rescaling alone means the model takes pixels 0...255).
    /// Unsupported layers and attributes: one line naming the layer, its class and the problem.
    public static func floatGraph(_ model: KerasModel, options: ImportOptions = ImportOptions()) throws(ImportError) -> FloatGraph {
        var mapper = KerasGraphMapper(model: model, zeroWeights: false)
        return try mapper.graph(options: options)
    }

    /// The same for a model read without weights (`KerasModel(configJSON:)`), every weight zero: tests check the
    /// mapping's structure and refusals from a JSON configuration alone.
    static func floatGraph(zeroWeightsFor model: KerasModel, options: ImportOptions = ImportOptions()) throws(ImportError) -> FloatGraph {
        var mapper = KerasGraphMapper(model: model, zeroWeights: true)
        return try mapper.graph(options: options)
    }

    /// `ModelImporter`'s entry: the .keras or .h5 file `bytes` read from `path`, every failure one line naming
    /// the file. Applies `options` itself (the importer's generic step would refuse a file's own normalization).
    static func floatGraph(bytes: [UInt8], path: String, options: ImportOptions) throws(ModelFileError) -> FloatGraph {
        // Validated once, by GraphBuilder.finish (the normalization set after it is checked in `graph`).
        do { return try floatGraph(KerasModel(bytes: bytes), options: options) } catch {
            throw ModelFileError(path: path, problem: error.description)
        }
    }
}

private struct KerasGraphMapper {
    let model: KerasModel
    let zeroWeights: Bool
    var builder: GraphBuilder
    /// Each mapped layer's output tensor (layers that map to no op share their input's tensor).
    var tensorOf: [String: Int] = [:]
    /// Tensors that Keras holds as [1, 1, C] (GlobalAveragePooling2D with keepdims) and the graph as [1, C].
    var keepDims: [Int: String] = [:]
    /// How many layers read each layer's output.
    let consumers: [String: Int]
    /// Rescaling / Normalization layers folded into the input normalization, as `x * scale + offset`, in order.
    var inputAffine: [(scale: Float, offset: Float)] = []
    /// Whether a Rescaling layer is among them: the model then takes pixels 0...255 unless the option says otherwise.
    var rescaled = false

    init(model: KerasModel, zeroWeights: Bool) {
        self.model = model
        self.zeroWeights = zeroWeights
        var consumers: [String: Int] = [:]
        for layer in model.layers { for input in layer.inputs { consumers[input, default: 0] += 1 } }
        self.consumers = consumers
        let inputName = model.layers.first.map(\.name) ?? "input"
        builder = GraphBuilder(inputShape: [1] + model.inputShape, inputName: inputName)
    }

    mutating func graph(options: ImportOptions) throws(ImportError) -> FloatGraph {
        guard model.inputShape.count == 3 else {
            throw .unsupported("the model input has shape \(model.inputShape): only images [height, width, channels] are supported")
        }
        for layer in model.layers { try map(layer) }
        guard let output = tensorOf[model.output], output != builder.input else {
            throw .unsupported("the model's output '\(printable(model.output))' is its input: the model computes nothing")
        }
        var graph: FloatGraph
        do { graph = try builder.finish(output: output) } catch { throw .malformed("the mapped graph is not valid: \(error.description)") }
        // Rescaling alone means the model takes pixels 0...255; the option, when given, says otherwise.
        var normalization = options.inputNormalization ?? (rescaled ? InputNormalization(mean: 0, std: 1 / 255) : .identity)
        for (scale, offset) in inputAffine {
            guard let next = normalization.then(scale: scale, offset: offset) else {
                throw .unsupported("an input scale of \(scale) (only a positive, finite scale can be folded into the input normalization)")
            }
            normalization = next
        }
        guard normalization.isValid else { throw .unsupported("the input normalization (\(normalization)) is not finite with a positive std") }
        graph.inputNormalization = normalization
        return graph
    }

    // MARK: the mapping

    private mutating func map(_ layer: KerasLayer) throws(ImportError) {
        let context = "layer '\(printable(layer.name))' (\(printable(layer.className)))"
        func unsupported(_ what: String) -> ImportError { .unsupported("\(context): \(what)") }
        if case .input = layer.op {
            tensorOf[layer.name] = builder.input
            return
        }
        var inputs: [Int] = []
        for name in layer.inputs {
            guard let tensor = tensorOf[name] else { throw .malformed("\(context): its input '\(printable(name))' comes later") }
            inputs.append(tensor)
        }
        guard let x = inputs.first else { throw .malformed("\(context): no input") }
        // Only a flatten may read what Keras holds as [1, 1, C] and the graph as [1, C].
        switch layer.op {
        case .flatten, .reshape: break
        default:
            let keepDims = self.keepDims
            if let producer = inputs.compactMap({ keepDims[$0] }).first {
                throw unsupported("reads the [1, 1, C] output of GlobalAveragePooling2D '\(printable(producer))' (keepdims=True): only Flatten or Reshape may follow it")
            }
        }
        let name = layer.name
        let output: Int
        switch layer.op {
        case .input:
            return
        case .conv2D(let conv):
            try requireFeatureMap(x, context)
            let channels = builder.shape(x)[3]
            let kernel = try constant(layer, "kernel", shape: [conv.kernel[0], conv.kernel[1], channels, conv.filters], context)
            let bias = conv.useBias ? [try constant(layer, "bias", shape: [conv.filters], context)] : []
            let (fused, softmax) = activation(conv.activation)
            if softmax { throw unsupported("activation 'softmax' over the channels of a feature map (only over a vector)") }
            output = try add(.conv2D(strideY: conv.strides[0], strideX: conv.strides[1], padding: padding(conv.padding), activation: fused),
                             name, [x, kernel] + bias, context)
        case .dense(let units, let act, let useBias):
            guard builder.shape(x).count == 2 else {
                throw unsupported("Dense on a \(kerasShape(x)) input (Keras applies it along the last axis): only on a vector, after Flatten or GlobalAveragePooling2D")
            }
            let kernel = try constant(layer, "kernel", shape: [builder.shape(x)[1], units], context)
            let bias = useBias ? [try constant(layer, "bias", shape: [units], context)] : []
            let (fused, softmax) = activation(act)
            output = try add(.dense(activation: fused), name, [x, kernel] + bias, context)
            if softmax {
                // Split out so that the graph's logits are the Dense output (`FloatGraph.logits`).
                tensorOf[name] = try add(.softmax, name + "/softmax", [output], context)
                return
            }
        case .batchNormalization(let epsilon, let center, let scale):
            let channels = builder.shape(x).last ?? 0
            let ones = [Float](repeating: 1, count: channels), zeros = [Float](repeating: 0, count: channels)
            let gamma = scale ? try constant(layer, "gamma", shape: [channels], context) : builder.constant(name + "/gamma", shape: [channels], data: ones)
            let beta = center ? try constant(layer, "beta", shape: [channels], context) : builder.constant(name + "/beta", shape: [channels], data: zeros)
            let mean = try constant(layer, "moving_mean", shape: [channels], context)
            let variance = try constant(layer, "moving_variance", shape: [channels], context)
            output = try add(.batchNormalization(epsilon: epsilon), name, [x, gamma, beta, mean, variance], context)
        case .activation(let act):
            switch act {
            case .linear: output = x
            case .relu: output = try add(.relu, name, [x], context)
            case .relu6: output = try add(.relu6, name, [x], context)
            case .softmax: output = try softmax(x, name, context)
            }
        case .softmax:
            output = try softmax(x, name, context)
        case .maxPooling2D(let pool), .averagePooling2D(let pool):
            try requireFeatureMap(x, context)
            let window = Window2D(height: pool.pool[0], width: pool.pool[1], strideY: pool.strides[0], strideX: pool.strides[1],
                                  padding: padding(pool.padding))
            let isMax: Bool
            if case .maxPooling2D = layer.op { isMax = true } else { isMax = false }
            output = try add(isMax ? .maxPool2D(window) : .averagePool2D(window), name, [x], context)
        case .globalAveragePooling2D(let keepDims):
            try requireFeatureMap(x, context)
            output = try add(.globalAveragePool, name, [x], context)
            if keepDims { self.keepDims[output] = layer.name }
        case .add:
            // Keras adds any number of equal-shaped tensors; the graph's Add takes two.
            var sum = x
            for (i, operand) in inputs.enumerated().dropFirst() {
                sum = try add(.add(), i == inputs.count - 1 ? name : "\(name)/add\(i)", [sum, operand], context)
            }
            output = sum
        case .flatten:
            output = try add(.flatten, name, [x], context)
        case .reshape(let target):
            let count = builder.shape(x).dropFirst().reduce(1, *)
            guard target == [-1] || target == [count] else {
                throw unsupported("target_shape \(target) from \(kerasShape(x)) (only a flatten, to [\(count)] or [-1])")
            }
            output = try add(.flatten, name, [x], context)
        case .dropout(let rate):
            output = try add(.dropout(rate: rate), name, [x], context)
        case .zeroPadding2D(let top, let bottom, let left, let right):
            try requireFeatureMap(x, context)
            output = try add(.pad(top: top, bottom: bottom, left: left, right: right), name, [x], context)
        case .rescaling(let scale, let offset):
            try requireAtInput(layer, x, context)
            inputAffine.append((scale, offset))
            rescaled = true
            output = x
        case .normalization(let configMean, let configVariance):
            try requireAtInput(layer, x, context)
            var mean: [Float], variance: [Float]
            if let configMean, let configVariance {
                (mean, variance) = (configMean, configVariance)
            } else {
                (mean, variance) = (try weightValues(layer, "mean", context), try weightValues(layer, "variance", context))
            }
            let channels = builder.shape(x)[3]
            guard mean.count == variance.count, mean.count == 1 || mean.count == channels else {
                throw .malformed("\(context): \(mean.count) means and \(variance.count) variances for \(channels) channels")
            }
            guard Set(mean).count == 1, Set(variance).count == 1 else {
                throw unsupported("per-channel mean \(mean) and variance \(variance) (the input normalization is one mean and one std for all channels)")
            }
            // Keras: (x - mean) / max(sqrt(variance), epsilon 1e-7).
            let std = max(variance[0].squareRoot(), 1e-7)
            inputAffine.append((1 / std, -mean[0] / std))
            output = x
        }
        tensorOf[name] = output
    }

    // MARK: helpers

    /// Keras's activation as the fused activation, and whether a Softmax follows.
    private func activation(_ activation: KerasActivation) -> (Activation, softmax: Bool) {
        switch activation {
        case .linear: (.none, false)
        case .relu: (.relu, false)
        case .relu6: (.relu6, false)
        case .softmax: (.none, true)
        }
    }

    private func padding(_ padding: KerasPadding) -> Padding {
        switch padding {
        case .valid: .valid
        // TensorFlow's 'same' puts the odd element after, as the graph's `.same` does.
        case .same: .same
        }
    }

    /// The shape Keras gives tensor `index`, without the batch dimension.
    private func kerasShape(_ index: Int) -> [Int] {
        keepDims[index] != nil ? [1, 1] + builder.shape(index).dropFirst() : Array(builder.shape(index).dropFirst())
    }

    private func requireFeatureMap(_ x: Int, _ context: String) throws(ImportError) {
        guard builder.shape(x).count == 4 else {
            throw .unsupported("\(context): a \(kerasShape(x)) input (only a feature map [height, width, channels])")
        }
    }

    /// Rescaling / Normalization fold into the input normalization only when nothing else reads the input first.
    private func requireAtInput(_ layer: KerasLayer, _ x: Int, _ context: String) throws(ImportError) {
        guard x == builder.input, let source = layer.inputs.first, consumers[source] == 1 else {
            throw .unsupported("\(context): only supported right after the input (where it becomes the input normalization)")
        }
    }

    private mutating func softmax(_ x: Int, _ name: String, _ context: String) throws(ImportError) -> Int {
        guard builder.shape(x).count == 2 else {
            throw .unsupported("\(context): softmax over the channels of a \(kerasShape(x)) feature map (only over a vector)")
        }
        return try add(.softmax, name, [x], context)
    }

    private mutating func add(_ op: Op, _ name: String, _ inputs: [Int], _ context: String) throws(ImportError) -> Int {
        do { return try builder.add(op, name: name, inputs: inputs) } catch { throw .malformed("\(context): \(error.description)") }
    }

    /// The values of weight `weightName` of `layer` (zeros for config-only models in tests).
    private func weightValues(_ layer: KerasLayer, _ weightName: String, _ context: String) throws(ImportError) -> [Float] {
        if zeroWeights && model.container == .configOnly { return [0] }
        guard let weight = layer.weights.first(where: { $0.name == weightName }) else {
            throw .malformed("\(context): no \(weightName) among its weights")
        }
        return weight.values
    }

    /// Weight `weightName` of `layer` as a constant of `shape` (or zeros, for config-only models in tests).
    private mutating func constant(_ layer: KerasLayer, _ weightName: String, shape: [Int], _ context: String) throws(ImportError) -> Int {
        let tensorName = layer.name + "/" + weightName
        if zeroWeights && model.container == .configOnly {
            return builder.constant(tensorName, shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
        }
        guard let weight = layer.weights.first(where: { $0.name == weightName }) else {
            throw .malformed("\(context): no \(weightName) among its weights")
        }
        guard weight.shape == shape, weight.values.count == shape.reduce(1, *) else {
            throw .malformed("\(context): \(weightName) has shape \(weight.shape), the layer's input needs \(shape)")
        }
        return builder.constant(tensorName, shape: shape, data: weight.values)
    }
}
