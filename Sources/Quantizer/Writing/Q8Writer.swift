import Int8Runtime

/// Serializes a planned int8 program as a .q8 file (docs/q8-format.md).
public enum Q8Writer {
    /// The buffers the memory planner places: one per int8 tensor, alive from its writer to its last reader, then
    /// one per op that needs kernel scratch, alive at that op's step only (so it may share bytes with tensors dead
    /// by then, never with the op's inputs, its output or anything else alive at that step). The order is
    /// `scratchBuffers`'.
    public static func buffers(of program: Int8Program) -> [PlannedBuffer] {
        let tensors = zip(program.tensors, program.lifetimes).map { tensor, life in
            PlannedBuffer(size: tensor.size, first: life.first, last: max(life.last, life.first))
        }
        let sizes = program.scratchSizes
        return tensors + scratchBuffers(of: program).map { PlannedBuffer(size: sizes[$0.step], first: $0.step, last: $0.step) }
    }

    /// The ops with scratch and the index of each one's buffer in `buffers(of:)` (after the tensors').
    public static func scratchBuffers(of program: Int8Program) -> [(step: Int, buffer: Int)] {
        program.scratchSizes.enumerated().filter { $0.element > 0 }.enumerated().map { rank, op in
            (step: op.offset, buffer: program.tensors.count + rank)
        }
    }

