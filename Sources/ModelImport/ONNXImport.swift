import ModelFormat

/// An ONNX model (NCHW, as `torch.onnx.export` and tf2onnx write it) as a float graph (NHWC). The op mapping is
/// the one switch in `ONNXConverter.convert(_:)`; the layout rules are in docs/importing.md ("ONNX"):
/// - feature maps `[1, C, H, W]` become `[1, H, W, C]`, Conv weights `[O, I, kh, kw]` become `[kh, kw, I, O]`;
/// - a Flatten/Reshape of a map orders features C, H, W, EdgeQuant's flatten H, W, C: the Gemm/MatMul after it
///   takes its rows permuted (our row `(h*W + w)*C + c` is ONNX's row `(c*H + h)*W + w`), so no op is added;
/// - Gemm's alpha goes into the weights and beta into the bias; MatMul followed by Add of a constant is one Dense;
/// - pads (explicit, asymmetric, `auto_pad`, MaxPool `ceil_mode`) become `Padding` values or a `.pad` op.
/// Anything else is refused with one line naming the node (its index, name, op type and byte position).
public enum ONNXImport {
    /// The float graph of `model`, validated. Its input normalization is the identity: ONNX files do not record
    /// one (give it through `ImportOptions`).
    public static func floatGraph(_ model: ONNXModel) throws(ImportError) -> FloatGraph {
        var converter = try ONNXConverter(model: model)
        return try converter.run()
    }

    /// The ops `floatGraph` converts, for messages and docs.
    public static let supportedOps = [
        "Conv", "BatchNormalization", "Relu", "Clip", "MaxPool", "AveragePool", "GlobalAveragePool", "ReduceMean",
        "Add", "Flatten", "Reshape", "Squeeze", "Gemm", "MatMul", "Softmax", "Dropout", "Identity", "Pad", "Transpose",
        "Constant",
    ]
}

/// The shape of a feature map, in ONNX's NCHW terms.
private struct MapShape: Equatable {
    var channels: Int
    var height: Int
    var width: Int
}

/// What an ONNX value is in the float graph: the tensor holding it and how its ONNX shape and element order
/// relate to that tensor's.
private struct Value {
    enum Form: Equatable {
        /// ONNX `[1, C, H, W]`; the tensor is `[1, H, W, C]`.
        case map(MapShape)
        /// ONNX `[1, H, W, C]`: a map after Transpose (0, 2, 3, 1), or a channels-last graph input before its
        /// Transpose (0, 3, 1, 2) (tf2onnx writes both around Keras models); the tensor is the same `[1, H, W, C]`.
        case channelsLast(MapShape)
        /// ONNX `[1, N]` (`rank4` false) or `[1, N, 1, 1]` (a global pool with keepdims); the tensor is `[1, N]`.
        /// `flattenedFrom` is the map a Flatten made this vector of when the element orders differ: tensor
        /// element `(h*W + w)*C + c` is ONNX element `(c*H + h)*W + w`.
        case vector(count: Int, rank4: Bool, flattenedFrom: MapShape?)
    }

    var tensor: Int
    var form: Form

    var onnxShape: [Int] {
        switch form {
        case let .map(m): [1, m.channels, m.height, m.width]
        case let .channelsLast(m): [1, m.height, m.width, m.channels]
        case let .vector(count, rank4, _): rank4 ? [1, count, 1, 1] : [1, count]
        }
    }
}

private struct ONNXConverter {
    let model: ONNXModel
    var builder: GraphBuilder
    /// Initializers and Constant nodes' values by name.
    var constants: [String: ONNXTensor] = [:]
    /// Activations by ONNX name.
    var values: [String: Value] = [:]
    /// How many nodes (and graph outputs) read each name.
    var readers: [String: Int] = [:]
    /// Add nodes (by index) whose constant was folded into the Dense of the MatMul before them, with that Dense.
    var foldedBiasAdds: [Int: Value] = [:]
    var usedNames = Set<String>()

