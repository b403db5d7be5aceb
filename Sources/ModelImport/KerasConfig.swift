import Foundation

// The model's JSON (config.json in a .keras, the `model_config` attribute of a legacy .h5) into typed layers.
// JSONSerialization does the parsing; everything read from its result is checked for type and range here, and
// anything EdgeQuant does not run is refused with one line naming the layer.

extension KerasModel {
    /// Reads the model's structure from its JSON without weights (`container` is `.configOnly`).
    /// `what` names the JSON's origin in messages ("config.json", "model_config").
    public init(configJSON bytes: [UInt8], limits: KerasLimits = .default, what: String = "config.json") throws(ImportError) {
        if bytes.count > limits.maxConfigBytes {
            throw .tooLarge("\(what) has \(bytes.count) bytes, the limit is \(limits.maxConfigBytes)")
        }
        try checkJSONDepth(bytes, limit: limits.maxJSONDepth, what: what)
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            throw .malformed("\(what) is not valid JSON")
        }
        self = try inContext(what) { () throws(ImportError) -> KerasModel in
            try KerasConfigParser(limits: limits).model(JSONValue(root))
        }
    }
}

/// JSONSerialization nests arrays and dictionaries recursively: refuse deep nesting before it is parsed.
private func checkJSONDepth(_ bytes: [UInt8], limit: Int, what: String) throws(ImportError) {
    var depth = 0
    var inString = false
    var escaped = false
    for byte in bytes {
        if inString {
            if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            continue
        }
        switch byte {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            depth += 1
            if depth > limit { throw .tooLarge("\(what) nests deeper than \(limit) levels") }
        case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
        default: break
        }
    }
}

/// A value from JSONSerialization with typed, checked accessors. `path` says where it is, for messages.
struct JSONValue {
    let value: Any?

    init(_ value: Any?) { self.value = value }

    var isNull: Bool { value == nil || value is NSNull }
    var string: String? { value as? String }
    var array: [JSONValue]? { (value as? [Any]).map { $0.map(JSONValue.init) } }
    var object: [String: Any]? { value as? [String: Any] }
    subscript(key: String) -> JSONValue { JSONValue(object?[key]) }

    /// JSONSerialization gives booleans as NSNumbers of type "c"; `is Bool` also holds for the numbers 0 and 1.
    private var number: NSNumber? {
        guard let number = value as? NSNumber, number.objCType.pointee != CChar(UInt8(ascii: "c")) else { return nil }
        return number
    }

    /// An integer, also from an integral float ("6.0"); nil for anything else, including booleans.
    var int: Int? {
        guard let number else { return nil }
        let double = number.doubleValue
        guard double.isFinite, double.rounded() == double, abs(double) < 1e15 else { return nil }
        return Int(exactly: double)
    }

    var double: Double? {
        guard let number else { return nil }
        let double = number.doubleValue
        return double.isFinite ? double : nil
    }

    var bool: Bool? {
        guard let number = value as? NSNumber, number.objCType.pointee == CChar(UInt8(ascii: "c")) else { return nil }
        return number.boolValue
    }

    /// For messages: the value in a few characters.
    var brief: String {
        if isNull { return "null" }
        if let string { return "'\(printable(string))'" }
        if let int { return String(int) }
        if let double { return String(double) }
        if let bool { return String(bool) }
        if let array { return "[" + array.prefix(4).map(\.brief).joined(separator: ", ") + (array.count > 4 ? ", ..." : "") + "]" }
        return "an object"
    }
}

/// A layer as written in the JSON, before its inputs are resolved.
private struct RawLayer {
    var name: String
    var className: String
    var op: KerasOp
    var inputShape: [Int]?
    var inputs: [String]
}

struct KerasConfigParser {
    let limits: KerasLimits

