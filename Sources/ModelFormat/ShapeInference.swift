/// Computes each node's output shape from its inputs, checking the op's rules on the way.
public enum ShapeInference {
    /// The shape `node` writes, given the tensors of `graph`; throws when the inputs break the op's rules.
    public static func outputShape(of node: Node, in graph: FloatGraph) throws(ModelFormatError) -> [Int] {
        let shapes = node.inputs.map { graph.tensors[$0].shape }
        func fail(_ reason: String) -> ModelFormatError { .badNode(node: node.name, reason: reason) }
        func requireInputs(_ range: ClosedRange<Int>) throws(ModelFormatError) {
            guard range.contains(shapes.count) else {
                let wanted = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) or \(range.upperBound)"
                throw fail("\(node.op.name) takes \(wanted) inputs, got \(shapes.count)")
            }
            // The data input is produced at run time; every further input is a weight.
            let dataInputs: Int
            if case .add = node.op { dataInputs = 2 } else { dataInputs = 1 }
            for (position, index) in node.inputs.enumerated() {
                let tensor = graph.tensors[index]
                if position < dataInputs, tensor.isConstant {
                    throw fail("input \(position) '\(tensor.name)' must be an activation, not a constant")
                }
                if position >= dataInputs, !tensor.isConstant {
                    throw fail("input \(position) '\(tensor.name)' must be a constant (weights), not an activation")
                }
            }
        }
        func requireFeatureMap(_ shape: [Int]) throws(ModelFormatError) {
            guard shape.count == 4, shape[0] == 1 else {
                throw fail("\(node.op.name) needs an input of shape [1, H, W, C], got \(shape)")
            }
        }

        switch node.op {
        case let .conv2D(strideY, strideX, padding, _):
            try requireInputs(2...3)
            let x = shapes[0], kernel = shapes[1]
            try requireFeatureMap(x)
            guard kernel.count == 4 else { throw fail("kernel must be [kh, kw, Cin, Cout], got \(kernel)") }
            guard kernel[2] == x[3] else {
                throw fail("kernel expects \(kernel[2]) input channels, input has \(x[3])")
            }
            if shapes.count == 3, shapes[2] != [kernel[3]] {
                throw fail("bias must be [\(kernel[3])], got \(shapes[2])")
            }
            let window = Window2D(height: kernel[0], width: kernel[1], strideY: strideY, strideX: strideX, padding: padding)
            guard let out = window.output(inputHeight: x[1], inputWidth: x[2]) else {
                throw fail("a \(kernel[0])x\(kernel[1]) kernel does not fit the \(x[1])x\(x[2]) input")
            }
            return [1, out.height, out.width, kernel[3]]

        case .dense:
            try requireInputs(2...3)
            let x = shapes[0], kernel = shapes[1]
            guard x.count == 2, x[0] == 1 else { throw fail("Dense needs an input of shape [1, N], got \(x)") }
            guard kernel.count == 2, kernel[0] == x[1] else {
                throw fail("kernel must be [\(x[1]), M], got \(kernel)")
            }
            if shapes.count == 3, shapes[2] != [kernel[1]] {
                throw fail("bias must be [\(kernel[1])], got \(shapes[2])")
            }
            return [1, kernel[1]]

        case .batchNormalization:
            try requireInputs(5...5)
            let x = shapes[0]
            guard let channels = x.last else { throw fail("input has no dimensions") }
            for (position, shape) in shapes.enumerated().dropFirst() where shape != [channels] {
                throw fail("parameter \(position) must be [\(channels)], got \(shape)")
            }
            return x

        case .relu, .relu6, .dropout:
            try requireInputs(1...1)
            return shapes[0]

        case .softmax:
            try requireInputs(1...1)
            guard shapes[0].count == 2, shapes[0][0] == 1 else {
                throw fail("Softmax needs an input of shape [1, N], got \(shapes[0])")
            }
            return shapes[0]

        case let .maxPool2D(window), let .averagePool2D(window):
            try requireInputs(1...1)
            let x = shapes[0]
            try requireFeatureMap(x)
            guard let out = window.output(inputHeight: x[1], inputWidth: x[2]) else {
                throw fail("a \(window.height)x\(window.width) pool does not fit the \(x[1])x\(x[2]) input")
            }
            return [1, out.height, out.width, x[3]]

        case .globalAveragePool:
            try requireInputs(1...1)
            try requireFeatureMap(shapes[0])
            return [1, shapes[0][3]]

        case .add:
            try requireInputs(2...2)
            guard shapes[0] == shapes[1] else { throw fail("Add inputs differ in shape: \(shapes[0]) and \(shapes[1])") }
            return shapes[0]

        case let .pad(top, bottom, left, right):
            try requireInputs(1...1)
            let x = shapes[0]
            try requireFeatureMap(x)
            guard min(top, bottom, left, right) >= 0, max(top, bottom, left, right) <= 4096 else {
                throw fail("pads must be in 0...4096, got [\(top), \(bottom), \(left), \(right)]")
            }
            return [1, x[1] + top + bottom, x[2] + left + right, x[3]]

        case .flatten:
            try requireInputs(1...1)
            guard shapes[0].first == 1 else { throw fail("Flatten needs a batch-1 input, got \(shapes[0])") }
            return [1, shapes[0].dropFirst().reduce(1, *)]
        }
    }
}