    init(model: ONNXModel) throws(ImportError) {
        self.model = model
        for tensor in model.initializers { constants[tensor.name] = tensor }
        for node in model.nodes {
            for name in node.inputs where !name.isEmpty { readers[name, default: 0] += 1 }
        }
        for output in model.outputs { readers[output.name, default: 0] += 1 }

        guard model.inputs.count == 1, let input = model.inputs.first else {
            throw .unsupported("the graph has \(model.inputs.count) inputs; EdgeQuant converts models with one image input")
        }
        guard let dims = input.shape, dims.count == 4 else {
            throw .unsupported("graph input '\(printable(input.name))' has shape \(Self.describe(input.shape)); "
                + "EdgeQuant converts image models with a [1, C, H, W] input")
        }
        var sizes: [Int] = []
        for (i, d) in dims.enumerated().dropFirst() {
            guard case .value(let n) = d, n >= 1 else {
                throw .unsupported("graph input '\(printable(input.name))' dimension \(i) is \(Self.describe(d)), not a fixed size")
            }
            sizes.append(n)
        }
        // Bounded here so that no shape computed later can overflow.
        let (hw, o1) = sizes[0].multipliedReportingOverflow(by: sizes[1])
        let (elements, o2) = hw.multipliedReportingOverflow(by: sizes[2])
        guard !o1, !o2, elements <= GraphLimits.maxElements else {
            throw .tooLarge("graph input '\(printable(input.name))' has shape \(Self.describe(input.shape)), more than \(GraphLimits.maxElements) elements")
        }
        if case .value(let batch) = dims[0], batch != 1 {
            throw .unsupported("graph input '\(printable(input.name))' has batch \(batch); EdgeQuant converts batch-1 models")
        }
        // tf2onnx keeps a Keras model's NHWC input and makes it NCHW first: then every reader of the input is a
        // Transpose (0, 3, 1, 2), or, for one channel, a Reshape to [1, 1, H, W].
        let readersOfInput = model.nodes.filter { $0.inputs.contains(input.name) }
        let initializers = constants
        let channelsLast = !readersOfInput.isEmpty && readersOfInput.allSatisfy { node in
            if node.opType == "Transpose" { return node.inputs.count == 1 && (try? node.ints("perm")) == [0, 3, 1, 2] }
            guard node.opType == "Reshape", sizes[2] == 1, node.inputs.count == 2, node.inputs[0] == input.name,
                  let shape = initializers[node.inputs[1]]?.int64s,
                  let dims = try? Self.reshape([1] + sizes, to: shape, allowZero: false, label: "") else { return false }
            return dims == [1, 1, sizes[0], sizes[1]]
        }
        let shape = channelsLast
            ? MapShape(channels: sizes[2], height: sizes[0], width: sizes[1])
            : MapShape(channels: sizes[0], height: sizes[1], width: sizes[2])
        builder = GraphBuilder(inputShape: [1, shape.height, shape.width, shape.channels], inputName: input.name)
        values[input.name] = Value(tensor: builder.input, form: channelsLast ? .channelsLast(shape) : .map(shape))
        usedNames.insert(input.name)
    }

    static func describe(_ shape: [ONNXDimension]?) -> String {
        guard let shape else { return "unknown" }
        return "[" + shape.map { describe($0) }.joined(separator: ", ") + "]"
    }

    static func describe(_ d: ONNXDimension) -> String {
        switch d {
        case .value(let n): "\(n)"
        case .param(let p): "'\(printable(p))'"
        case .unknown: "?"
        }
    }

    mutating func run() throws(ImportError) -> FloatGraph {
        for node in model.nodes {
            guard node.domain.isEmpty || node.domain == "ai.onnx" else {
                throw .unsupported("\(node.label): operator domain '\(printable(node.domain))' is not supported")
            }
            try convert(node)
        }
        guard model.outputs.count == 1, let output = model.outputs.first else {
            throw .unsupported("the graph has \(model.outputs.count) outputs; EdgeQuant converts models with one output")
        }
        guard let value = values[output.name] else {
            throw .unsupported("graph output '\(printable(output.name))' is not computed from the input by the graph's nodes")
        }
        switch value.form {
        case .vector(_, _, nil): break
        case .vector:
            throw .unsupported("graph output '\(printable(output.name))' is a flattened NCHW map: its element order "
                + "differs from EdgeQuant's NHWC flatten (end the model in Gemm, MatMul or a global pool)")
        case .map, .channelsLast:
            throw .unsupported("graph output '\(printable(output.name))' has shape \(value.onnxShape); "
                + "EdgeQuant converts models that end in a vector [1, N]")
        }
        do {
            return try builder.finish(output: value.tensor)
        } catch {
            throw .malformed("the converted graph is not valid: \(error)")
        }
    }

    // MARK: - The op mapping