    func model(_ root: JSONValue) throws(ImportError) -> KerasModel {
        guard root.object != nil else { throw .malformed("the top level is not a JSON object") }
        guard let className = root["class_name"].string else { throw .malformed("no model 'class_name'") }
        let kind: KerasModel.Kind
        switch className {
        case "Sequential": kind = .sequential
        case "Functional", "Model": kind = .functional
        default: throw .unsupported("model class '\(printable(className))' is not supported (Sequential or Functional)")
        }
        let config = root["config"]
        guard config.object != nil else { throw .malformed("no model 'config' object") }
        let name = config["name"].string ?? ""
        guard let layerList = config["layers"].array else { throw .malformed("no 'layers' list in the model config") }
        if layerList.isEmpty { throw .malformed("the model has no layers") }
        if layerList.count > limits.maxLayers {
            throw .tooLarge("\(layerList.count) layers, the limit is \(limits.maxLayers)")
        }
        var raw: [RawLayer] = []
        raw.reserveCapacity(layerList.count + 1)
        var names = Set<String>()
        for (index, entry) in layerList.enumerated() {
            var layer = try self.layer(entry, index: index, functional: kind == .functional)
            if kind == .sequential {
                if index == 0, case .input = layer.op {
                } else {
                    if index == 0 {
                        // Keras 2 Sequential without an InputLayer: the first layer (or the model) has the shape.
                        let shape = try self.batchShape(entry["config"], fallback: config["build_input_shape"], layer: layer)
                        let inputName = uniqueName(layer.name + "_input", taken: Set(layerList.compactMap { $0["config"]["name"].string }))
                        raw.append(RawLayer(name: inputName, className: "InputLayer", op: .input, inputShape: shape, inputs: []))
                        names.insert(inputName)
                    }
                    if case .input = layer.op {
                        throw .unsupported("layer '\(printable(layer.name))' (InputLayer) in the middle of a Sequential model")
                    }
                    layer.inputs = [raw[raw.count - 1].name]
                }
            }
            guard names.insert(layer.name).inserted else {
                throw .malformed("two layers are named '\(printable(layer.name))'")
            }
            raw.append(layer)
        }
        let inputLayers = raw.filter { if case .input = $0.op { true } else { false } }
        guard inputLayers.count == 1, let inputShape = inputLayers[0].inputShape else {
            throw .unsupported("the model has \(inputLayers.count) input layers: exactly one is supported")
        }
        var output = raw[raw.count - 1].name
        if kind == .functional {
            let inputs = try endpoints(config["input_layers"], key: "input_layers")
            let outputs = try endpoints(config["output_layers"], key: "output_layers")
            guard inputs.count == 1, outputs.count == 1 else {
                throw .unsupported("the model has \(inputs.count) inputs and \(outputs.count) outputs: one of each is supported")
            }
            guard inputs[0] == inputLayers[0].name else {
                throw .malformed("input_layers names '\(printable(inputs[0]))', which is not the model's InputLayer")
            }
            guard names.contains(outputs[0]) else {
                throw .malformed("output_layers names '\(printable(outputs[0]))', which is not a layer of the model")
            }
            output = outputs[0]
        }
        let ordered = try topologicalOrder(raw)
        return KerasModel(container: .configOnly, kind: kind, name: name, inputShape: inputShape,
                          layers: ordered.map { KerasLayer(name: $0.name, className: $0.className, op: $0.op, inputs: $0.inputs, weights: []) },
                          output: output)
    }

    private func uniqueName(_ base: String, taken: Set<String>) -> String {
        var name = base
        var counter = 1
        while taken.contains(name) { name = base + "_\(counter)"; counter += 1 }
        return name
    }

    /// ["name", 0, 0] or [["name", 0, 0], ...] (Keras 3 writes the first form for a single endpoint).
    private func endpoints(_ value: JSONValue, key: String) throws(ImportError) -> [String] {
        guard let list = value.array else { throw .malformed("no '\(key)' list in the model config") }
        if let first = list.first?.string, list.count <= 3 { _ = first; return [first] }
        var names: [String] = []
        for item in list {
            guard let name = item.array?.first?.string else { throw .malformed("'\(key)' entry \(item.brief) is not [name, node, tensor]") }
            names.append(name)
        }
        return names
    }

