/// Runs a validated .q8 model over a caller-supplied arena. Nothing is allocated: tensors live at the arena
/// offsets of the model's static memory plan, weights are read in place from the model bytes.
public enum Int8Interpreter {
    /// The graph input's bytes inside `arena`, where the caller writes the quantized input before `invoke`.
    public static func inputBuffer(_ model: Q8Model, arena: UnsafeMutableRawBufferPointer) -> UnsafeMutableBufferPointer<Int8> {
        region(model.input, arena)
    }

    /// The graph output's bytes inside `arena`, valid after `invoke`.
    public static func outputBuffer(_ model: Q8Model, arena: UnsafeMutableRawBufferPointer) -> UnsafeMutableBufferPointer<Int8> {
        region(model.output, arena)
    }

    /// Runs every op in order with the reference kernels; `afterEach(step)` is called after op `step` (for
    /// tracing and per-layer timing).
    public static func invoke(
        _ model: Q8Model, arena: UnsafeMutableRawBufferPointer, afterEach: (Int) -> Void = { _ in }
    ) throws(Q8Error) {
        try invoke(model, arena: arena, kernels: ReferenceKernels.self, afterEach: afterEach)
    }

    /// Runs every op in order, offering each Conv2D, Add and FullyConnected to `kernels` first (the reference runs when they
    /// decline). Each kernel gets its op's scratch region of the arena (the plan places it where no tensor alive at
    /// that step lives).
    public static func invoke<Kernels: KernelOverrides>(
        _ model: Q8Model, arena: UnsafeMutableRawBufferPointer, kernels: Kernels.Type,
        afterEach: (Int) -> Void = { _ in }
    ) throws(Q8Error) {
        guard arena.count >= model.arenaSize, arena.baseAddress != nil else { throw .arenaTooSmall(needed: model.arenaSize) }
        for step in 0..<model.opCount {
            let op = model.op(step)
            let input = model.tensor(op.input), output = model.tensor(op.output)
            let context = KernelContext(
                op: op, input: input, output: output,
                x: UnsafePointer(region(input, arena).baseAddress!), y: region(output, arena).baseAddress!, model: model,
                scratch: scratch(op, arena))
            switch op.opcode {
            case .conv2D where Kernels.convolution(context.convolutionCall): break
            case .conv2D: ConvInt8.run(context)
            case .fullyConnected where Kernels.fullyConnected(context.fullyConnectedCall): break
            case .fullyConnected: FullyConnectedInt8.run(context)
            case .maxPool2D: PoolInt8.max(context)
            case .averagePool2D: PoolInt8.average(context)
            case .mean: MeanInt8.run(context)
            case .softmax: SoftmaxInt8.reference(context)
            case .pad: PadInt8.reference(context)
            case .add:
                let second = model.tensor(op.input2 ?? 0)
                let z = UnsafePointer(region(second, arena).baseAddress!)
                if !Kernels.add(context.addCall(second: second, z: z)) {
                    AddInt8.run(context, second: second, z: z)
                }
            }
            afterEach(step)
        }
    }

    /// The op's scratch bytes inside `arena` (kernels use them uncleared); empty when the record has none or they
    /// would not lie inside `arena` (the loader rejects that; checked here too, without any arithmetic that could
    /// overflow), so the kernels fall back to the reference.
    public static func scratch(_ op: Q8Op, _ arena: UnsafeMutableRawBufferPointer) -> UnsafeMutableRawBufferPointer {
        guard op.scratchSize > 0, op.scratchSize <= arena.count, op.scratchOffset >= 0,
              op.scratchOffset <= arena.count - op.scratchSize, let base = arena.baseAddress
        else { return UnsafeMutableRawBufferPointer(start: nil, count: 0) }
        return UnsafeMutableRawBufferPointer(start: base + op.scratchOffset, count: op.scratchSize)
    }

    /// The bytes of `tensor` inside `arena`.
    public static func region(_ tensor: Q8Tensor, _ arena: UnsafeMutableRawBufferPointer) -> UnsafeMutableBufferPointer<Int8> {
        let start = (arena.baseAddress! + tensor.arenaOffset).assumingMemoryBound(to: Int8.self)
        return UnsafeMutableBufferPointer(start: start, count: tensor.size)
    }
}