    mutating func convert(_ node: ONNXNode) throws(ImportError) {
        let label = node.label
        func unsupported(_ problem: String) -> ImportError { .unsupported("\(label): \(problem)") }
        func malformed(_ problem: String) -> ImportError { .malformed("\(label): \(problem)") }

        switch node.opType {
        case "Constant":
            try requireOutputs(node, 1)
            constants[node.outputs[0]] = try constantValue(node)

        case "Identity", "Dropout":
            if node.opType == "Dropout" {
                if node.outputs.count > 1, !node.outputs[1].isEmpty, readers[node.outputs[1], default: 0] > 0 {
                    throw unsupported("the mask output is used (training only)")
                }
                if node.inputs.count > 2, !node.inputs[2].isEmpty {
                    guard let mode = constants[node.inputs[2]], mode.elementCount == 1 else {
                        throw unsupported("training_mode is not a constant")
                    }
                    if mode.int64s?.first ?? 0 != 0 || (mode.floats?.first ?? 0) != 0 { throw unsupported("training_mode is on") }
                }
            }
            guard let input = node.inputs.first, !input.isEmpty, let output = node.outputs.first, !output.isEmpty else {
                throw malformed("needs one input and one output")
            }
            // An identity of a constant (tf2onnx writes some) is the same constant.
            if let constant = constants[input], values[input] == nil {
                constants[output] = constant
            } else {
                values[output] = try data(node, 0)
            }

        case "Conv":
            try requireOutputs(node, 1)
            let (x, shape) = try map(node, 0)
            let weight = try floatConstant(node, 1)
            guard weight.dims.count == 4 else { throw malformed("weight has shape \(weight.dims), [O, I, kh, kw] expected") }
            let (o, i, kh, kw) = (weight.dims[0], weight.dims[1], weight.dims[2], weight.dims[3])
            let window = try node.window(spatialRank: 2)
            guard window.group == 1 else {
                throw unsupported("group \(window.group) (grouped and depthwise convolutions are not supported)")
            }
            guard window.dilations == [1, 1] else { throw unsupported("dilations \(window.dilations) (only 1 is supported)") }
            if let k = window.kernelShape, k != [kh, kw] {
                throw malformed("kernel_shape \(k) differs from the weight's \([kh, kw])")
            }
            guard i == shape.channels else {
                throw malformed("weight expects \(i) input channels, the input has \(shape.channels)")
            }
            let bias = try optionalFloatConstant(node, 2)
            if let bias, bias.elementCount != o { throw malformed("bias has \(bias.elementCount) values, \(o) expected") }
            let pads = try explicitPads(node, window, shape, kernel: (kh, kw))
            let name = nodeName(node)
            var input = x.tensor
            var padding = padding(pads, autoPad: window.autoPad)
            if case let .explicit(top, bottom, left, right) = padding, max(top, bottom) >= kh || max(left, right) >= kw {
                // Pads of a whole kernel or more are exact as zeros added before a valid convolution.
                input = try add(.pad(top: top, bottom: bottom, left: left, right: right), name: name + "/pad", inputs: [input], node)
                padding = .valid
            }
            let kernel = builder.constant(name + "/kernel", shape: [kh, kw, i, o], data: Self.hwio(weight.floats!, o: o, i: i, kh: kh, kw: kw))
            var inputs = [input, kernel]
            if let bias { inputs.append(builder.constant(name + "/bias", shape: [o], data: bias.floats!)) }
            let strides = window.strides
            let out = try add(.conv2D(strideY: strides[0], strideX: strides[1], padding: padding), name: name, inputs: inputs, node)
            try define(node, out)

        case "MaxPool", "AveragePool":
            try requireOutputs(node, 1)
            let (x, shape) = try map(node, 0)
            let window = try node.window(spatialRank: 2)
            guard let k = window.kernelShape else { throw malformed("no kernel_shape") }
            guard window.dilations == [1, 1] else { throw unsupported("dilations \(window.dilations) (only 1 is supported)") }
            let pads = try explicitPads(node, window, shape, kernel: (k[0], k[1]))
            if node.opType == "AveragePool" {
                if window.countIncludePad && pads != [0, 0, 0, 0] {
                    throw unsupported("count_include_pad=1 with padding \(pads) (EdgeQuant's average leaves padding out of the divisor)")
                }
            }
            guard max(pads[0], pads[1]) < k[0] && max(pads[2], pads[3]) < k[1] else {
                throw unsupported("pads [top, bottom, left, right] \(pads) reach a whole \(k[0])x\(k[1]) window")
            }
            let geometry = Window2D(height: k[0], width: k[1], strideY: window.strides[0], strideX: window.strides[1],
                                    padding: padding(pads, autoPad: window.autoPad))
            let op: Op = node.opType == "MaxPool" ? .maxPool2D(geometry) : .averagePool2D(geometry)
            let out = try add(op, name: nodeName(node), inputs: [x.tensor], node)
            try define(node, out)

        case "GlobalAveragePool":
            try requireOutputs(node, 1)
            let (x, shape) = try map(node, 0)
            let out = try add(.globalAveragePool, name: nodeName(node), inputs: [x.tensor], node)
            values[node.outputs[0]] = Value(tensor: out, form: .vector(count: shape.channels, rank4: true, flattenedFrom: nil))

        case "ReduceMean":
            try requireOutputs(node, 1)
            let (x, shape) = try map(node, 0)
            var axes: [Int64]?
            if node.inputs.count > 1, !node.inputs[1].isEmpty {
                guard let tensor = constants[node.inputs[1]], let list = tensor.int64s else {
                    throw unsupported("axes '\(printable(node.inputs[1]))' is not an INT64 constant")
                }
                axes = list
            } else {
                axes = try node.ints("axes")
            }
            guard let axes, !axes.isEmpty else { throw unsupported("no axes (a mean over every axis)") }
            let normalized = Set(axes.map { $0 < 0 ? $0 + 4 : $0 })
            guard normalized == [2, 3], axes.count == 2 else {
                throw unsupported("axes \(axes): only the mean over H and W (a global average pool) is supported")
            }
            let keep = try node.flag("keepdims", default: true)
            let out = try add(.globalAveragePool, name: nodeName(node), inputs: [x.tensor], node)
            values[node.outputs[0]] = Value(tensor: out, form: .vector(count: shape.channels, rank4: keep, flattenedFrom: nil))

        case "BatchNormalization":
            guard node.outputs.count >= 1 else { throw malformed("no output") }
            for extra in node.outputs.dropFirst() where !extra.isEmpty && readers[extra, default: 0] > 0 {
                throw unsupported("output '\(printable(extra))' (running statistics: training mode) is used")
            }
            guard try !node.flag("training_mode", default: false) else { throw unsupported("training_mode=1") }
            let x = try data(node, 0)
            let channels: Int
            switch x.form {
            case let .map(m): channels = m.channels
            case let .vector(count, _, nil): channels = count
            default: throw unsupported("input has ONNX shape \(x.onnxShape) with a channel order EdgeQuant does not keep")
            }
            let epsilon = try node.float("epsilon") ?? 1e-5
            guard epsilon > 0, epsilon.isFinite else { throw unsupported("epsilon \(epsilon) (must be positive)") }
            let name = nodeName(node)
            var inputs = [x.tensor]
            for (position, part) in ["scale", "bias", "mean", "variance"].enumerated() {
                let tensor = try floatConstant(node, position + 1)
                guard tensor.elementCount == channels else {
                    throw malformed("\(part) has \(tensor.elementCount) values, \(channels) expected")
                }
                inputs.append(builder.constant("\(name)/\(part)", shape: [channels], data: tensor.floats!))
            }
            let out = try add(.batchNormalization(epsilon: epsilon), name: name, inputs: inputs, node)
            values[node.outputs[0]] = Value(tensor: out, form: x.form)

        case "Relu":
            try requireOutputs(node, 1)
            let x = try data(node, 0)
            let out = try add(.relu, name: nodeName(node), inputs: [x.tensor], node)
            values[node.outputs[0]] = Value(tensor: out, form: x.form)

        case "Clip":
            try requireOutputs(node, 1)
            let x = try data(node, 0)
            let bounds = (min: try clipBound(node, 1), max: try clipBound(node, 2))
            let op: Op
            switch (bounds.min, bounds.max) {
            case (0?, 6?): op = .relu6
            case (0?, nil), (0?, Float.infinity?): op = .relu
            default:
                throw unsupported("bounds \(bounds.min.map { "\($0)" } ?? "none") and \(bounds.max.map { "\($0)" } ?? "none") "
                    + "(only 0 and 6, ReLU6, or 0 and none, ReLU, are supported)")
            }
            let out = try add(op, name: nodeName(node), inputs: [x.tensor], node)
            values[node.outputs[0]] = Value(tensor: out, form: x.form)

        case "Add":
            try requireOutputs(node, 1)
            if let dense = foldedBiasAdds[node.index] {
                values[node.outputs[0]] = dense
                return
            }
            guard node.inputs.count == 2 else { throw malformed("has \(node.inputs.count) inputs, 2 expected") }
            if node.inputs.contains(where: { constants[$0] != nil && values[$0] == nil }) {
                throw unsupported("adds a constant (EdgeQuant folds a constant Add only as the bias right after a MatMul)")
            }
            let a = try data(node, 0), b = try data(node, 1)
            guard a.form == b.form else {
                throw unsupported("inputs have ONNX shapes \(a.onnxShape) and \(b.onnxShape) (broadcasting is not supported)")
            }
            if case .channelsLast = a.form { throw unsupported("channels-last (NHWC) inputs after a Transpose are not supported") }
            let out = try add(.add(), name: nodeName(node), inputs: [a.tensor, b.tensor], node)
            values[node.outputs[0]] = Value(tensor: out, form: a.form)

        case "Flatten":
            try requireOutputs(node, 1)
            let x = try data(node, 0)
            let axis = try node.axis(default: 1, rank: x.onnxShape.count)
            guard axis <= 1 else { throw unsupported("axis \(axis) (only 1, flattening all but the batch, is supported)") }
            try flatten(node, x)

        case "Reshape":
            try requireOutputs(node, 1)
            let x = try data(node, 0)
            guard node.inputs.count > 1, let shapeTensor = constants[node.inputs[1]], let target = shapeTensor.int64s else {
                throw unsupported("the shape is not an INT64 constant (shapes computed at run time are not supported)")
            }
            let allowZero = try node.flag("allowzero", default: false)
            let dims = try Self.reshape(x.onnxShape, to: target, allowZero: allowZero, label: label)
            // One channel: NCHW and NHWC hold the same elements in the same order (tf2onnx's "transpose").
            switch x.form {
            case let .channelsLast(m) where m.channels == 1 && dims == [1, 1, m.height, m.width]:
                values[node.outputs[0]] = Value(tensor: x.tensor, form: .map(m))
                return
            case let .map(m) where m.channels == 1 && dims == [1, m.height, m.width, 1]:
                values[node.outputs[0]] = Value(tensor: x.tensor, form: .channelsLast(m))
                return
            default: break
            }
            let total = x.onnxShape.reduce(1, *)
            guard dims == [1, total] else {
                throw unsupported("Reshape of \(x.onnxShape) to \(target): only a flatten to [1, N] is supported")
            }
            try flatten(node, x)

        case "Squeeze":
            // [1, C, 1, 1] after a global pool to [1, C] (tf2onnx writes it after GlobalAveragePool).
            try requireOutputs(node, 1)
            let x = try data(node, 0)
            var axes: [Int64]?
            if node.inputs.count > 1, !node.inputs[1].isEmpty {
                guard let list = constants[node.inputs[1]]?.int64s else { throw unsupported("axes is not an INT64 constant") }
                axes = list
            } else {
                axes = try node.ints("axes")
            }
            guard case let .vector(count, true, nil) = x.form, let axes,
                  Set(axes.map { $0 < 0 ? $0 + 4 : $0 }) == [2, 3], axes.count == 2 else {
                throw unsupported("Squeeze of ONNX shape \(x.onnxShape) (only [1, C, 1, 1] to [1, C] is supported)")
            }
            values[node.outputs[0]] = Value(tensor: x.tensor, form: .vector(count: count, rank4: false, flattenedFrom: nil))

        case "Gemm":
            try requireOutputs(node, 1)
            let gemm = try node.gemm()
            guard !gemm.transA else { throw unsupported("transA=1 (the input must not be transposed)") }
            let weight = try floatConstant(node, 1)
            guard weight.dims.count == 2 else { throw malformed("B has shape \(weight.dims), 2-D expected") }
            let (inputs, outputs) = gemm.transB ? (weight.dims[1], weight.dims[0]) : (weight.dims[0], weight.dims[1])
            var bias: [Float]?
            if let c = try optionalFloatConstant(node, 2), gemm.beta != 0 {
                // A bias per output ([N] or [1, N]) or one value broadcast to all of them.
                guard c.dims == [outputs] || c.dims == [1, outputs] || (c.elementCount == 1 && c.dims.count <= 2) else {
                    throw unsupported("C has shape \(c.dims): only a bias of [\(outputs)], [1, \(outputs)] or one value is supported")
                }
                let values = c.floats!
                bias = (0..<outputs).map { gemm.beta * values[values.count == 1 ? 0 : $0] }
            }
            try dense(node, weight: weight.floats!, inputs: inputs, outputs: outputs, transposed: gemm.transB,
                      alpha: gemm.alpha, bias: bias)

        case "MatMul":
            try requireOutputs(node, 1)
            let weight = try floatConstant(node, 1)
            guard weight.dims.count == 2 else { throw unsupported("B has shape \(weight.dims): only a 2-D constant is supported") }
            let outputs = weight.dims[1]
            // MatMul then Add of a constant vector (what Keras Dense becomes through tf2onnx, and torch with
            // bias folded out) is one Dense with a bias.
            var bias: [Float]?
            var foldedAdd: Int?
            let output = node.outputs[0]
            if readers[output, default: 0] == 1,
               let add = model.nodes.first(where: { $0.index > node.index && $0.inputs.contains(output) }),
               add.opType == "Add", add.domain.isEmpty || add.domain == "ai.onnx", add.inputs.count == 2,
               let other = add.inputs.first(where: { $0 != output }), values[other] == nil,
               let c = constants[other], let values = c.floats, c.dims == [outputs] || c.dims == [1, outputs] {
                bias = values
                foldedAdd = add.index
            }
            try dense(node, weight: weight.floats!, inputs: weight.dims[0], outputs: outputs, transposed: false,
                      alpha: 1, bias: bias)
            if let foldedAdd { foldedBiasAdds[foldedAdd] = values[output] }

        case "Softmax":
            try requireOutputs(node, 1)
            let x = try data(node, 0)
            guard case .vector(_, false, nil) = x.form else {
                throw unsupported("input has ONNX shape \(x.onnxShape): only a softmax over a [1, N] vector is supported")
            }
            let axis = try node.axis(default: -1, rank: 2)
            guard axis == 1 else { throw unsupported("axis \(axis) (only the last axis of [1, N] is supported)") }
            let out = try add(.softmax, name: nodeName(node), inputs: [x.tensor], node)
            values[node.outputs[0]] = Value(tensor: out, form: x.form)

        case "Pad":
            try requireOutputs(node, 1)
            let (x, shape) = try map(node, 0)
            let mode = try node.string("mode") ?? "constant"
            guard mode == "constant" else { throw unsupported("mode '\(printable(mode))' (only constant zeros are supported)") }
            guard node.inputs.count > 1, let padsTensor = constants[node.inputs[1]], let raw = padsTensor.int64s else {
                throw unsupported("pads is not an INT64 constant")
            }
            if node.inputs.count > 2, !node.inputs[2].isEmpty {
                guard let value = constants[node.inputs[2]], value.elementCount == 1 else {
                    throw unsupported("constant_value is not one constant")
                }
                guard (value.floats?.first ?? Float(value.int64s?.first ?? 1)) == 0 else {
                    throw unsupported("constant_value \(value.floats?.first.map { "\($0)" } ?? "?") (only zero padding is supported)")
                }
            }
            var axes: [Int] = [0, 1, 2, 3]
            if node.inputs.count > 3, !node.inputs[3].isEmpty {
                guard let tensor = constants[node.inputs[3]], let list = tensor.int64s else {
                    throw unsupported("axes is not an INT64 constant")
                }
                axes = []
                for a in list {
                    guard a >= -4 && a < 4 else { throw malformed("axis \(a) for rank 4") }
                    axes.append(Int(a < 0 ? a + 4 : a))
                }
            }
            guard raw.count == 2 * axes.count else {
                throw malformed("pads has \(raw.count) values, \(2 * axes.count) expected")
            }
            var begin = [Int64](repeating: 0, count: 4), end = begin
            for (k, axis) in axes.enumerated() {
                begin[axis] = raw[k]
                end[axis] = raw[k + axes.count]
            }
            guard begin[0] == 0, end[0] == 0, begin[1] == 0, end[1] == 0 else {
                throw unsupported("pads \(raw) pad the batch or channel axis (only H and W are supported)")
            }
            let hw = [begin[2], end[2], begin[3], end[3]]
            guard hw.allSatisfy({ $0 >= 0 && $0 <= 4096 }) else {
                throw unsupported("pads \(raw) (only 0...4096, no cropping, is supported)")
            }
            if hw == [0, 0, 0, 0] {
                values[node.outputs[0]] = x
                return
            }
            let pads = hw.map { Int($0) }
            let out = try add(.pad(top: pads[0], bottom: pads[1], left: pads[2], right: pads[3]), name: nodeName(node),
                              inputs: [x.tensor], node)
            values[node.outputs[0]] = Value(tensor: out, form: .map(MapShape(
                channels: shape.channels, height: shape.height + pads[0] + pads[1], width: shape.width + pads[2] + pads[3])))

        case "Transpose":
            try requireOutputs(node, 1)
            let x = try data(node, 0)
            let perm = try node.ints("perm")
            switch (x.form, perm) {
            case let (.map(m), [0, 2, 3, 1]?): values[node.outputs[0]] = Value(tensor: x.tensor, form: .channelsLast(m))
            case let (.channelsLast(m), [0, 3, 1, 2]?): values[node.outputs[0]] = Value(tensor: x.tensor, form: .map(m))
            default:
                throw unsupported("perm \(perm.map { "\($0)" } ?? "none") of ONNX shape \(x.onnxShape): only NCHW <-> NHWC "
                    + "of a feature map is supported")
            }

        default:
            throw unsupported("op not supported (EdgeQuant converts \(ONNXImport.supportedOps.joined(separator: ", ")))")
        }
    }

