extension Q8Model {
    /// Every check the runtime relies on, so that a crafted file cannot make a kernel read or write outside
    /// the model or the arena, nor make the runtime trap.
    ///
    /// 32-bit rule: on a Cortex-M `Int` has 32 bits and `Int(x)` traps for a `UInt32` x >= 2^31. Every field is
    /// therefore range-checked in its own fixed width (or in UInt64) before anything converts it to `Int`: the
    /// accessors of `Q8Model` (`tensor`, `op`, `arenaSize`, ...) are used only on fields already checked, and all
    /// validated offsets and sizes are below 2^31, so the kernels' index arithmetic on them cannot overflow.
    func validate() throws(Q8Error) {
        typealias H = Q8Layout.Header
        guard bytes.count >= Q8Layout.headerSize + 4, let base = bytes.baseAddress else { throw .sizeMismatch }
        guard u32(H.magic) == Q8Layout.magic else { throw .badMagic }
        guard u16(H.versionMajor) == Q8Layout.versionMajor, u16(H.versionMinor) <= Q8Layout.versionMinor
        else { throw .unsupportedVersion }
        // Compared as u32, and the file is below 2 GiB, so every offset inside it fits a 32-bit Int.
        guard bytes.count <= Int(Int32.max), u32(H.fileSize) == UInt32(truncatingIfNeeded: bytes.count)
        else { throw .sizeMismatch }
        guard UInt(bitPattern: base) % 4 == 0 else { throw .misaligned }
        let stored = u32(bytes.count - 4)
        guard Checksum.crc32(UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - 4)])) == stored else { throw .crcMismatch }

        // The input normalization (1.1): both zero is the identity (and all a 1.0 file may hold); otherwise a finite
        // mean and a finite std > 0, decided on the bits (no float comparison: soft-float helpers on cores without an FPU).
        let meanBits = u32(H.inputMean), stdBits = u32(H.inputStd)
        if meanBits != 0 || stdBits != 0 {
            guard u16(H.versionMinor) >= 1, meanBits & 0x7F80_0000 != 0x7F80_0000, Self.isPositiveFinite(Float(bitPattern: stdBits))
            else { throw .badHeader(offset: H.inputMean) }
        }
        guard u32(H.flags) & ~Q8Layout.flagOutputIsLogits == 0 else { throw .badHeader(offset: H.flags) }
        let tensorCount32 = u32(H.tensorCount), opCount32 = u32(H.opCount)
        guard tensorCount32 >= 1, tensorCount32 <= UInt32(Q8Layout.maxTensors),
              opCount32 >= 1, opCount32 <= UInt32(Q8Layout.maxOps)
        else { throw .countOutOfRange }
        let tensors = Int(tensorCount32), ops = Int(opCount32)

        let body = UInt32(truncatingIfNeeded: bytes.count - 4)
        let tensorTable = u32(H.tensorTable), opTable = u32(H.opTable)
        let constants = u32(H.constants), constantsSize = u32(H.constantsSize)
        try region(tensorTable, UInt64(tensors) * UInt64(Q8Layout.tensorRecordSize), within: body)
        try region(opTable, UInt64(ops) * UInt64(Q8Layout.opRecordSize), within: body)
        try region(constants, UInt64(constantsSize), within: body)
        guard constants % UInt32(Q8Layout.sectionAlignment) == 0, tensorTable % 4 == 0, opTable % 4 == 0
        else { throw .misaligned }

        let arena = u32(H.arenaSize)
        guard arena <= UInt32(Int32.max) else { throw .badHeader(offset: H.arenaSize) }
        guard u32(H.arenaLowerBound) <= arena else { throw .badHeader(offset: H.arenaLowerBound) }
        // Reported only (the firmware prints it), but `macs` converts it to Int.
        guard u32(H.macs) <= UInt32(Int32.max) else { throw .badHeader(offset: H.macs) }
        guard inputIndex < tensors, outputIndex < tensors, inputIndex != outputIndex else { throw .countOutOfRange }

        for index in 0..<tensors {
            try validateTensor(index, arena: arena, ops: ops)
        }
        guard output.lastStep == ops else { throw .badTensor(index: outputIndex) }
        try validatePlacement()

        // The work a file can ask for is bounded, so a crafted model cannot keep a device busy for hours.
        // (The header's `macs` is only reported, never used to bound anything: the bound is this sum.)
        var total: UInt64 = 0
        for index in 0..<ops {
            try validateOp(index, constantsSize: constantsSize, arena: arena)
            guard let opWork = work(index) else { throw .badOp(index: index) }
            let (sum, overflow) = total.addingReportingOverflow(opWork.work)
            guard !overflow, sum <= Q8Layout.maxWork else { throw .badOp(index: index) }
            total = sum
        }
    }

    /// Tensor `index`'s record, checked field by field in fixed width before `tensor(index)` converts it.
    private func validateTensor(_ index: Int, arena: UInt32, ops: Int) throws(Q8Error) {
        typealias F = Q8Layout.TensorRecord
        let at = Int(u32(Q8Layout.Header.tensorTable)) + index * Q8Layout.tensorRecordSize
        let bad = Q8Error.badTensor(index: index)
        let offset = u32(at + F.arenaOffset), size = u32(at + F.size)
        let height = u16(at + F.height), width = u16(at + F.width), channels = u16(at + F.channels)
        let zeroPoint = Int32(bitPattern: u32(at + F.zeroPoint))
        let first = u16(at + F.firstStep), last = u16(at + F.lastStep)
        guard u16(at + F.reserved) == 0, u32(at + F.reserved2) == 0,
              height >= 1, width >= 1, channels >= 1,
              UInt64(height) * UInt64(width) * UInt64(channels) == UInt64(size),
              offset <= arena, size <= arena - offset,
              zeroPoint >= -128, zeroPoint <= 127, Self.isPositiveFinite(Float(bitPattern: u32(at + F.scale))),
              (index == inputIndex) == (first == Q8Layout.noTensor),
              Int(last) <= ops
        else { throw bad }
        if first != Q8Layout.noTensor {
            // Written by op `first`: that op exists, writes this tensor, and comes no later than the last read.
            guard Int(first) < ops, first <= last,
                  Int(u16(Int(u32(Q8Layout.Header.opTable)) + Int(first) * Q8Layout.opRecordSize + Q8Layout.OpRecord.output)) == index
            else { throw bad }
        }
    }

    /// Tensors alive at a common step (lifetimes `[firstStep, lastStep]`, inclusive) must not share arena bytes;
    /// in particular an op's inputs and output (all alive at its step) never overlap: the format has no in-place
    /// ops. Also checks that the header's lower bound is at least the most tensor bytes alive at one step.
    /// O(tensors²) and allocation-free, for a microcontroller.
    private func validatePlacement() throws(Q8Error) {
        let tensors = tensorCount
        var peak: UInt64 = 0
        for a in 0..<tensors {
            let ta = tensor(a)
            var live: UInt64 = 0
            for b in 0..<tensors {
                let tb = tensor(b)
                guard tb.firstStep <= ta.firstStep, ta.firstStep <= tb.lastStep else { continue }
                live += UInt64(tb.size)
            }
            peak = max(peak, live)
            for b in (a + 1)..<tensors {
                let tb = tensor(b)
                if Self.overlap(ta, tb) { throw .tensorsOverlap(first: a, second: b) }
            }
        }
        // The peak is at some tensor's first step: the live set grows only when a tensor starts.
        guard peak <= UInt64(u32(Q8Layout.Header.arenaLowerBound)) else { throw .badHeader(offset: Q8Layout.Header.arenaLowerBound) }
    }

    /// Alive at a common step and sharing at least one arena byte (validated tensors: sizes >= 1, ends < 2^31).
    private static func overlap(_ a: Q8Tensor, _ b: Q8Tensor) -> Bool {
        a.firstStep <= b.lastStep && b.firstStep <= a.lastStep
            && a.arenaOffset < b.arenaOffset + b.size && b.arenaOffset < a.arenaOffset + a.size
    }

    /// `[offset, offset + size)` inside `[0, limit)`, in fixed width.
    private func region(_ offset: UInt32, _ size: UInt64, within limit: UInt32) throws(Q8Error) {
        guard offset <= limit, size <= UInt64(limit - offset) else { throw .outOfBounds }
    }

    private func validateOp(_ index: Int, constantsSize: UInt32, arena: UInt32) throws(Q8Error) {
        typealias F = Q8Layout.OpRecord
        let at = Int(u32(Q8Layout.Header.opTable)) + index * Q8Layout.opRecordSize
        let bad = Q8Error.badOp(index: index)
        // Fixed-width checks first: after them every field converts to Int exactly.
        guard Q8Opcode(rawValue: bytes[at + F.opcode]) != nil, bytes[at + F.reserved] == 0,
              u16(at + F.reserved2) == 0, u16(at + F.reserved3) == 0
        else { throw bad }
        for k in 0..<4 {  // weights, bias, multipliers, shifts: consecutive u32 fields
            let offset = u32(at + F.weights + 4 * k)
            guard offset == Q8Layout.noOffset || offset <= constantsSize else { throw bad }
        }
        let scratchOffset = u32(at + F.scratchOffset), scratchSize = u32(at + F.scratchSize)
        guard scratchOffset <= arena, scratchSize <= arena - scratchOffset else { throw bad }

        let op = op(index)
        let tensors = tensorCount
        guard op.input < tensors, op.output < tensors, op.input != op.output else { throw bad }
        let x = tensor(op.input), y = tensor(op.output)
        // Inputs are written before this op and still alive at it; the output is written here.
        guard x.firstStep < index, x.lastStep >= index, y.firstStep == index,
              op.activationMin <= op.activationMax
        else { throw bad }

        /// An array of `count` bytes at `offset` inside the constants section (offset <= constantsSize, checked).
        func array(_ offset: Int?, bytes count: UInt64, alignment: Int) throws(Q8Error) {
            guard let offset, offset % alignment == 0, count <= UInt64(Int(constantsSize) - offset) else { throw bad }
        }
        func requantization(channels: Int) throws(Q8Error) {
            try array(op.multipliers, bytes: UInt64(channels) * 4, alignment: 4)
            try array(op.shifts, bytes: UInt64(channels) * 4, alignment: 4)
            let multipliers = int32s(at: op.multipliers!), shifts = int32s(at: op.shifts!)
            for c in 0..<channels {
                guard multipliers[c] >= 0, shifts[c] >= -31, shifts[c] <= 30 else { throw bad }
            }
        }
        func window(outputHeight: Int, outputWidth: Int) throws(Q8Error) {
            // Every output position must see at least one real input pixel (average pooling divides by
            // their count), which holds when the padding is smaller than the window and the last window starts
            // inside the input. In Int64: (65535 · 64) · 255 would not fit 32 bits.
            guard op.kernelHeight >= 1, op.kernelWidth >= 1, op.strideY >= 1, op.strideX >= 1,
                  op.padTop < op.kernelHeight, op.padLeft < op.kernelWidth,
                  Int64(outputHeight - 1) * Int64(op.strideY) - Int64(op.padTop) < Int64(x.height),
                  Int64(outputWidth - 1) * Int64(op.strideX) - Int64(op.padLeft) < Int64(x.width)
            else { throw bad }
        }
        let p = op.parameters
        let noArrays = op.weights == nil && op.bias == nil && op.multipliers == nil && op.shifts == nil

        switch op.opcode {
        case .conv2D:
            // A fused max pooling (parameters 0-3: pool height, width, stride y, stride x; all 0 for none)
            // reads the conv outputs its windows cover: the window check applies to that conv output size.
            guard p.4 == 0, op.input2 == nil else { throw bad }
            if p.0 == 0 {
                guard p.1 == 0, p.2 == 0, p.3 == 0 else { throw bad }
                try window(outputHeight: y.height, outputWidth: y.width)
            } else {
                guard (1...64).contains(p.0), (1...64).contains(p.1), (1...64).contains(p.2), (1...64).contains(p.3)
                else { throw bad }
                try window(outputHeight: (y.height - 1) * Int(p.2) + Int(p.0),
                           outputWidth: (y.width - 1) * Int(p.3) + Int(p.1))
            }
            // At most 2^16 · 2^16 · 2^16 in UInt64; the array check then bounds it by the constants (< 2^31).
            let weights = UInt64(y.channels) * UInt64(op.kernelHeight * op.kernelWidth) * UInt64(x.channels)
            try array(op.weights, bytes: weights, alignment: 1)
            if op.bias != nil { try array(op.bias, bytes: UInt64(y.channels) * 4, alignment: 4) }
            try requantization(channels: y.channels)
        case .fullyConnected:
            guard y.height == 1, y.width == 1, op.input2 == nil, p.0 == 0, p.1 == 0, p.2 == 0, p.3 == 0, p.4 == 0 else { throw bad }
            try array(op.weights, bytes: UInt64(y.channels) * UInt64(x.size), alignment: 1)
            if op.bias != nil { try array(op.bias, bytes: UInt64(y.channels) * 4, alignment: 4) }
            try requantization(channels: y.channels)
        case .maxPool2D, .averagePool2D:
            guard x.channels == y.channels, op.input2 == nil, noArrays, p.0 == 0, p.1 == 0, p.2 == 0, p.3 == 0, p.4 == 0 else { throw bad }
            try window(outputHeight: y.height, outputWidth: y.width)
        case .pad:
            // A copy at (pad_top, pad_left) inside the output, the rest the zero point: same channels and
            // quantization, the input fits, no window (kernel and stride 1), no clamp, nothing else.
            guard x.channels == y.channels, op.input2 == nil, noArrays, p.0 == 0, p.1 == 0, p.2 == 0, p.3 == 0, p.4 == 0,
                  op.kernelHeight == 1, op.kernelWidth == 1, op.strideY == 1, op.strideX == 1,
                  x.height + op.padTop <= y.height, x.width + op.padLeft <= y.width,
                  x.zeroPoint == y.zeroPoint, x.scale.bitPattern == y.scale.bitPattern,
                  op.activationMin == -128, op.activationMax == 127
            else { throw bad }
        case .mean:
            guard y.height == 1, y.width == 1, x.channels == y.channels, op.input2 == nil, noArrays,
                  p.0 >= 0, p.1 >= -31, p.1 <= 30, p.2 == 0, p.3 == 0, p.4 == 0
            else { throw bad }
        case .add:
            guard let second = op.input2, second < tensors, second != op.output, noArrays else { throw bad }
            let z = tensor(second)
            guard z.firstStep < index, z.lastStep >= index,
                  x.height == y.height, x.width == y.width, x.channels == y.channels,
                  z.height == y.height, z.width == y.width, z.channels == y.channels,
                  p.0 >= 0, p.1 >= 0, p.2 >= 0, p.4 == 0
            else { throw bad }
            let shifts = UInt32(bitPattern: p.3)
            for k in 0..<3 {
                let shift = Int32(Int8(truncatingIfNeeded: shifts >> (8 * UInt32(k))))
                guard shift >= -31, shift <= 30 else { throw bad }
            }
            let leftShift = Int32(Int8(truncatingIfNeeded: shifts >> 24))
            guard leftShift >= 0, leftShift <= 23 else { throw bad }
        case .softmax:
            // Parameters: input·beta multiplier (Q31, > 0), its left shift, diff_min (<= 0). Every difference the
            // kernel shifts (>= diff_min) must fit 32 bits after the shift, and the row must be short enough for the
            // output shift to stay below 32 (`SoftmaxInt8.maxDepth`). The output is in steps of 1/256 from -128.
            guard x.height == y.height, x.width == y.width, x.channels == y.channels,
                  x.channels <= SoftmaxInt8.maxDepth, op.input2 == nil, noArrays,
                  p.0 > 0, p.1 >= 0, p.1 <= 31, p.2 <= 0, p.3 == 0, p.4 == 0,
                  (Int64(0) - Int64(p.2)) << Int64(p.1) < Int64(1) << 31,
                  y.zeroPoint == -128, y.scale.bitPattern == 0x3B80_0000  // 1/256, compared as bits (no FPU)
            else { throw bad }
        }

        // The scratch region must not share bytes with any tensor alive at this op (its inputs and output
        // included); it may reuse the bytes of tensors that are dead at this step.
        if op.scratchSize > 0 {
            let start = op.scratchOffset, end = op.scratchOffset + op.scratchSize
            for t in 0..<tensors {
                let tensor = tensor(t)
                if tensor.firstStep <= index, index <= tensor.lastStep,
                   tensor.arenaOffset < end, start < tensor.arenaOffset + tensor.size {
                    throw .scratchOverlaps(op: index, tensor: t)
                }
            }
        }
    }

    /// Scale > 0 and finite, decided on the bits: a float comparison would call soft-float helpers on cores
    /// without an FPU (Cortex-M3), which the firmware does not link.
    static func isPositiveFinite(_ value: Float) -> Bool {
        let bits = value.bitPattern
        return bits != 0 && bits < 0x7F80_0000
    }
}
