extension Q8Model {
    /// Every check the runtime relies on, so that a crafted file cannot make a kernel read or write outside
    /// the model or the arena.
    func validate() throws(Q8Error) {
        guard bytes.count >= Q8Layout.headerSize + 4, let base = bytes.baseAddress else { throw .sizeMismatch }
        guard u32(Q8Layout.Header.magic) == Q8Layout.magic else { throw .badMagic }
        guard u16(Q8Layout.Header.versionMajor) == Q8Layout.versionMajor,
              u16(Q8Layout.Header.versionMinor) <= Q8Layout.versionMinor
        else { throw .unsupportedVersion }
        guard Int(u32(Q8Layout.Header.fileSize)) == bytes.count else { throw .sizeMismatch }
        guard UInt(bitPattern: base) % 4 == 0 else { throw .misaligned }
        let stored = u32(bytes.count - 4)
        guard Checksum.crc32(UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - 4)])) == stored else { throw .crcMismatch }

        let tensors = tensorCount, ops = opCount
        guard (1...Q8Layout.maxTensors).contains(tensors), (1...Q8Layout.maxOps).contains(ops) else { throw .countOutOfRange }
        let body = bytes.count - 4
        try region(Int(u32(Q8Layout.Header.tensorTable)), tensors * Q8Layout.tensorRecordSize, within: body)
        try region(Int(u32(Q8Layout.Header.opTable)), ops * Q8Layout.opRecordSize, within: body)
        let constantsSize = Int(u32(Q8Layout.Header.constantsSize))
        try region(constantsOffset, constantsSize, within: body)
        guard constantsOffset % Q8Layout.sectionAlignment == 0,
              Int(u32(Q8Layout.Header.tensorTable)) % 4 == 0, Int(u32(Q8Layout.Header.opTable)) % 4 == 0
        else { throw .misaligned }
        guard inputIndex < tensors, outputIndex < tensors, inputIndex != outputIndex else { throw .countOutOfRange }

        let arena = arenaSize
        for index in 0..<tensors {
            let t = tensor(index)
            guard t.height >= 1, t.width >= 1, t.channels >= 1,
                  t.size == (try product(product(t.height, t.width, .badTensor(index: index)), t.channels, .badTensor(index: index))),
                  t.arenaOffset <= arena, t.size <= arena - t.arenaOffset,
                  (-128...127).contains(t.zeroPoint), Self.isPositiveFinite(t.scale),
                  (index == inputIndex) == (t.firstStep == -1),
                  t.firstStep < ops, t.lastStep <= ops, t.firstStep <= t.lastStep
            else { throw .badTensor(index: index) }
        }
        guard output.lastStep == ops else { throw .badTensor(index: outputIndex) }

        // The work a file can ask for is bounded, so a crafted model cannot keep a device busy for hours.
        var work: UInt64 = 0
        for index in 0..<ops {
            try validateOp(index, constantsSize: constantsSize)
            let (sum, overflow) = work.addingReportingOverflow(try opWork(index))
            guard !overflow, sum <= Q8Layout.maxWork else { throw .badOp(index: index) }
            work = sum
        }
    }

    /// `a · b`, or `error` when it does not fit an Int (32 bits on a microcontroller).
    private func product(_ a: Int, _ b: Int, _ error: Q8Error) throws(Q8Error) -> Int {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw error }
        return result
    }

    /// Multiply-accumulates, or values read, of op `index` (validated): what bounds its running time.
    private func opWork(_ index: Int) throws(Q8Error) -> UInt64 {
        let op = op(index)
        let x = tensor(op.input), y = tensor(op.output)
        let window = UInt64(op.kernelHeight) * UInt64(op.kernelWidth)
        let outputs: UInt64
        switch op.opcode {
        case .conv2D:
            // A fused pooling computes every conv output its windows cover.
            let pool = op.parameters
            outputs = pool.0 == 0 ? UInt64(y.size)
                : UInt64(y.size) * UInt64(pool.0) * UInt64(pool.1)
            let (work, overflow) = outputs.multipliedReportingOverflow(by: window * UInt64(x.channels))
            guard !overflow else { throw .badOp(index: index) }
            return work
        case .fullyConnected:
            let (work, overflow) = UInt64(y.size).multipliedReportingOverflow(by: UInt64(x.size))
            guard !overflow else { throw .badOp(index: index) }
            return work
        case .maxPool2D, .averagePool2D: return UInt64(y.size) * window
        case .mean: return UInt64(x.size)
        case .add: return UInt64(y.size) * 2
        }
    }

    private func region(_ offset: Int, _ size: Int, within limit: Int) throws(Q8Error) {
        guard offset >= 0, size >= 0, offset <= limit, size <= limit - offset else { throw .outOfBounds }
    }

    private func validateOp(_ index: Int, constantsSize: Int) throws(Q8Error) {
        let raw = Int(u32(Q8Layout.Header.opTable)) + index * Q8Layout.opRecordSize
        guard Q8Opcode(rawValue: bytes[raw]) != nil else { throw .badOp(index: index) }
        let op = op(index)
        let bad = Q8Error.badOp(index: index)
        let tensors = tensorCount
        guard op.input < tensors, op.output < tensors, op.input != op.output else { throw bad }
        let x = tensor(op.input), y = tensor(op.output)
        // Inputs are written before this op and still alive at it; the output is written here.
        guard x.firstStep < index, x.lastStep >= index, y.firstStep == index else { throw bad }
        guard op.activationMin <= op.activationMax, op.scratchOffset <= arenaSize,
              op.scratchSize <= arenaSize - op.scratchOffset
        else { throw bad }

        func array(_ offset: Int?, bytes count: Int, alignment: Int) throws(Q8Error) {
            guard let offset, offset % alignment == 0, count >= 0, offset <= constantsSize, count <= constantsSize - offset
            else { throw bad }
        }
        func requantization(channels: Int) throws(Q8Error) {
            try array(op.multipliers, bytes: channels * 4, alignment: 4)
            try array(op.shifts, bytes: channels * 4, alignment: 4)
            let multipliers = int32s(at: op.multipliers!), shifts = int32s(at: op.shifts!)
            for c in 0..<channels {
                guard multipliers[c] >= 0, (-31...30).contains(shifts[c]) else { throw bad }
            }
        }
        func window(outputHeight: Int? = nil, outputWidth: Int? = nil) throws(Q8Error) {
            // Every output position must see at least one real input pixel (average pooling divides by
            // their count), which holds when the padding is smaller than the window and the last window starts
            // inside the input.
            let height = outputHeight ?? y.height, width = outputWidth ?? y.width
            guard op.kernelHeight >= 1, op.kernelWidth >= 1, op.strideY >= 1, op.strideX >= 1,
                  op.padTop < op.kernelHeight, op.padLeft < op.kernelWidth,
                  (height - 1) * op.strideY - op.padTop < x.height, (width - 1) * op.strideX - op.padLeft < x.width
            else { throw bad }
        }

        switch op.opcode {
        case .conv2D:
            // A fused max pooling (parameters 0-3: pool height, width, stride y, stride x; all 0 for none)
            // reads the conv outputs its windows cover: the window check applies to that conv output size.
            let pool = op.parameters
            if pool.0 == 0 {
                guard pool.1 == 0, pool.2 == 0, pool.3 == 0, pool.4 == 0 else { throw bad }
                try window()
            } else {
                guard (1...64).contains(pool.0), (1...64).contains(pool.1), (1...64).contains(pool.2),
                      (1...64).contains(pool.3), pool.4 == 0
                else { throw bad }
                try window(outputHeight: (y.height - 1) * Int(pool.2) + Int(pool.0),
                           outputWidth: (y.width - 1) * Int(pool.3) + Int(pool.1))
            }
            let weights = try product(product(y.channels, op.kernelHeight * op.kernelWidth, bad), x.channels, bad)
            try array(op.weights, bytes: weights, alignment: 1)
            if op.bias != nil { try array(op.bias, bytes: y.channels * 4, alignment: 4) }
            try requantization(channels: y.channels)
            guard op.input2 == nil else { throw bad }
        case .fullyConnected:
            guard y.height == 1, y.width == 1, op.input2 == nil else { throw bad }
            try array(op.weights, bytes: try product(y.channels, x.size, bad), alignment: 1)
            if op.bias != nil { try array(op.bias, bytes: y.channels * 4, alignment: 4) }
            try requantization(channels: y.channels)
        case .maxPool2D, .averagePool2D:
            try window()
            guard x.channels == y.channels, op.input2 == nil else { throw bad }
        case .mean:
            guard y.height == 1, y.width == 1, x.channels == y.channels, op.input2 == nil,
                  (-31...30).contains(op.parameters.1), op.parameters.0 >= 0
            else { throw bad }
        case .add:
            guard let second = op.input2, second < tensors, second != op.output else { throw bad }
            let z = tensor(second)
            guard z.firstStep < index, z.lastStep >= index,
                  x.height == y.height, x.width == y.width, x.channels == y.channels,
                  z.height == y.height, z.width == y.width, z.channels == y.channels,
                  op.parameters.0 >= 0, op.parameters.1 >= 0, op.parameters.2 >= 0
            else { throw bad }
            let shifts = UInt32(bitPattern: op.parameters.3)
            for k in 0..<3 {
                guard (-31...30).contains(Int32(Int8(truncatingIfNeeded: shifts >> (8 * UInt32(k))))) else { throw bad }
            }
            guard (0...23).contains(Int32(Int8(truncatingIfNeeded: shifts >> 24))) else { throw bad }
        }
    }

    /// Scale > 0 and finite, decided on the bits: a float comparison would call soft-float helpers on cores
    /// without an FPU (Cortex-M3), which the firmware does not link.
    static func isPositiveFinite(_ value: Float) -> Bool {
        let bits = value.bitPattern
        return bits != 0 && bits < 0x7F80_0000
    }
}
