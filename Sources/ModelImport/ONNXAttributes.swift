/// Typed access to the attributes the VGG/ResNet ops use, with ONNX's defaults (opsets 13-21) and one
/// `ImportError` naming the node when an attribute has the wrong type or a value EdgeQuant cannot use.

public enum ONNXAutoPad: String, Sendable, Equatable {
    case notSet = "NOTSET", sameUpper = "SAME_UPPER", sameLower = "SAME_LOWER", valid = "VALID"
}

/// Conv, MaxPool and AveragePool geometry, spatial dimensions in ONNX's order (height, width for 2-D).
public struct ONNXWindow: Sendable, Equatable {
    /// nil when the node omits it (Conv may: the weight's shape gives it).
    public var kernelShape: [Int]?
    public var strides: [Int]
    /// ONNX's layout: all the begin pads, then all the end pads ([top, left, bottom, right] in 2-D).
    public var pads: [Int]
    public var dilations: [Int]
    public var autoPad: ONNXAutoPad
    public var ceilMode: Bool
    public var countIncludePad: Bool
    /// Conv's `group` (1 for pools).
    public var group: Int
}

public struct ONNXGemm: Sendable, Equatable {
    public var alpha: Float
    public var beta: Float
    public var transA: Bool
    public var transB: Bool
}

extension ONNXNode {
    public func int(_ name: String) throws(ImportError) -> Int64? {
        switch attribute(name) {
        case nil: return nil
        case .int(let v)?: return v
        default: throw .malformed("\(label): attribute '\(name)' is not an INT")
        }
    }

    public func float(_ name: String) throws(ImportError) -> Float? {
        switch attribute(name) {
        case nil: return nil
        case .float(let v)?: return v
        default: throw .malformed("\(label): attribute '\(name)' is not a FLOAT")
        }
    }

    public func string(_ name: String) throws(ImportError) -> String? {
        switch attribute(name) {
        case nil: return nil
        case .string(let v)?: return v
        default: throw .malformed("\(label): attribute '\(name)' is not a STRING")
        }
    }

    public func ints(_ name: String) throws(ImportError) -> [Int64]? {
        switch attribute(name) {
        case nil: return nil
        case .ints(let v)?: return v
        default: throw .malformed("\(label): attribute '\(name)' is not INTS")
        }
    }

    /// An INT attribute that must be 0 or 1.
    public func flag(_ name: String, default value: Bool) throws(ImportError) -> Bool {
        guard let v = try int(name) else { return value }
        guard v == 0 || v == 1 else { throw .malformed("\(label): \(name) is \(v), not 0 or 1") }
        return v == 1
    }

    /// `axis`, normalized against `rank` when given (negative axes count from the end).
    public func axis(default value: Int, rank: Int? = nil) throws(ImportError) -> Int {
        let raw = try int("axis") ?? Int64(value)
        guard raw >= -64 && raw <= 64 else { throw .malformed("\(label): axis \(raw)") }
        guard let rank else { return Int(raw) }
        let axis = raw < 0 ? Int(raw) + rank : Int(raw)
        guard axis >= 0 && axis < rank + (opType == "Flatten" ? 1 : 0) else {
            throw .malformed("\(label): axis \(raw) for rank \(rank)")
        }
        return axis
    }

    /// The geometry of a Conv, MaxPool or AveragePool over `spatialRank` dimensions. Every list must have the
    /// length ONNX requires; strides and dilations at least 1, pads at least 0, all at most 65536.
    public func window(spatialRank: Int) throws(ImportError) -> ONNXWindow {
        func list(_ name: String, count: Int, minimum: Int64) throws(ImportError) -> [Int]? {
            guard let values = try ints(name) else { return nil }
            guard values.count == count else {
                throw .malformed("\(label): \(name) has \(values.count) values, \(count) expected")
            }
            for v in values where v < minimum || v > 65536 {
                throw .unsupported("\(label): \(name) value \(v)")
            }
            return values.map { Int($0) }
        }
        let kernel = try list("kernel_shape", count: spatialRank, minimum: 1)
        if opType == "MaxPool" || opType == "AveragePool", kernel == nil {
            throw .malformed("\(label): no kernel_shape")
        }
        let autoPadText = try string("auto_pad") ?? "NOTSET"
        guard let autoPad = ONNXAutoPad(rawValue: autoPadText) else {
            throw .malformed("\(label): auto_pad '\(printable(autoPadText))'")
        }
        let pads = try list("pads", count: 2 * spatialRank, minimum: 0)
        if autoPad != .notSet, let pads, pads.contains(where: { $0 != 0 }) {
            throw .malformed("\(label): both auto_pad \(autoPad.rawValue) and explicit pads")
        }
        let group = try int("group") ?? 1
        guard group >= 1 && group <= 65536 else { throw .malformed("\(label): group \(group)") }
        return ONNXWindow(
            kernelShape: kernel,
            strides: try list("strides", count: spatialRank, minimum: 1) ?? Array(repeating: 1, count: spatialRank),
            pads: pads ?? Array(repeating: 0, count: 2 * spatialRank),
            dilations: try list("dilations", count: spatialRank, minimum: 1) ?? Array(repeating: 1, count: spatialRank),
            autoPad: autoPad,
            ceilMode: try flag("ceil_mode", default: false),
            countIncludePad: try flag("count_include_pad", default: false),
            group: Int(group))
    }

    /// Gemm's attributes with ONNX's defaults (alpha = beta = 1, no transposes).
    public func gemm() throws(ImportError) -> ONNXGemm {
        ONNXGemm(alpha: try float("alpha") ?? 1, beta: try float("beta") ?? 1,
                 transA: try flag("transA", default: false), transB: try flag("transB", default: false))
    }
}

extension ONNXModel {
    /// Clip's bounds (opset 11 and later: optional inputs 1 and 2, scalar float constants); nil for an omitted
    /// bound. Clip with bounds 0 and 6 is ReLU6.
    public func clipBounds(_ node: ONNXNode) throws(ImportError) -> (min: Float?, max: Float?) {
        func bound(_ position: Int) throws(ImportError) -> Float? {
            guard position < node.inputs.count, !node.inputs[position].isEmpty else { return nil }
            let name = node.inputs[position]
            guard let tensor = constant(named: name) else {
                throw .unsupported("\(node.label): bound '\(printable(name))' is not a constant")
            }
            guard let values = tensor.floats, values.count == 1 else {
                throw .malformed("\(node.label): bound '\(printable(name))' is not one float")
            }
            return values[0]
        }
        return (try bound(1), try bound(2))
    }
}
