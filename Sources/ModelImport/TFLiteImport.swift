import ModelFormat

// A float32 .tflite as a float graph (docs/importing.md, "TFLite float"). TFLite is NHWC like the float graph:
// conv filters go from OHWI to HWIO and fully-connected weights from [out, in] to [in, out]; nothing else moves.
// The graph keeps one tensor per TFLite activation, except where a RESHAPE only adds or drops dimensions of size 1
// (the data order is unchanged): there the TFLite tensor becomes another name for the graph tensor it reshapes.

extension TFLiteModel {
    /// Whether the model is quantized: any INT8 tensor (TFLiteConverter's full-integer or dynamic-range output).
    /// Such a model is imported as it is into an int8 program, never as a float graph.
    public var isInt8: Bool { tensors.contains { $0.type == .int8 } }

    /// The float graph of a float32 model. Throws a one-line `ImportError` naming the operator (index and op) for
    /// anything the float graph cannot express.
    public func floatGraph() throws(ImportError) -> FloatGraph {
        guard !isInt8 else {
            throw .unsupported("is an int8 (quantized) TFLite model, not a float one: its int8 tensors are not converted to a float graph")
        }
        var importer = try TFLiteFloatImporter(model: self)
        for op in operators {
            try inContext("operator \(op.index) (\(op.op.name))") { () throws(ImportError) in try importer.add(op) }
        }
        return try importer.finish()
    }
}

/// Internal (not private) for the tests of its shape arithmetic.
struct TFLiteFloatImporter {
    let model: TFLiteModel
    var builder: GraphBuilder
    /// TFLite activation tensor -> graph tensor holding its values (in the same order).
    var activations: [Int: Int] = [:]
    /// TFLite tensor -> graph constant made from it with a given layout ("HWIO", "IO", "" as stored).
    var constants: [String: Int] = [:]
    /// Values of INT32 tensors computed by shape arithmetic (SHAPE, STRIDED_SLICE, PACK).
    var computedInts: [Int: [Int]] = [:]
    /// Every tensor and node name used so far: the graph needs them unique, a .tflite does not promise it.
    var names: Set<String> = []
    var nextSuffix: [String: Int] = [:]

    /// Shape vectors, axes and paddings are small; a larger INT32 operand there is refused before it is decoded.
    static let maxSmallInts = 64

    init(model: TFLiteModel) throws(ImportError) {
        self.model = model
        guard model.inputs.count == 1, model.outputs.count == 1 else {
            throw .unsupported("the model has \(model.inputs.count) inputs and \(model.outputs.count) outputs "
                + "(EdgeQuant imports one input image and one output)")
        }
        let input = model.tensors[model.inputs[0]]
        guard input.type == .float32, !input.isConstant else {
            throw .unsupported("the input '\(printable(input.name))' is a \(input.type.name) \(input.isConstant ? "constant" : "tensor"), not a float32 image")
        }
        // [1, H, W, C], or [1, H, W] for one channel (the same values in the same order).
        let shape: [Int]
        switch input.shape.count {
        case 4 where input.shape[0] == 1: shape = input.shape
        case 3 where input.shape[0] == 1: shape = input.shape + [1]
        default:
            throw .unsupported("the input '\(printable(input.name))' has shape \(input.shape); EdgeQuant takes an "
                + "image [1, H, W, C] or [1, H, W]")
        }
        let name = printable(input.name).isEmpty ? "input" : printable(input.name)
        builder = GraphBuilder(inputShape: shape, inputName: name)
        names.insert(name)
        activations[model.inputs[0]] = builder.input
    }

    func finish() throws(ImportError) -> FloatGraph {
        let out = model.outputs[0]
        guard let graphOutput = activations[out] else {
            throw .malformed("the output '\(printable(model.tensors[out].name))' is not written by any float operator")
        }
        do {
            return try builder.finish(output: graphOutput)
        } catch {
            throw .malformed("the graph is not valid: \(error.description)")
        }
    }

    // MARK: - The op mapping