    // MARK: - Pieces shared by several ops

    /// Flatten (or an equivalent Reshape) of `x` to ONNX `[1, N]`.
    mutating func flatten(_ node: ONNXNode, _ x: Value) throws(ImportError) {
        switch x.form {
        case .vector(let count, _, let order):
            values[node.outputs[0]] = Value(tensor: x.tensor, form: .vector(count: count, rank4: false, flattenedFrom: order))
        case .map(let m), .channelsLast(let m):
            let out = try add(.flatten, name: nodeName(node), inputs: [x.tensor], node)
            var order: MapShape?
            // The orders agree when the map is one pixel or one channel; only a NCHW map needs the permutation.
            if case .map = x.form, m.height * m.width > 1, m.channels > 1 { order = m }
            values[node.outputs[0]] = Value(tensor: out, form: .vector(count: m.channels * m.height * m.width, rank4: false,
                                                                       flattenedFrom: order))
        }
    }

    /// A Dense from ONNX weights `[inputs, outputs]` (`[outputs, inputs]` when `transposed`) times `alpha`, rows
    /// permuted when the input is a flattened NCHW map. Returns the Dense's output tensor.
    @discardableResult
    mutating func dense(_ node: ONNXNode, weight: [Float], inputs: Int, outputs: Int, transposed: Bool, alpha: Float,
                        bias: [Float]?) throws(ImportError) -> Int {
        let x = try data(node, 0)
        guard case let .vector(count, false, order) = x.form else {
            throw .unsupported("\(node.label): input has ONNX shape \(x.onnxShape), [1, N] expected")
        }
        guard count == inputs else {
            throw .malformed("\(node.label): weight takes \(inputs) inputs, the input has \(count)")
        }
        var kernel = [Float](repeating: 0, count: inputs * outputs)
        for row in 0..<inputs {
            var source = row
            if let m = order {
                // Our row (h*W + w)*C + c holds ONNX's feature (c*H + h)*W + w.
                let c = row % m.channels, pixel = row / m.channels
                let h = pixel / m.width, w = pixel % m.width
                source = (c * m.height + h) * m.width + w
            }
            for j in 0..<outputs {
                kernel[row * outputs + j] = alpha * (transposed ? weight[j * inputs + source] : weight[source * outputs + j])
            }
        }
        let name = nodeName(node)
        var tensors = [x.tensor, builder.constant(name + "/kernel", shape: [inputs, outputs], data: kernel)]
        if let bias { tensors.append(builder.constant(name + "/bias", shape: [outputs], data: bias)) }
        let out = try add(.dense(), name: name, inputs: tensors, node)
        values[node.outputs[0]] = Value(tensor: out, form: .vector(count: outputs, rank4: false, flattenedFrom: nil))
        return out
    }

