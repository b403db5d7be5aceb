/// Maps between typed operations and the (op name, attributes) pairs stored in model.bin.
enum OpAttributes {
    /// The attributes written for `operation`, in a fixed order.
    static func encode(_ operation: Op) -> [(String, AttributeValue)] {
        switch operation {
        case let .conv2D(strideY, strideX, padding, activation):
            return [("strides", .ints([Int64(strideY), Int64(strideX)]))] + paddingAttributes(padding)
                + activationAttribute(activation)
        case let .dense(activation), let .add(activation):
            return activationAttribute(activation)
        case let .maxPool2D(window), let .averagePool2D(window):
            return [
                ("pool_size", .ints([Int64(window.height), Int64(window.width)])),
                ("strides", .ints([Int64(window.strideY), Int64(window.strideX)])),
            ] + paddingAttributes(window.padding)
        case let .batchNormalization(epsilon):
            return [("epsilon", .float(epsilon))]
        case let .dropout(rate):
            return [("rate", .float(rate))]
        case let .pad(top, bottom, left, right):
            return [("pads", .ints([Int64(top), Int64(bottom), Int64(left), Int64(right)]))]
        case .relu, .relu6, .globalAveragePool, .flatten, .softmax:
            return []
        }
    }

    /// `padding` by name; explicit pads also as `pads` = [top, bottom, left, right].
    private static func paddingAttributes(_ padding: Padding) -> [(String, AttributeValue)] {
        var attributes: [(String, AttributeValue)] = [("padding", .string(padding.name))]
        if case let .explicit(top, bottom, left, right) = padding {
            attributes.append(("pads", .ints([Int64(top), Int64(bottom), Int64(left), Int64(right)])))
        }
        return attributes
    }

    /// Only a fused activation is written; `none` is the default and stays implicit.
    private static func activationAttribute(_ activation: Activation) -> [(String, AttributeValue)] {
        activation == .none ? [] : [("activation", .string(activation.rawValue))]
    }

    /// The typed operation for `op` with `attributes`, applying the documented defaults.
    static func decode(op: String, node: String, attributes: [String: AttributeValue]) throws(ModelFormatError) -> Op {
        var reader = Lookup(node: node, attributes: attributes)
        let operation: Op
        switch op {
        case "Conv2D":
            let strides = try reader.pair("strides", default: (1, 1))
            operation = .conv2D(strideY: strides.0, strideX: strides.1, padding: try reader.padding(),
                                activation: try reader.activation())
        case "MaxPool2D", "AveragePool2D":
            let size = try reader.pair("pool_size", default: nil)
            let strides = try reader.pair("strides", default: size)
            let window = Window2D(height: size.0, width: size.1, strideY: strides.0, strideX: strides.1, padding: try reader.padding())
            operation = op == "MaxPool2D" ? .maxPool2D(window) : .averagePool2D(window)
        case "BatchNormalization":
            let epsilon = try reader.float("epsilon", default: 0.001)
            guard epsilon > 0 else { throw .badAttribute(node: node, attribute: "epsilon", reason: "must be positive") }
            operation = .batchNormalization(epsilon: epsilon)
        case "Dropout":
            let rate = try reader.float("rate", default: 0)
            guard (0..<1).contains(rate) else { throw .badAttribute(node: node, attribute: "rate", reason: "must be in [0, 1)") }
            operation = .dropout(rate: rate)
        case "Dense": operation = .dense(activation: try reader.activation())
        case "ReLU": operation = .relu
        case "ReLU6": operation = .relu6
        case "GlobalAveragePool": operation = .globalAveragePool
        case "Add": operation = .add(activation: try reader.activation())
        case "Flatten": operation = .flatten
        case "Pad":
            let pads = try reader.pads()
            operation = .pad(top: pads[0], bottom: pads[1], left: pads[2], right: pads[3])
        case "Softmax": operation = .softmax
        default: throw .unknownOp(op: op, node: node)
        }
        if let unused = reader.unused.sorted().first {
            throw .badAttribute(node: node, attribute: unused, reason: "is not an attribute of \(op)")
        }
        return operation
    }

    /// Reads attributes by key, remembering which ones were used so that unknown keys can be refused.
    private struct Lookup {
        let node: String
        let attributes: [String: AttributeValue]
        var unused: Set<String>

        init(node: String, attributes: [String: AttributeValue]) {
            self.node = node
            self.attributes = attributes
            self.unused = Set(attributes.keys)
        }

        /// Window sizes and strides: two values in 1...4096.
        mutating func pair(_ key: String, default fallback: (Int, Int)?) throws(ModelFormatError) -> (Int, Int) {
            unused.remove(key)
            guard let value = attributes[key] else {
                guard let fallback else { throw .badAttribute(node: node, attribute: key, reason: "is missing") }
                return fallback
            }
            guard case let .ints(list) = value, list.count == 2, list.allSatisfy({ (1...4096).contains($0) }) else {
                throw .badAttribute(node: node, attribute: key, reason: "must be two integers in 1...4096")
            }
            return (Int(list[0]), Int(list[1]))
        }

        mutating func padding() throws(ModelFormatError) -> Padding {
            unused.remove("padding")
            guard let value = attributes["padding"] else { return .valid }
            switch value {
            case .string("valid"): return .valid
            case .string("same"): return .same
            case .string("explicit"):
                let pads = try pads()
                return .explicit(top: pads[0], bottom: pads[1], left: pads[2], right: pads[3])
            default:
                throw .badAttribute(node: node, attribute: "padding", reason: "must be \"same\", \"valid\" or \"explicit\"")
            }
        }

        /// Four pads (top, bottom, left, right), each in 0...4096.
        mutating func pads() throws(ModelFormatError) -> [Int] {
            unused.remove("pads")
            guard let value = attributes["pads"] else { throw .badAttribute(node: node, attribute: "pads", reason: "is missing") }
            guard case let .ints(list) = value, list.count == 4, list.allSatisfy({ (0...4096).contains($0) }) else {
                throw .badAttribute(node: node, attribute: "pads", reason: "must be four integers in 0...4096")
            }
            return list.map { Int($0) }
        }

        mutating func activation() throws(ModelFormatError) -> Activation {
            unused.remove("activation")
            guard let value = attributes["activation"] else { return .none }
            guard case let .string(text) = value, let activation = Activation(rawValue: text) else {
                throw .badAttribute(node: node, attribute: "activation", reason: "must be \"none\", \"relu\" or \"relu6\"")
            }
            return activation
        }

        mutating func float(_ key: String, default fallback: Float) throws(ModelFormatError) -> Float {
            unused.remove(key)
            guard let value = attributes[key] else { return fallback }
            guard case let .float(number) = value, number.isFinite else {
                throw .badAttribute(node: node, attribute: key, reason: "must be a finite float")
            }
            return number
        }
    }
}
