/// The requantize, clamp and tail steps of the quad path's three pass widths (small, six, four), defined once:
/// what differs between the widths (how many accumulators, the output mode, the clamp range, whether a pooled
/// maximum may be taken before requantizing) comes in as parameters.
extension ConvInt8 {
    /// Calls `emit` with channel `oc`'s requantize-offset-clamp function, chosen once per channel, and whether it
    /// is monotone (never decreasing, so a pooled maximum may be taken before it). The op's parameters are read
    /// here, per channel, rather than held in registers across the four- and six-position passes' dot loops (on
    /// Cortex-M3 holding them cost four spills per group of 4 weights).
    @inline(__always)
    static func withRequantizer<Range: QuadRange>(_ range: Range.Type, _ c: ConvolutionCall, _ oc: Int,
                                                  _ emit: (_ value: (Int32) -> Int8, _ monotone: Bool) -> Void) {
        withRequantizer(Range.self, c.multipliers[oc], c.shifts[oc], c.outputOffset, c.activationMin, c.activationMax, emit)
    }

    /// The same for a channel with multiplier `m` and `shift`, and the op's output `offset` and activation range
    /// given (the small path holds them across its channels). Shifts <= -1 with a multiplier >= 0 (every conv of
    /// the shipped models and ResNet-8) use the five-instruction form (SMLAL, `DSP.requantizeNegativeShift`), exactly TFLite
    /// Micro's double rounding; other shifts `DSP.requantize`.
    @inline(__always)
    static func withRequantizer<Range: QuadRange>(_ range: Range.Type, _ m: Int32, _ shift: Int32, _ offset: Int32,
                                                  _ low: Int32, _ high: Int32,
                                                  _ emit: (_ value: (Int32) -> Int8, _ monotone: Bool) -> Void) {
        if shift < 0 && m >= 0 {
            let rsh = ~shift, round = DSP.negativeShiftRound(rsh)
            emit({ clamp(Range.self, DSP.requantizeNegativeShift($0, m, round, rsh) &+ offset, low, high) }, true)
        } else {
            emit({ clamp(Range.self, DSP.requantize($0, m, shift) &+ offset, low, high) }, false)
        }
    }

    /// The activation clamp and the narrowing to int8: one SSAT when the range is all of int8.
    @inline(__always)
    static func clamp<Range: QuadRange>(_ range: Range.Type, _ value: Int32, _ low: Int32, _ high: Int32) -> Int8 {
        Range.fullRange ? Int8(truncatingIfNeeded: min(max(value, -128), 127)) : clampToInt8(value, low, high)
    }

    /// The weight word of the padded last group when k is not a multiple of 4: the `tail` (1...3) remaining
    /// bytes, zeros above, so nothing past a channel's weights is read.
    @inline(__always)
    static func tailWord(_ rest: UnsafePointer<Int8>, _ tail: Int) -> UInt32 {
        var x = UInt32(UInt8(bitPattern: rest[0]))
        if tail > 1 { x |= UInt32(UInt8(bitPattern: rest[1])) &<< 8 }
        if tail > 2 { x |= UInt32(UInt8(bitPattern: rest[2])) &<< 16 }
        return x
    }

    /// Writes four accumulators of channel `oc` (requantized by `value`) as `Output` says: four outputs, one
    /// pooled output (the maximum taken first when `monotone`), or each maxed into its own pooled output.
    @inline(__always)
    static func emitFour<Output: QuadOutput>(_ output: Output.Type, _ value: (Int32) -> Int8, _ monotone: Bool,
                                             _ acc: (Int32, Int32, Int32, Int32), _ oc: Int,
                                             _ y: (UnsafeMutablePointer<Int8>, UnsafeMutablePointer<Int8>,
                                                   UnsafeMutablePointer<Int8>, UnsafeMutablePointer<Int8>),
                                             _ first: (Bool, Bool, Bool, Bool)) {
        @inline(__always) func put(_ y: UnsafeMutablePointer<Int8>, _ first: Bool, _ v: Int8) {
            y[oc] = first ? v : max(y[oc], v)
        }
        switch Output.mode {
        case .plain:
            y.0[oc] = value(acc.0); y.1[oc] = value(acc.1); y.2[oc] = value(acc.2); y.3[oc] = value(acc.3)
        case .pooledTogether:
            let v = monotone
                ? value(max(max(acc.0, acc.1), max(acc.2, acc.3)))
                : max(max(value(acc.0), value(acc.1)), max(value(acc.2), value(acc.3)))
            put(y.0, first.0, v)
        case .pooledApart:
            put(y.0, first.0, value(acc.0)); put(y.1, first.1, value(acc.1))
            put(y.2, first.2, value(acc.2)); put(y.3, first.3, value(acc.3))
        }
    }
}

/// How a pass writes its outputs: `mode` and the clamp (`Range`). Generic so that each combination is its own
/// specialization with no run-time mode tests in the channel loop.
protocol QuadOutput {
    associatedtype Range: QuadRange
    static var mode: QuadMode { get }
}
enum QuadMode {
    /// No pooling: one output per position.
    case plain
    /// Four positions share one pooled output (a window of a multiple of 4 conv outputs).
    case pooledTogether
    /// Any other pooling: each position's value written or maxed into its pooled output.
    case pooledApart
}
protocol QuadRange { static var fullRange: Bool { get } }
/// The activation range is all of int8 (or wider): the clamp is to -128...127, one SSAT.
enum FullRange: QuadRange { static var fullRange: Bool { true } }
enum Clamped: QuadRange { static var fullRange: Bool { false } }
enum QuadPlain<Range: QuadRange>: QuadOutput { static var mode: QuadMode { .plain } }
enum QuadPooledTogether<Range: QuadRange>: QuadOutput { static var mode: QuadMode { .pooledTogether } }
enum QuadPooledApart<Range: QuadRange>: QuadOutput { static var mode: QuadMode { .pooledApart } }