    /// `[top, bottom, left, right]` for a Conv or pool over `shape`, from `pads` or `auto_pad`, with MaxPool's
    /// and AveragePool's `ceil_mode` as extra end padding (torch's rule: the last window starts inside the input
    /// or its begin padding).
    func explicitPads(_ node: ONNXNode, _ window: ONNXWindow, _ shape: MapShape, kernel: (Int, Int)) throws(ImportError) -> [Int] {
        let sizes = [shape.height, shape.width], kernels = [kernel.0, kernel.1]
        var result = [0, 0, 0, 0]
        for axis in 0..<2 {
            let n = sizes[axis], k = kernels[axis], s = window.strides[axis]
            var begin = window.pads[axis], end = window.pads[axis + 2]
            switch window.autoPad {
            case .notSet:
                let span = n + begin + end - k
                guard span >= 0 else {
                    throw .malformed("\(node.label): a \(kernels) window does not fit the \(sizes) input with pads \(window.pads)")
                }
                if window.ceilMode {
                    var count = (span + s - 1) / s + 1
                    if (count - 1) * s >= n + begin { count -= 1 }
                    end = max(end, (count - 1) * s + k - n - begin)
                }
            case .valid:
                guard n >= k else { throw .malformed("\(node.label): a \(kernels) window does not fit the \(sizes) input") }
                if window.ceilMode, (n - k) % s != 0 {
                    throw .unsupported("\(node.label): ceil_mode=1 with auto_pad VALID")
                }
                begin = 0; end = 0
            case .sameUpper, .sameLower:
                let count = (n + s - 1) / s
                let total = max((count - 1) * s + k - n, 0)
                begin = window.autoPad == .sameUpper ? total / 2 : total - total / 2
                end = total - begin
            }
            result[axis * 2] = begin
            result[axis * 2 + 1] = end
        }
        return result
    }