    mutating func add(_ op: TFLiteOperator) throws(ImportError) {
        let out = op.outputs[0]
        let outTensor = model.tensors[out]
        if case .shape = op.op {} else if case .stridedSlice = op.op {} else if case .pack = op.op {} else {
            guard outTensor.type == .float32, !outTensor.isConstant else {
                throw .unsupported("writes the \(outTensor.type.name) \(outTensor.isConstant ? "constant" : "tensor") "
                    + "'\(printable(outTensor.name))'; a float model's operators write float32 activations")
            }
        }
        // The converter joins the names of fused TensorFlow ops with ';': the first is the layer's.
        let name = printable(String(outTensor.name.split(separator: ";", omittingEmptySubsequences: false).first ?? ""))
        switch op.op {
        case let .conv2D(o):
            let x = try featureMap(op.inputs[0])
            let filter = try floatConstant(op.inputs[1], "filter")
            guard filter.shape.count == 4 else { throw .malformed("filter '\(printable(filter.name))' has shape \(filter.shape), expected [O, H, W, I]") }
            let kernel = try constant(filter, layout: "HWIO")
            var inputs = [x, kernel]
            if op.inputs.count > 2, let b = op.inputs[2] { inputs.append(try constant(try floatConstant(b, "bias"), layout: "")) }
            let padding: Padding = o.padding == .same ? .same : .valid
            let y = try node(.conv2D(strideY: o.strideH, strideX: o.strideW, padding: padding, activation: fused(o.activation)),
                             name, inputs)
            try write(out, y, shape: builder.shape(y))

        case let .fullyConnected(activation, keepNumDims):
            var x = try self.activation(op.inputs[0])
            let weights = try floatConstant(op.inputs[1], "weights")
            guard weights.shape.count == 2 else { throw .malformed("weights '\(printable(weights.name))' have shape \(weights.shape), expected [out, in]") }
            let xShape = model.tensors[op.inputs[0]!].shape
            let count = xShape.reduce(1, *)
            // TFLite folds every dimension but the last `in` into the batch: EdgeQuant runs a batch of one.
            guard count == weights.shape[1] else {
                throw .unsupported("input shape \(xShape) with weights \(weights.shape) is a batch of "
                    + "\(count % weights.shape[1] == 0 ? "\(count / weights.shape[1])" : "a fraction"); EdgeQuant runs one image")
            }
            if builder.shape(x).count != 2 { x = try node(.flatten, name + "/flatten", [x]) }
            var inputs = [x, try constant(weights, layout: "IO")]
            if op.inputs.count > 2, let b = op.inputs[2] { inputs.append(try constant(try floatConstant(b, "bias"), layout: "")) }
            let y = try node(.dense(activation: fused(activation)), name, inputs)
            let outShape = keepNumDims ? Array(xShape.dropLast()) + [weights.shape[0]] : [1, weights.shape[0]]
            try write(out, y, shape: outShape)

        case let .maxPool2D(o), let .averagePool2D(o):
            let x = try featureMap(op.inputs[0])
            let window = Window2D(height: o.filterH, width: o.filterW, strideY: o.strideH, strideX: o.strideW,
                                  padding: o.padding == .same ? .same : .valid)
            let isMax = if case .maxPool2D = op.op { true } else { false }
            var y = try node(isMax ? .maxPool2D(window) : .averagePool2D(window), name, [x])
            // The float graph's pools carry no activation: a fused one becomes its own node.
            switch o.activation {
            case .none: break
            case .relu: y = try node(.relu, name + "/relu", [y])
            case .relu6: y = try node(.relu6, name + "/relu6", [y])
            }
            try write(out, y, shape: builder.shape(y))

        case let .mean(keepDims):
            let x = try featureMap(op.inputs[0])
            let axes = try smallInts(op.inputs[1], "axes")
            let normalized = Set(axes.map { $0 < 0 ? $0 + 4 : $0 })
            guard normalized == [1, 2], axes.count == 2 else {
                throw .unsupported("MEAN over axes \(axes) is not supported (only over height and width, axes [1, 2])")
            }
            let y = try node(.globalAveragePool, name, [x])
            let channels = builder.shape(x)[3]
            try write(out, y, shape: keepDims ? [1, 1, 1, channels] : [1, channels])

        case let .add(activation):
            let a = try self.activation(op.inputs[0]), b = try self.activation(op.inputs[1])
            let aShape = model.tensors[op.inputs[0]!].shape, bShape = model.tensors[op.inputs[1]!].shape
            guard aShape == bShape, builder.shape(a) == builder.shape(b) else {
                throw .unsupported("inputs of shapes \(aShape) and \(bShape): broadcasting is not supported")
            }
            let y = try node(.add(activation: fused(activation)), name, [a, b])
            try write(out, y, shape: aShape)

        case let .reshape(newShape):
            let x = try activation(op.inputs[0])
            let xShape = model.tensors[op.inputs[0]!].shape
            let requested: [Int]
            if op.inputs.count > 1, let s = op.inputs[1] { requested = try smallInts(s, "shape") }
            else if let newShape { requested = newShape }
            else { throw .malformed("has neither a shape input nor new_shape") }
            let target = try Self.resolve(requested, count: xShape.reduce(1, *))
            guard target == outTensor.shape else {
                throw .malformed("reshapes \(xShape) to \(target) but its output '\(name)' is stored as \(outTensor.shape)")
            }
            let graphShape = builder.shape(x)
            if Self.squeezed(target) == Self.squeezed(graphShape) {
                // Only dimensions of size 1 added or dropped ([1, 10] -> [10]): the same values, no node.
                try alias(out, x)
            } else if Self.squeezed(target).count <= 1, graphShape.count == 4 {
                try write(out, try node(.flatten, name, [x]), shape: target)
            } else {
                throw .unsupported("reshaping \(xShape) to \(target) is not supported (only a flatten to [1, N], or "
                    + "adding or dropping dimensions of size 1)")
            }

        case let .softmax(beta):
            guard beta == 1 else { throw .unsupported("beta \(beta) is not supported (only 1)") }
            var x = try activation(op.inputs[0])
            let xShape = model.tensors[op.inputs[0]!].shape
            guard let last = xShape.last, last == xShape.reduce(1, *) else {
                throw .unsupported("softmax over the last dimension of \(xShape) is not supported (only over a vector of class scores)")
            }
            if builder.shape(x).count != 2 { x = try node(.flatten, name + "/flatten", [x]) }
            try write(out, try node(.softmax, name, [x]), shape: xShape)

        case .pad, .padV2:
            let x = try featureMap(op.inputs[0])
            let paddingsTensor = model.tensors[op.inputs[1]!]
            let p = try smallInts(op.inputs[1], "paddings")
            guard paddingsTensor.shape == [4, 2] else {
                throw .malformed("paddings have shape \(paddingsTensor.shape), expected [4, 2]")
            }
            guard p[0] == 0, p[1] == 0, p[6] == 0, p[7] == 0, p.allSatisfy({ $0 >= 0 }) else {
                throw .unsupported("paddings \(p) are not supported (only zero or more on height and width)")
            }
            if op.inputs.count > 2, let c = op.inputs[2] {
                let value = try floatConstant(c, "constant value")
                guard let values = value.floatValues, values.count == 1, values[0] == 0 else {
                    throw .unsupported("padding with \(value.floatValues.map { "\($0.prefix(4))" } ?? "?") is not supported (only with 0)")
                }
            }
            let y = try node(.pad(top: p[2], bottom: p[3], left: p[4], right: p[5]), name, [x])
            try write(out, y, shape: builder.shape(y))

        case .relu, .relu6:
            let x = try activation(op.inputs[0])
            let isRelu = if case .relu = op.op { true } else { false }
            try write(out, try node(isRelu ? .relu : .relu6, name, [x]), shape: model.tensors[op.inputs[0]!].shape)

        case .quantize, .dequantize:
            throw .unsupported("not supported in a float model (EdgeQuant imports float32 models, or int8 ones as they are)")

        case .shape:
            let shape = model.tensors[op.inputs[0]!].shape
            try writeInts(out, shape, shape: [shape.count])

        case let .stridedSlice(o):
            let x = try smallInts(op.inputs[0], "input")
            let begin = try smallInts(op.inputs[1], "begin"), end = try smallInts(op.inputs[2], "end")
            let strides = try smallInts(op.inputs[3], "strides")
            guard model.tensors[op.inputs[0]!].shape.count == 1, begin.count == 1, end.count == 1, strides.count == 1,
                  o.ellipsisMask == 0, o.newAxisMask == 0 else {
                throw .unsupported("only slices of a shape vector are supported (1-D input, no ellipsis or new axis)")
            }
            let values = try Self.slice(x, begin: begin[0], end: end[0], stride: strides[0], options: o)
            try writeInts(out, values, shape: o.shrinkAxisMask & 1 != 0 ? [] : [values.count])

        case let .pack(axis):
            var values: [Int] = []
            for input in op.inputs {
                let v = try smallInts(input, "value")
                guard v.count == 1, model.tensors[input!].shape.count <= 1 else {
                    throw .unsupported("only packing single numbers into a shape vector is supported")
                }
                values += v
            }
            guard axis == 0 || axis == -1 else { throw .unsupported("axis \(axis) is not supported (only 0)") }
            try writeInts(out, values, shape: [values.count])
        }
    }