    /// Kahn's algorithm, taking ready layers in the file's order: every layer after its inputs. Inputs naming no
    /// layer and cycles are refused.
    private func topologicalOrder(_ layers: [RawLayer]) throws(ImportError) -> [RawLayer] {
        var index: [String: Int] = [:]
        for (i, layer) in layers.enumerated() { index[layer.name] = i }
        var pending = [Int](repeating: 0, count: layers.count)
        var consumers = [[Int]](repeating: [], count: layers.count)
        for (i, layer) in layers.enumerated() {
            for input in layer.inputs {
                guard let producer = index[input] else {
                    throw .malformed("layer '\(printable(layer.name))' takes its input from '\(printable(input))', which is not a layer of the model")
                }
                if producer == i { throw .malformed("layer '\(printable(layer.name))' takes its own output as input") }
                pending[i] += 1
                consumers[producer].append(i)
            }
        }
        // A min-heap would give strict file order; a sorted ready list is enough for the sizes allowed.
        var ready = (0..<layers.count).filter { pending[$0] == 0 }
        var order: [Int] = []
        order.reserveCapacity(layers.count)
        var cursor = 0
        while cursor < ready.count {
            let next = ready[cursor]
            cursor += 1
            order.append(next)
            for consumer in consumers[next] {
                pending[consumer] -= 1
                if pending[consumer] == 0 { ready.append(consumer) }
            }
        }
        if order.count < layers.count {
            let stuck = (0..<layers.count).filter { pending[$0] > 0 }.prefix(4).map { "'\(printable(layers[$0].name))'" }
            throw .malformed("layers form a cycle (\(stuck.joined(separator: ", ")) wait on each other)")
        }
        return order.map { layers[$0] }
    }

    private func batchShape(_ config: JSONValue, fallback: JSONValue, layer: RawLayer) throws(ImportError) -> [Int] {
        for candidate in [config["batch_shape"], config["batch_input_shape"], fallback] where !candidate.isNull {
            return try shapeWithoutBatch(candidate, layer: layer.name, className: layer.className)
        }
        throw .malformed("layer '\(printable(layer.name))' (\(printable(layer.className))): the Sequential model has no input shape")
    }

    private func shapeWithoutBatch(_ value: JSONValue, layer: String, className: String) throws(ImportError) -> [Int] {
        let context = "layer '\(printable(layer))' (\(printable(className)))"
        guard let list = value.array, list.count >= 2, list.count <= 4 else {
            throw .unsupported("\(context): input shape \(value.brief) is not [batch, ...] with 1 to 3 dimensions")
        }
        var shape: [Int] = []
        for dim in list.dropFirst() {
            guard let size = dim.int, size >= 1 else {
                throw .unsupported("\(context): input shape \(value.brief) needs fixed sizes (no None)")
            }
            guard size <= limits.maxDimension else { throw .tooLarge("\(context): input dimension \(size) over \(limits.maxDimension)") }
            shape.append(size)
        }
        return shape
    }

    private func layer(_ entry: JSONValue, index: Int, functional: Bool) throws(ImportError) -> RawLayer {
        guard entry.object != nil else { throw .malformed("layer \(index) is not a JSON object") }
        guard let className = entry["class_name"].string else { throw .malformed("layer \(index) has no 'class_name'") }
        let config = entry["config"]
        guard config.object != nil else { throw .malformed("layer \(index) (\(printable(className))) has no 'config' object") }
        guard let name = entry["name"].string ?? config["name"].string, !name.isEmpty else {
            throw .malformed("layer \(index) (\(printable(className))) has no name")
        }
        guard name.utf8.count <= 256, !name.contains("/"), name != ".", name != ".." else {
            throw .malformed("layer \(index) (\(printable(className))) has the unusable name '\(printable(name))'")
        }
        let reader = LayerConfig(config: config, name: name, className: className, limits: limits)
        let op = try reader.op()
        var inputShape: [Int]?
        if case .input = op {
            inputShape = try shapeWithoutBatch(config["batch_shape"].isNull ? config["batch_input_shape"] : config["batch_shape"],
                                               layer: name, className: className)
        }
        var inputs: [String] = []
        if functional {
            inputs = try inboundLayers(entry["inbound_nodes"], context: reader.context)
            let count = inputs.count
            switch op {
            case .input:
                if count != 0 { throw .malformed("\(reader.context): an InputLayer with inputs") }
            case .add:
                if count < 2 { throw .malformed("\(reader.context): Add needs at least 2 inputs, it has \(count)") }
            default:
                if count != 1 { throw .unsupported("\(reader.context): \(count) inputs, expected 1") }
            }
        }
        return RawLayer(name: name, className: className, op: op, inputShape: inputShape, inputs: inputs)
    }