    /// The float graph's padding for pads `[top, bottom, left, right]`: `.same` for SAME_UPPER (TensorFlow's
    /// rule, the same pads), `.valid` for none, `.explicit` otherwise.
    func padding(_ pads: [Int], autoPad: ONNXAutoPad) -> Padding {
        if autoPad == .sameUpper { return .same }
        if pads == [0, 0, 0, 0] { return .valid }
        return .explicit(top: pads[0], bottom: pads[1], left: pads[2], right: pads[3])
    }

    /// `[O, I, kh, kw]` to `[kh, kw, I, O]`.
    static func hwio(_ w: [Float], o: Int, i: Int, kh: Int, kw: Int) -> [Float] {
        var out = [Float](repeating: 0, count: w.count)
        for co in 0..<o {
            for ci in 0..<i {
                for y in 0..<kh {
                    for x in 0..<kw {
                        out[((y * kw + x) * i + ci) * o + co] = w[((co * i + ci) * kh + y) * kw + x]
                    }
                }
            }
        }
        return out
    }

    /// ONNX Reshape's output dims for `input` and `target` (0 copies the input's dim unless `allowZero`, one -1
    /// takes what is left).
    static func reshape(_ input: [Int], to target: [Int64], allowZero: Bool, label: String) throws(ImportError) -> [Int] {
        let total = input.reduce(1, *)
        guard target.count <= 8 else { throw .unsupported("\(label): shape of rank \(target.count)") }
        var dims: [Int] = []
        var inferred: Int?
        for (i, d) in target.enumerated() {
            switch d {
            case -1:
                guard inferred == nil else { throw .malformed("\(label): shape \(target) has two -1") }
                inferred = i
                dims.append(1)
            case 0:
                guard !allowZero else { throw .unsupported("\(label): shape \(target) makes an empty tensor") }
                guard i < input.count else { throw .malformed("\(label): shape \(target) copies a dimension the input lacks") }
                dims.append(input[i])
            case 1...Int64(1 << 28): dims.append(Int(d))
            default: throw .malformed("\(label): shape \(target)")
            }
        }
        let known = dims.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        if let inferred {
            guard known > 0, total % known == 0 else { throw .malformed("\(label): shape \(target) does not fit \(input)") }
            dims[inferred] = total / known
        } else {
            guard known == total else { throw .malformed("\(label): shape \(target) does not fit \(input)") }
        }
        return dims
    }