    // MARK: - Operands

    /// The graph tensor of an activation input (the graph input or an earlier operator's output).
    func activation(_ index: Int?) throws(ImportError) -> Int {
        guard let index else { throw .malformed("a required input is absent") }
        let tensor = model.tensors[index]
        if let g = activations[index] { return g }
        if tensor.isConstant {
            throw .unsupported("input '\(printable(tensor.name))' is a constant; EdgeQuant's ops take it as an activation")
        }
        throw .malformed("reads '\(printable(tensor.name))' (tensor \(index)) before any float operator writes it")
    }

    /// An activation that is a [1, H, W, C] feature map in the file and in the graph.
    func featureMap(_ index: Int?) throws(ImportError) -> Int {
        let g = try activation(index)
        let stored = model.tensors[index!].shape
        guard stored.count == 4, stored == builder.shape(g) else {
            throw .unsupported("input '\(printable(model.tensors[index!].name))' has shape \(stored); the op needs a [1, H, W, C] feature map")
        }
        return g
    }

    func floatConstant(_ index: Int?, _ what: String) throws(ImportError) -> TFLiteTensor {
        guard let index else { throw .malformed("the \(what) is absent") }
        let tensor = model.tensors[index]
        guard tensor.isConstant, tensor.type == .float32 else {
            throw .unsupported("the \(what) '\(printable(tensor.name))' must be a float32 constant; it is "
                + (tensor.isConstant ? "a \(tensor.type.name) constant" : "an activation"))
        }
        return tensor
    }