    /// The producing layers of a functional layer's single call. Keras 3 writes each call as
    /// {"args": [...], "kwargs": {...}} with tensors as {"class_name": "__keras_tensor__", "config":
    /// {"keras_history": [layer, node, tensor]}}; Keras 2 as a list of [layer, node, tensor, kwargs].
    private func inboundLayers(_ nodes: JSONValue, context: String) throws(ImportError) -> [String] {
        guard let list = nodes.array else {
            if nodes.isNull { return [] }
            throw .malformed("\(context): 'inbound_nodes' is not a list")
        }
        if list.isEmpty { return [] }
        if list.count > 1 { throw .unsupported("\(context): the layer is called \(list.count) times (shared layers are not supported)") }
        let node = list[0]
        var histories: [[JSONValue]] = []
        if node.object != nil {
            collectTensors(node["args"], into: &histories, depth: 0)
        } else if let entries = node.array {
            for entry in entries {
                guard let history = entry.array else { throw .malformed("\(context): inbound node entry \(entry.brief) is not a list") }
                histories.append(history)
            }
        } else {
            throw .malformed("\(context): inbound node \(node.brief) is neither a call nor a list")
        }
        if histories.count > 64 { throw .tooLarge("\(context): \(histories.count) inputs") }
        var names: [String] = []
        for history in histories {
            guard history.count >= 3, let producer = history[0].string, let nodeIndex = history[1].int, let tensorIndex = history[2].int else {
                throw .malformed("\(context): input \(JSONValue(history.map { $0.value as Any }).brief) is not [layer, node, tensor]")
            }
            guard nodeIndex == 0, tensorIndex == 0 else {
                throw .unsupported("\(context): input from '\(printable(producer))' call \(nodeIndex) output \(tensorIndex) (shared layers and several outputs are not supported)")
            }
            names.append(producer)
        }
        return names
    }

    private func collectTensors(_ value: JSONValue, into histories: inout [[JSONValue]], depth: Int) {
        guard depth < 16, histories.count <= 64 else { return }
        if let list = value.array {
            for item in list { collectTensors(item, into: &histories, depth: depth + 1) }
        } else if value.object != nil {
            if value["class_name"].string == "__keras_tensor__", let history = value["config"]["keras_history"].array {
                histories.append(history)
            }
        }
    }
}

/// One layer's `config`, read for its class.
private struct LayerConfig {
    let config: JSONValue
    let name: String
    let className: String
    let limits: KerasLimits

    var context: String { "layer '\(printable(name))' (\(printable(className)))" }

    private func unsupported(_ what: String) -> ImportError { .unsupported("\(context): \(what)") }
    private func malformed(_ what: String) -> ImportError { .malformed("\(context): \(what)") }