    // MARK: - Inputs, outputs, names

    func requireOutputs(_ node: ONNXNode, _ count: Int) throws(ImportError) {
        guard node.outputs.count >= count, !node.outputs[0].isEmpty else {
            throw .malformed("\(node.label): no output")
        }
        for extra in node.outputs.dropFirst(count) where !extra.isEmpty && readers[extra, default: 0] > 0 {
            throw .unsupported("\(node.label): output '\(printable(extra))' is used (only the first output is supported)")
        }
    }

    /// Input `position` of `node`, an activation computed by an earlier node (or the graph input).
    func data(_ node: ONNXNode, _ position: Int) throws(ImportError) -> Value {
        guard position < node.inputs.count, !node.inputs[position].isEmpty else {
            throw .malformed("\(node.label): input \(position) is missing")
        }
        let name = node.inputs[position]
        if let value = values[name] { return value }
        if constants[name] != nil {
            throw .unsupported("\(node.label): input '\(printable(name))' is a constant (EdgeQuant does not fold constants)")
        }
        throw .malformed("\(node.label): input '\(printable(name))' is not computed by an earlier node")
    }

    /// Input `position` as a feature map (ONNX `[1, C, H, W]`).
    func map(_ node: ONNXNode, _ position: Int) throws(ImportError) -> (Value, MapShape) {
        let x = try data(node, position)
        guard case .map(let shape) = x.form else {
            throw .unsupported("\(node.label): input has ONNX shape \(x.onnxShape), a feature map [1, C, H, W] expected")
        }
        return (x, shape)
    }