    /// An INT32 operand's values: a constant, or computed by earlier shape arithmetic.
    func smallInts(_ index: Int?, _ what: String) throws(ImportError) -> [Int] {
        guard let index else { throw .malformed("the \(what) is absent") }
        if let values = computedInts[index] { return values }
        let tensor = model.tensors[index]
        guard tensor.isConstant, tensor.type == .int32 else {
            throw .unsupported("the \(what) '\(printable(tensor.name))' must be an INT32 constant; it is "
                + (tensor.isConstant ? "a \(tensor.type.name) constant" : "computed at run time"))
        }
        guard tensor.elementCount <= Self.maxSmallInts else {
            throw .unsupported("the \(what) '\(printable(tensor.name))' has \(tensor.elementCount) values (at most \(Self.maxSmallInts))")
        }
        return (tensor.int32Values ?? []).map(Int.init)
    }

    /// The graph constant for `tensor` in `layout`: "HWIO" from an OHWI filter, "IO" from [out, in] weights,
    /// "" as stored. Made once per tensor and layout (a shared weight stays one constant).
    mutating func constant(_ tensor: TFLiteTensor, layout: String) throws(ImportError) -> Int {
        let key = "\(tensor.index)/\(layout)"
        if let g = constants[key] { return g }
        let values = tensor.floatValues ?? []
        let s = tensor.shape
        var data = values, shape = s
        switch layout {
        case "HWIO":
            let (o, h, w, i) = (s[0], s[1], s[2], s[3])
            shape = [h, w, i, o]
            for oc in 0..<o { for y in 0..<h { for x in 0..<w { for ic in 0..<i {
                data[((y * w + x) * i + ic) * o + oc] = values[((oc * h + y) * w + x) * i + ic]
            } } } }
        case "IO":
            let (o, i) = (s[0], s[1])
            shape = [i, o]
            for r in 0..<o { for c in 0..<i { data[c * o + r] = values[r * i + c] } }
        default: break
        }
        let g = builder.constant(unique(printable(tensor.name) + (layout.isEmpty ? "" : "/" + layout)), shape: shape, data: data)
        constants[key] = g
        return g
    }

    // MARK: - Results

    /// Adds a node writing a new activation; shape errors become one line.
    mutating func node(_ op: Op, _ name: String, _ inputs: [Int]) throws(ImportError) -> Int {
        do {
            return try builder.add(op, name: unique(name.isEmpty ? op.name : name), inputs: inputs)
        } catch {
            throw .malformed(error.description)
        }
    }

    /// Records that TFLite tensor `out` is graph tensor `g`, whose values TFLite stores with `shape`.
    mutating func write(_ out: Int, _ g: Int, shape: [Int]) throws(ImportError) {
        let stored = model.tensors[out].shape
        guard stored == shape else {
            throw .malformed("its output '\(printable(model.tensors[out].name))' is stored as \(stored), the op gives \(shape)")
        }
        try alias(out, g)
    }