    func op() throws(ImportError) -> KerasOp {
        try checkDType()
        switch className {
        case "InputLayer":
            if config["sparse"].bool == true || config["ragged"].bool == true { throw unsupported("sparse or ragged input") }
            return .input
        case "Conv2D":
            try channelsLast()
            guard let filters = config["filters"].int, filters >= 1, filters <= limits.maxDimension else {
                throw malformed("filters \(config["filters"].brief) is not a positive count")
            }
            let dilation = try pair("dilation_rate", default: 1)
            guard dilation == [1, 1] else { throw unsupported("dilation_rate \(config["dilation_rate"].brief) (only 1 is supported)") }
            if let groups = config["groups"].int, groups != 1 { throw unsupported("groups \(groups) (only 1 is supported)") }
            else if !config["groups"].isNull && config["groups"].int == nil { throw malformed("groups \(config["groups"].brief)") }
            return .conv2D(KerasConv2D(filters: filters, kernel: try pair("kernel_size", default: nil),
                                       strides: try pair("strides", default: 1), padding: try padding(),
                                       activation: try activation(), useBias: try flag("use_bias", default: true)))
        case "BatchNormalization":
            let axis = config["axis"]
            let axes = axis.array?.compactMap(\.int) ?? axis.int.map { [$0] }
            guard let axes, axes == [-1] || axes == [3] else { throw unsupported("axis \(axis.brief) (only the channel axis, -1 or 3)") }
            guard let epsilon = config["epsilon"].double, epsilon > 0, epsilon < 1 else {
                throw malformed("epsilon \(config["epsilon"].brief) is not a small positive number")
            }
            if config["renorm"].bool == true { throw unsupported("renorm") }
            return .batchNormalization(epsilon: Float(epsilon), center: try flag("center", default: true),
                                       scale: try flag("scale", default: true))
        case "Activation":
            return .activation(try activation(required: true))
        case "ReLU":
            let slope = config["negative_slope"]
            if !slope.isNull, slope.double != 0 { throw unsupported("negative_slope \(slope.brief) (leaky ReLU is not supported)") }
            let threshold = config["threshold"]
            if !threshold.isNull, threshold.double != 0 { throw unsupported("threshold \(threshold.brief) (only 0 is supported)") }
            let maxValue = config["max_value"]
            if maxValue.isNull { return .activation(.relu) }
            guard maxValue.double == 6 else { throw unsupported("max_value \(maxValue.brief) (only none or 6, ReLU6)") }
            return .activation(.relu6)
        case "MaxPooling2D", "AveragePooling2D":
            try channelsLast()
            let pool = try pair("pool_size", default: 2)
            let strides = config["strides"].isNull ? pool : try pair("strides", default: nil)
            let window = KerasPool2D(pool: pool, strides: strides, padding: try padding())
            return className == "MaxPooling2D" ? .maxPooling2D(window) : .averagePooling2D(window)
        case "GlobalAveragePooling2D":
            try channelsLast()
            return .globalAveragePooling2D(keepDims: try flag("keepdims", default: false))
        case "Add":
            return .add
        case "Flatten":
            try channelsLast()
            return .flatten
        case "Reshape":
            guard let list = config["target_shape"].array, !list.isEmpty, list.count <= 4 else {
                throw unsupported("target_shape \(config["target_shape"].brief) (1 to 4 dimensions)")
            }
            var shape: [Int] = []
            for dim in list {
                guard let size = dim.int, size == -1 || (size >= 1 && size <= limits.maxDimension) else {
                    throw malformed("target_shape \(config["target_shape"].brief) has a bad dimension")
                }
                shape.append(size)
            }
            if shape.filter({ $0 == -1 }).count > 1 { throw malformed("target_shape \(config["target_shape"].brief) has more than one -1") }
            return .reshape(shape)
        case "Dropout":
            let rate = config["rate"]
            guard let value = rate.isNull ? 0 : rate.double, value >= 0, value < 1 else {
                throw malformed("rate \(rate.brief) is not in [0, 1)")
            }
            return .dropout(rate: Float(value))
        case "Normalization":
            if config["invert"].bool == true { throw unsupported("invert=True (only the forward normalization)") }
            let axis = config["axis"]
            let axes = axis.array?.compactMap(\.int) ?? axis.int.map { [$0] }
            guard let axes, axes == [-1] || axes == [3] else { throw unsupported("axis \(axis.brief) (only the channel axis, -1)") }
            let mean = try numbers("mean"), variance = try numbers("variance")
            guard (mean == nil) == (variance == nil), mean?.count == variance?.count else {
                throw malformed("mean \(config["mean"].brief) and variance \(config["variance"].brief) are not given together, one value each per channel")
            }
            if let variance, variance.contains(where: { $0 < 0 }) { throw malformed("variance \(config["variance"].brief) has negative values") }
            return .normalization(mean: mean, variance: variance)
        case "Rescaling":
            let scale = config["scale"], offset = config["offset"]
            guard let factor = scale.double else { throw unsupported("scale \(scale.brief) (one number; per-channel scales are not supported)") }
            guard let shift = offset.isNull ? 0 : offset.double else {
                throw unsupported("offset \(offset.brief) (one number; per-channel offsets are not supported)")
            }
            guard factor > 0, Float(factor).isFinite, Float(shift).isFinite else { throw unsupported("scale \(factor) (only a positive scale)") }
            return .rescaling(scale: Float(factor), offset: Float(shift))
        case "Dense":
            guard let units = config["units"].int, units >= 1, units <= limits.maxDimension else {
                throw malformed("units \(config["units"].brief) is not a positive count")
            }
            return .dense(units: units, activation: try activation(), useBias: try flag("use_bias", default: true))
        case "ZeroPadding2D":
            try channelsLast()
            let padding = config["padding"]
            var amounts: [Int] = []
            if let size = padding.int {
                amounts = [size, size, size, size]
            } else if let list = padding.array, list.count == 2 {
                if let rows = list[0].int, let cols = list[1].int {
                    amounts = [rows, rows, cols, cols]
                } else if let rows = list[0].array?.compactMap(\.int), let cols = list[1].array?.compactMap(\.int),
                          rows.count == 2, cols.count == 2, list[0].array?.count == 2, list[1].array?.count == 2 {
                    amounts = rows + cols
                }
            }
            guard amounts.count == 4, amounts.allSatisfy({ $0 >= 0 && $0 <= limits.maxDimension }) else {
                throw malformed("padding \(padding.brief) is not n, [rows, cols] or [[top, bottom], [left, right]]")
            }
            return .zeroPadding2D(top: amounts[0], bottom: amounts[1], left: amounts[2], right: amounts[3])
        case "Softmax":
            let axis = config["axis"]
            if !axis.isNull {
                let axes = axis.array?.compactMap(\.int) ?? axis.int.map { [$0] }
                guard axes == [-1] else { throw unsupported("axis \(axis.brief) (only the last axis)") }
            }
            return .softmax
        default:
            throw .unsupported("\(context): layer class '\(printable(className))' is not supported")
        }
    }