    func floatConstant(_ node: ONNXNode, _ position: Int) throws(ImportError) -> ONNXTensor {
        guard let tensor = try optionalFloatConstant(node, position) else {
            throw .malformed("\(node.label): input \(position) is missing")
        }
        return tensor
    }

    func optionalFloatConstant(_ node: ONNXNode, _ position: Int) throws(ImportError) -> ONNXTensor? {
        guard position < node.inputs.count, !node.inputs[position].isEmpty else { return nil }
        let name = node.inputs[position]
        guard let tensor = constants[name], values[name] == nil else {
            throw .unsupported("\(node.label): input '\(printable(name))' is not a constant (weights computed at run time are not supported)")
        }
        guard tensor.floats != nil else { throw .malformed("\(node.label): input '\(printable(name))' is not FLOAT") }
        return tensor
    }

    /// Clip's bound at input `position` (opset 11 and later): nil when omitted. Read from the constants table,
    /// which also holds Constant nodes' `value_float` and constants passed through Identity.
    func clipBound(_ node: ONNXNode, _ position: Int) throws(ImportError) -> Float? {
        guard position < node.inputs.count, !node.inputs[position].isEmpty else { return nil }
        let name = node.inputs[position]
        guard let tensor = constants[name], values[name] == nil else {
            throw .unsupported("\(node.label): bound '\(printable(name))' is not a constant")
        }
        guard let values = tensor.floats, values.count == 1 else {
            throw .malformed("\(node.label): bound '\(printable(name))' is not one float")
        }
        return values[0]
    }

    /// A Constant node's value (`value`, `value_float(s)`, `value_int(s)`).
    func constantValue(_ node: ONNXNode) throws(ImportError) -> ONNXTensor {
        let name = node.outputs[0]
        guard node.attributes.count == 1, let (key, value) = node.attributes.first else {
            throw .malformed("\(node.label): a Constant needs exactly one value attribute")
        }
        switch (key, value) {
        case ("value", .tensor(let t)): return ONNXTensor(name: name, dims: t.dims, values: t.values)
        case ("value_float", .float(let v)): return ONNXTensor(name: name, dims: [], values: .float([v]))
        case ("value_floats", .floats(let v)): return ONNXTensor(name: name, dims: [v.count], values: .float(v))
        case ("value_int", .int(let v)): return ONNXTensor(name: name, dims: [], values: .int64([v]))
        case ("value_ints", .ints(let v)): return ONNXTensor(name: name, dims: [v.count], values: .int64(v))
        default: throw .unsupported("\(node.label): a Constant's '\(printable(key))' is not supported")
        }
    }

    /// The op's output as a map computed from the produced tensor's NHWC shape.
    mutating func define(_ node: ONNXNode, _ tensor: Int) throws(ImportError) {
        let s = builder.shape(tensor)
        values[node.outputs[0]] = Value(tensor: tensor, form: .map(MapShape(channels: s[3], height: s[1], width: s[2])))
    }

    /// A unique graph node name: the ONNX name, or "<op>_<index>" when it is empty or already taken.
    mutating func nodeName(_ node: ONNXNode) -> String {
        var name = node.name.isEmpty ? "\(node.opType)_\(node.index)" : node.name
        if usedNames.contains(name) { name += "_\(node.index)" }
        while usedNames.contains(name) { name += "_" }
        usedNames.insert(name)
        return name
    }

    mutating func add(_ op: Op, name: String, inputs: [Int], _ node: ONNXNode) throws(ImportError) -> Int {
        do {
            return try builder.add(op, name: name, inputs: inputs)
        } catch {
            throw .malformed("\(node.label): \(error)")
        }
    }
}
