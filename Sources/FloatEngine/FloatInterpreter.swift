import ModelFormat

/// Runs a validated `FloatGraph` in float32. Buffers for every activation are allocated once, at creation,
/// so repeated runs do not allocate; each concurrent worker uses its own copy.
public struct FloatInterpreter {
    /// One node prepared for execution: its kernel with precomputed parameters, and buffer indices.
    private enum Step {
        case conv(Conv2DFloat.Geometry, kernel: Int, bias: Int?, Activation)
        case dense(kernel: Int, bias: Int?, Activation)
        case batchNorm(BatchNormFloat)
        case clamp(upper: Float)
        case pool(PoolFloat.Kind, Window2D, inputShape: [Int])
        case globalAverage
        case add(Activation)
        case copy
        case softmax
        case pad(PoolFloat.Pads, inputShape: [Int])
    }

    public let graph: FloatGraph
    private let steps: [Step]
    /// Values of every tensor by index: constants are the graph's data, activations are scratch.
    private var values: [[Float]]

    /// Prepares `graph`, which must have passed `FloatGraph.validate()` (as every decoded model.bin has).
    public init(graph: FloatGraph) {
        self.graph = graph
        values = graph.tensors.map { $0.data ?? [Float](repeating: 0, count: $0.elementCount) }
        steps = graph.nodes.map { node in
            let shapes = node.inputs.map { graph.tensors[$0].shape }
            switch node.op {
            case let .conv2D(strideY, strideX, padding, activation):
                let x = shapes[0], k = shapes[1]
                let window = Window2D(height: k[0], width: k[1], strideY: strideY, strideX: strideX, padding: padding)
                let out = window.output(inputHeight: x[1], inputWidth: x[2])!
                let geometry = Conv2DFloat.Geometry(
                    inputHeight: x[1], inputWidth: x[2], inputChannels: x[3],
                    kernelHeight: k[0], kernelWidth: k[1], outputChannels: k[3],
                    strideY: strideY, strideX: strideX, padTop: out.padTop, padLeft: out.padLeft,
                    outputHeight: out.height, outputWidth: out.width)
                return .conv(geometry, kernel: node.inputs[1], bias: node.inputs.count > 2 ? node.inputs[2] : nil, activation)
            case let .dense(activation):
                return .dense(kernel: node.inputs[1], bias: node.inputs.count > 2 ? node.inputs[2] : nil, activation)
            case let .batchNormalization(epsilon):
                let p = node.inputs.map { graph.tensors[$0].data ?? [] }
                return .batchNorm(BatchNormFloat(gamma: p[1], beta: p[2], mean: p[3], variance: p[4], epsilon: epsilon))
            case .relu: return .clamp(upper: .infinity)
            case .relu6: return .clamp(upper: 6)
            case let .maxPool2D(window): return .pool(.max, window, inputShape: shapes[0])
            case let .averagePool2D(window): return .pool(.average, window, inputShape: shapes[0])
            case .globalAveragePool: return .globalAverage
            case let .add(activation): return .add(activation)
            case .flatten, .dropout: return .copy
            case .softmax: return .softmax
            case let .pad(top, bottom, left, right):
                return .pad(PoolFloat.Pads(top: top, bottom: bottom, left: left, right: right), inputShape: shapes[0])
            }
        }
    }

    /// Runs the graph on `input` (the graph input's elements, NHWC, each a pixel / 255; the graph's input
    /// normalization is applied here) and returns the graph output.
    @discardableResult
    public mutating func run(_ input: [Float]) throws(FloatEngineError) -> [Float] {
        let expected = graph.tensors[graph.input].elementCount
        guard input.count == expected else { throw .inputSize(expected: expected, actual: input.count) }
        let normalization = graph.inputNormalization
        values[graph.input] = normalization == .identity ? input : input.map { normalization.apply($0) }
        for (node, step) in zip(graph.nodes, steps) {
            execute(step, node: node)
        }
        return values[graph.output]
    }

    /// The values of any tensor after the last `run`, for example `graph.logits`.
    public func values(of tensor: Int) -> [Float] {
        values[tensor]
    }

    private mutating func execute(_ step: Step, node: Node) {
        let out = node.outputs[0]
        // The output buffer is moved out while the inputs are read, so that no exclusive-access
        // conflict arises and nothing is copied.
        var output = values[out]
        values[out] = []
        defer { values[out] = output }
        output.withUnsafeMutableBufferPointer { o in
            values[node.inputs[0]].withUnsafeBufferPointer { x in
                switch step {
                case let .conv(geometry, kernel, bias, activation):
                    values[kernel].withUnsafeBufferPointer { k in
                        withOptionalBuffer(bias) { b in
                            Conv2DFloat.run(input: x, kernel: k, bias: b, output: o, geometry: geometry)
                        }
                    }
                    ElementwiseFloat.apply(activation, to: o)
                case let .dense(kernel, bias, activation):
                    values[kernel].withUnsafeBufferPointer { k in
                        withOptionalBuffer(bias) { b in DenseFloat.run(input: x, kernel: k, bias: b, output: o) }
                    }
                    ElementwiseFloat.apply(activation, to: o)
                case let .batchNorm(norm): norm.run(input: x, output: o)
                case let .clamp(upper): ElementwiseFloat.clamp(input: x, output: o, upper: upper)
                case let .pool(kind, window, shape): PoolFloat.run(kind, input: x, output: o, inputShape: shape, window: window)
                case .globalAverage: PoolFloat.globalAverage(input: x, output: o)
                case let .add(activation):
                    values[node.inputs[1]].withUnsafeBufferPointer { y in ElementwiseFloat.add(x, y, output: o) }
                    ElementwiseFloat.apply(activation, to: o)
                case .copy: ElementwiseFloat.copy(input: x, output: o)
                case .softmax: ElementwiseFloat.softmax(input: x, output: o)
                case let .pad(pads, shape): PoolFloat.pad(input: x, output: o, inputShape: shape, pads: pads)
                }
            }
        }
    }

    private func withOptionalBuffer<R>(_ tensor: Int?, _ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
        guard let tensor else { return body(nil) }
        return values[tensor].withUnsafeBufferPointer { body($0) }
    }
}