    /// The .q8 bytes of `program` placed by `plan`, checked by loading them with the runtime's validator.
    public static func write(_ program: Int8Program, plan: MemoryPlan) throws(QuantizerError) -> [UInt8] {
        guard program.tensors.count <= Q8Layout.maxTensors, program.layers.count <= Q8Layout.maxOps else {
            throw QuantizerError("the model has \(program.layers.count) ops and \(program.tensors.count) tensors; a .q8 holds at most \(Q8Layout.maxOps) of each")
        }
        for tensor in program.tensors where max(tensor.height, tensor.width, tensor.channels) > Int(UInt16.max) {
            throw QuantizerError("tensor '\(tensor.name)' has a dimension over 65535")
        }
        guard program.macs <= Int(Int32.max) else {  // the loader takes macs < 2^31 (an Int on 32-bit targets)
            throw QuantizerError("the model needs \(program.macs) MACs per inference, more than a .q8 can record")
        }

        // Constants: every array 16-byte aligned, in layer order.
        var constantOffsets: [(weights: Int?, bias: Int?, multipliers: Int?, shifts: Int?)] = []
        var constantsSize = 0
        func reserve(_ bytes: Int) -> Int {
            let at = align(constantsSize, to: Q8Layout.sectionAlignment)
            constantsSize = at + bytes
            return at
        }
        for layer in program.layers {
            let weighted = layer.opcode == .conv2D || layer.opcode == .fullyConnected
            constantOffsets.append((
                weights: weighted ? reserve(layer.weights.count) : nil,
                bias: layer.bias.map { reserve($0.count * 4) },
                multipliers: weighted ? reserve(layer.multipliers.count * 4) : nil,
                shifts: weighted ? reserve(layer.shifts.count * 4) : nil))
        }
        let tensorTable = Q8Layout.headerSize
        let opTable = align(tensorTable + program.tensors.count * Q8Layout.tensorRecordSize, to: Q8Layout.sectionAlignment)
        let constants = align(opTable + program.layers.count * Q8Layout.opRecordSize, to: Q8Layout.sectionAlignment)
        let fileSize = align(constants + constantsSize, to: 4) + 4
        guard fileSize <= Int(Int32.max) else {  // the loader takes files below 2 GiB (offsets fit a 32-bit Int)
            throw QuantizerError("the .q8 would be \(fileSize) bytes, beyond the format's 2 GiB limit")
        }

        var image = ByteImage(count: fileSize)
        typealias H = Q8Layout.Header
        image.put(Q8Layout.magic, at: H.magic)
        image.put(Q8Layout.versionMajor, at: H.versionMajor)
        image.put(Q8Layout.versionMinor, at: H.versionMinor)
        image.put(UInt32(fileSize), at: H.fileSize)
        image.put(UInt32(program.tensors.count), at: H.tensorCount)
        image.put(UInt32(program.layers.count), at: H.opCount)
        image.put(UInt32(tensorTable), at: H.tensorTable)
        image.put(UInt32(opTable), at: H.opTable)
        image.put(UInt32(constants), at: H.constants)
        image.put(UInt32(constantsSize), at: H.constantsSize)
        image.put(UInt32(plan.arenaSize), at: H.arenaSize)
        image.put(UInt16(program.input), at: H.inputTensor)
        image.put(UInt16(program.output), at: H.outputTensor)
        image.put(UInt32(plan.lowerBound), at: H.arenaLowerBound)
        image.put(UInt32(program.macs), at: H.macs)
        image.put(program.outputIsLogits ? Q8Layout.flagOutputIsLogits : 0, at: H.flags)
        image.put(program.inputNormalization.mean, at: H.inputMean)
        image.put(program.inputNormalization.std, at: H.inputStd)

        guard plan.offsets.count == buffers(of: program).count else {
            throw QuantizerError("internal error: the memory plan has \(plan.offsets.count) buffers, the program \(buffers(of: program).count)")
        }
        let scratchSizes = program.scratchSizes
        var scratchOffsets = [Int](repeating: 0, count: program.layers.count)
        for (step, buffer) in scratchBuffers(of: program) { scratchOffsets[step] = plan.offsets[buffer] }

        let lifetimes = program.lifetimes
        for (index, tensor) in program.tensors.enumerated() {
            typealias F = Q8Layout.TensorRecord
            let at = tensorTable + index * Q8Layout.tensorRecordSize
            image.put(UInt32(plan.offsets[index]), at: at + F.arenaOffset)
            image.put(UInt32(tensor.size), at: at + F.size)
            image.put(UInt16(tensor.height), at: at + F.height)
            image.put(UInt16(tensor.width), at: at + F.width)
            image.put(UInt16(tensor.channels), at: at + F.channels)
            image.put(tensor.quantization.scale, at: at + F.scale)
            image.put(tensor.quantization.zeroPoint, at: at + F.zeroPoint)
            let life = lifetimes[index]
            image.put(life.first < 0 ? Q8Layout.noTensor : UInt16(life.first), at: at + F.firstStep)
            image.put(UInt16(max(life.last, life.first)), at: at + F.lastStep)
        }

        for (index, layer) in program.layers.enumerated() {
            typealias F = Q8Layout.OpRecord
            let at = opTable + index * Q8Layout.opRecordSize
            image.put(layer.opcode.rawValue, at: at + F.opcode)
            image.put(UInt16(layer.input), at: at + F.input)
            image.put(layer.input2.map { UInt16($0) } ?? Q8Layout.noTensor, at: at + F.input2)
            image.put(UInt16(layer.output), at: at + F.output)
            for (field, value) in [(F.kernelHeight, layer.kernelHeight), (F.kernelWidth, layer.kernelWidth), (F.strideY, layer.strideY),
                                   (F.strideX, layer.strideX), (F.padTop, layer.padTop), (F.padLeft, layer.padLeft)] {
                guard (0...255).contains(value) else {
                    throw QuantizerError(node: layer.name, "window geometry \(value) does not fit the .q8 byte fields")
                }
                image.put(UInt8(value), at: at + field)
            }
            image.put(layer.activationMin, at: at + F.activationMin)
            image.put(layer.activationMax, at: at + F.activationMax)
            let offsets = constantOffsets[index]
            for (field, offset) in [(F.weights, offsets.weights), (F.bias, offsets.bias), (F.multipliers, offsets.multipliers), (F.shifts, offsets.shifts)] {
                image.put(offset.map { UInt32($0) } ?? Q8Layout.noOffset, at: at + field)
            }
            image.put(UInt32(scratchOffsets[index]), at: at + F.scratchOffset)
            image.put(UInt32(scratchSizes[index]), at: at + F.scratchSize)
            image.put(array: layer.parameters, at: at + F.parameters)
            if let offset = offsets.weights { image.put(array: layer.weights, at: constants + offset) }
            if let offset = offsets.bias, let bias = layer.bias { image.put(array: bias, at: constants + offset) }
            if let offset = offsets.multipliers { image.put(array: layer.multipliers, at: constants + offset) }
            if let offset = offsets.shifts { image.put(array: layer.shifts, at: constants + offset) }
        }

        var bytes = image.bytes
        let crc = bytes.withUnsafeBytes { Checksum.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<(fileSize - 4)])) }
        withUnsafeBytes(of: crc.littleEndian) { for k in 0..<4 { bytes[fileSize - 4 + k] = $0[k] } }

        // The writer's own output must pass the runtime's validation; anything else is a converter bug.
        let check = bytes.withUnsafeBytes { raw in Result { () throws(Q8Error) in _ = try Q8Model(validating: raw) } }
        if case let .failure(error) = check {
            throw QuantizerError("internal error: the written .q8 fails validation (\(error))")
        }
        return bytes
    }
}