    private func checkDType() throws(ImportError) {
        let dtype = config["dtype"]
        let policy = dtype.string ?? dtype["config"]["name"].string
        if let policy, policy != "float32" { throw unsupported("dtype '\(printable(policy))' (only float32)") }
    }

    private func channelsLast() throws(ImportError) {
        let format = config["data_format"]
        if format.isNull || format.string == "channels_last" { return }
        throw unsupported("data_format \(format.brief) (only channels_last)")
    }

    private func flag(_ key: String, default value: Bool) throws(ImportError) -> Bool {
        let field = config[key]
        if field.isNull { return value }
        guard let flag = field.bool else { throw malformed("\(key) \(field.brief) is not true or false") }
        return flag
    }

    /// An int n (meaning [n, n]) or a list of two positive ints.
    private func pair(_ key: String, default value: Int?) throws(ImportError) -> [Int] {
        let field = config[key]
        if field.isNull, let value { return [value, value] }
        var result: [Int]?
        if let n = field.int { result = [n, n] }
        else if let list = field.array, list.count == 2, let a = list[0].int, let b = list[1].int { result = [a, b] }
        else if let list = field.array, list.count == 1, let a = list[0].int { result = [a, a] }
        guard let result, result.allSatisfy({ $0 >= 1 && $0 <= limits.maxDimension }) else {
            throw malformed("\(key) \(field.brief) is not one or two positive sizes")
        }
        return result
    }

    /// A number or a (nested) list of numbers, as finite floats; nil when absent.
    private func numbers(_ key: String) throws(ImportError) -> [Float]? {
        let field = config[key]
        if field.isNull { return nil }
        var values: [Float] = []
        func collect(_ value: JSONValue, depth: Int) -> Bool {
            if let number = value.double, Float(number).isFinite {
                values.append(Float(number))
                return values.count <= limits.maxDimension
            }
            guard depth < 4, let list = value.array else { return false }
            return list.allSatisfy { collect($0, depth: depth + 1) }
        }
        guard collect(field, depth: 0), !values.isEmpty else { throw malformed("\(key) \(field.brief) is not a number or a list of numbers") }
        return values
    }

    private func padding() throws(ImportError) -> KerasPadding {
        let field = config["padding"]
        guard let text = field.string else { throw malformed("padding \(field.brief) is not a string") }
        guard let padding = KerasPadding(rawValue: text.lowercased()) else {
            throw unsupported("padding '\(printable(text))' (valid or same)")
        }
        return padding
    }

    private func activation(required: Bool = false) throws(ImportError) -> KerasActivation {
        let field = config["activation"]
        if field.isNull && !required { return .linear }
        guard let text = field.string else { throw unsupported("activation \(field.brief) (a built-in activation's name)") }
        guard let activation = KerasActivation(rawValue: text) else {
            throw unsupported("activation '\(printable(text))' (linear, relu, relu6 or softmax)")
        }
        return activation
    }
}