    /// Records that TFLite tensor `out` holds the values of graph tensor `g`, in the same order.
    mutating func alias(_ out: Int, _ g: Int) throws(ImportError) {
        guard activations[out] == nil, computedInts[out] == nil else {
            throw .malformed("writes '\(printable(model.tensors[out].name))', which is already written")
        }
        activations[out] = g
    }

    mutating func writeInts(_ out: Int, _ values: [Int], shape: [Int]) throws(ImportError) {
        let tensor = model.tensors[out]
        guard tensor.type == .int32, !tensor.isConstant, tensor.shape == shape else {
            throw .unsupported("writes the \(tensor.type.name) \(tensor.shape) '\(printable(tensor.name))'; shape "
                + "arithmetic is supported on INT32 vectors only, giving \(shape)")
        }
        guard computedInts[out] == nil, activations[out] == nil else { throw .malformed("writes '\(printable(tensor.name))', which is already written") }
        computedInts[out] = values
    }

    /// `base`, or `base_2`, `base_3`...: unused as a node name and as the tensor name `<name>:0` the builder makes.
    /// The next suffix to try is kept per base, so that a file giving every tensor one name costs linear time.
    mutating func unique(_ base: String) -> String {
        var k = nextSuffix[base, default: 1]
        var name = k == 1 ? base : "\(base)_\(k)"
        while names.contains(name) || names.contains(name + ":0") {
            k += 1
            name = "\(base)_\(k)"
        }
        nextSuffix[base] = k + 1
        names.insert(name)
        names.insert(name + ":0")
        return name
    }

    // MARK: - Shape arithmetic

    static func squeezed(_ shape: [Int]) -> [Int] { shape.filter { $0 != 1 } }

    /// A RESHAPE's requested shape with its one -1 (if any) resolved against `count` elements.
    static func resolve(_ requested: [Int], count: Int) throws(ImportError) -> [Int] {
        guard requested.count <= 8 else { throw .unsupported("shape \(requested) has rank \(requested.count)") }
        let unknown = requested.indices.filter { requested[$0] == -1 }
        guard unknown.count <= 1, requested.allSatisfy({ $0 == -1 || $0 >= 1 }) else {
            throw .malformed("shape \(requested) is not valid (dimensions >= 1, at most one -1)")
        }
        var known = 1
        for d in requested where d != -1 {
            let (product, overflow) = known.multipliedReportingOverflow(by: d)
            guard !overflow, product <= count else { throw .malformed("shape \(requested) does not hold \(count) elements") }
            known = product
        }
        var resolved = requested
        if let u = unknown.first {
            guard count % known == 0 else { throw .malformed("shape \(requested) does not hold \(count) elements") }
            resolved[u] = count / known
        } else {
            guard known == count else { throw .malformed("shape \(requested) does not hold \(count) elements") }
        }
        return resolved
    }

    /// TFLite's STRIDED_SLICE along one dimension of `x`.
    static func slice(_ x: [Int], begin: Int, end: Int, stride: Int, options o: TFLiteStridedSliceOptions) throws(ImportError) -> [Int] {
        guard stride != 0, abs(stride) <= 1 << 16, abs(begin) <= 1 << 16, abs(end) <= 1 << 16 else {
            throw .malformed("slice begin \(begin), end \(end), stride \(stride) are not valid")
        }
        let n = x.count
        func clampIndex(_ i: Int) -> Int {
            let j = i < 0 ? i + n : i
            return stride > 0 ? min(max(j, 0), n) : min(max(j, -1), n - 1)
        }
        let start = o.beginMask & 1 != 0 ? (stride > 0 ? 0 : n - 1) : clampIndex(begin)
        if o.shrinkAxisMask & 1 != 0 {
            let i = begin < 0 ? begin + n : begin
            guard i >= 0, i < n else { throw .malformed("slice index \(begin) is outside the \(n)-element input") }
            return [x[i]]
        }
        let stop = o.endMask & 1 != 0 ? (stride > 0 ? n : -1) : clampIndex(o.offset ? begin + end : end)
        var out: [Int] = []
        var i = start
        while stride > 0 ? i < stop : i > stop {
            out.append(x[i])
            i += stride
        }
        return out
    }

    func fused(_ a: TFLiteActivation) -> Activation {
        switch a {
        case .none: .none
        case .relu: .relu
        case .relu6: .relu6
        }
    }
}
