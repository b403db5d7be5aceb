#if canImport(CInt8DSP)
import CInt8DSP
#endif

/// The bridge to the ARMv7E-M DSP operations the fast int8 kernels are written in. With the CInt8DSP module
/// (SwiftPM, firmware) they are its static inline C functions: SMLAD/SXTB16/SADD16 on Cortex-M4/M7, portable C
/// elsewhere. Without it (a plain swiftc build of these sources alone) the Swift definitions in
/// DSPDefinitions.swift. Every variant wraps modulo 2^32 like the instructions, so all give the same bits.
enum DSP {
#if canImport(CInt8DSP)
    /// Bytes 0 and 2 sign-extended into the two halfwords.
    @inline(__always) static func sxtb16(_ x: UInt32) -> UInt32 { dsp_sxtb16(x) }
    /// Bytes 1 and 3 sign-extended into the two halfwords.
    @inline(__always) static func sxtb16ror8(_ x: UInt32) -> UInt32 { dsp_sxtb16_ror8(x) }
    /// Halfword-wise wrapping add.
    @inline(__always) static func sadd16(_ a: UInt32, _ b: UInt32) -> UInt32 { dsp_sadd16(a, b) }
    /// `acc + a.lo·b.lo + a.hi·b.hi`, signed halfwords, wrapping.
    @inline(__always) static func smlad(_ a: UInt32, _ b: UInt32, _ acc: Int32) -> Int32 { dsp_smlad(a, b, acc) }
    /// `multiplyByQuantizedMultiplier`, computed as in `requantizeSwift` below.
    @inline(__always) static func requantize(_ acc: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
        dsp_requantize(acc, multiplier, shift)
    }
    static var isHardware: Bool { dsp_available() != 0 }
    /// `smallColumnSwift` (`dsp_small_column`).
    @inline(__always) static func smallColumn(_ base: UnsafePointer<Int8>, _ offsets: UnsafePointer<Int32>, _ k: Int,
                                              _ to: UnsafeMutablePointer<UInt64>) {
        dsp_small_column(base, offsets, Int32(truncatingIfNeeded: k), to)
    }
    /// `dotSmallSwift` (`dsp_dot_small`: the weights in registers, LDRD and SMLAD on Cortex-M4/M7).
    @inline(__always) static func dotSmall(_ w: UnsafePointer<Int8>, _ k: Int, _ columns: UnsafePointer<UInt64>,
                                           _ count: Int, _ start: Int32, _ acc: UnsafeMutablePointer<Int32>) {
        dsp_dot_small(w, Int32(truncatingIfNeeded: k), columns, Int32(truncatingIfNeeded: count), start, acc)
    }
    /// `pair3Swift` (`dsp_pair3`: dsp_pair3_loop on Cortex-M4/M7).
    @inline(__always) static func pair3(_ weights: UnsafePointer<UInt32>, _ columns: UnsafePointer<UInt64>, _ groups: Int,
                                        _ triples: Int, _ startA: Int32, _ startB: Int32,
                                        _ accA: UnsafeMutablePointer<Int32>, _ accB: UnsafeMutablePointer<Int32>) {
        dsp_pair3(weights, columns, Int32(truncatingIfNeeded: groups), Int32(truncatingIfNeeded: triples), startA, startB,
                  accA, accB)
    }
    /// `widenPairSwift` (`dsp_widen_pair`).
    @inline(__always) static func widenPair(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, _ k: Int,
                                            _ to: UnsafeMutablePointer<UInt32>) {
        dsp_widen_pair(a, b, Int32(truncatingIfNeeded: k), to)
    }
    /// `requantizeNegativeShiftSwift` (SMLAL on Cortex-M4/M7).
    @inline(__always) static func requantizeNegativeShift(_ acc: Int32, _ multiplier: Int32, _ round: (UInt32, Int32),
                                                          _ rsh: Int32) -> Int32 {
        dsp_requantize_negative_shift(acc, multiplier, round.0, round.1, rsh)
    }
#else
    @inline(__always) static func halves(_ lo: Int32, _ hi: Int32) -> UInt32 {
        (UInt32(bitPattern: lo) & 0xFFFF) | (UInt32(bitPattern: hi) << 16)
    }
    @inline(__always) static func sxtb16(_ x: UInt32) -> UInt32 {
        halves(Int32(Int8(truncatingIfNeeded: x)), Int32(Int8(truncatingIfNeeded: x >> 16)))
    }
    @inline(__always) static func sxtb16ror8(_ x: UInt32) -> UInt32 {
        halves(Int32(Int8(truncatingIfNeeded: x >> 8)), Int32(Int8(truncatingIfNeeded: x >> 24)))
    }
    @inline(__always) static func sadd16(_ a: UInt32, _ b: UInt32) -> UInt32 {
        ((a &+ b) & 0xFFFF) | (((a >> 16) &+ (b >> 16)) << 16)
    }
    @inline(__always) static func smlad(_ a: UInt32, _ b: UInt32, _ acc: Int32) -> Int32 {
        let p = Int32(Int16(truncatingIfNeeded: a)) &* Int32(Int16(truncatingIfNeeded: b))
        let q = Int32(Int16(truncatingIfNeeded: a >> 16)) &* Int32(Int16(truncatingIfNeeded: b >> 16))
        return acc &+ p &+ q
    }
    @inline(__always) static func requantize(_ acc: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
        requantizeSwift(acc, multiplier, shift)
    }
    static var isHardware: Bool { false }
    @inline(__always) static func requantizeNegativeShift(_ acc: Int32, _ multiplier: Int32, _ round: (UInt32, Int32),
                                                          _ rsh: Int32) -> Int32 {
        requantizeNegativeShiftSwift(acc, multiplier, round, rsh)
    }
    @inline(__always) static func dotSmall(_ w: UnsafePointer<Int8>, _ k: Int, _ columns: UnsafePointer<UInt64>,
                                           _ count: Int, _ start: Int32, _ acc: UnsafeMutablePointer<Int32>) {
        dotSmallSwift(w, k, columns, count, start, acc)
    }
    @inline(__always) static func smallColumn(_ base: UnsafePointer<Int8>, _ offsets: UnsafePointer<Int32>, _ k: Int,
                                              _ to: UnsafeMutablePointer<UInt64>) {
        smallColumnSwift(base, offsets, k, to)
    }
    @inline(__always) static func pair3(_ weights: UnsafePointer<UInt32>, _ columns: UnsafePointer<UInt64>, _ groups: Int,
                                        _ triples: Int, _ startA: Int32, _ startB: Int32,
                                        _ accA: UnsafeMutablePointer<Int32>, _ accB: UnsafeMutablePointer<Int32>) {
        pair3Swift(weights, columns, groups, triples, startA, startB, accA, accB)
    }
    @inline(__always) static func widenPair(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, _ k: Int,
                                            _ to: UnsafeMutablePointer<UInt32>) {
        widenPairSwift(a, b, k, to)
    }
#endif

    /// 2^30 + 2^(31 + rsh) as (low word, high word), for rsh in 0...30. (For rsh >= 1, the kernels' case:
    /// (2^30, 2^(rsh - 1)).)
    @inline(__always) static func negativeShiftRound(_ rsh: Int32) -> (UInt32, Int32) {
        (rsh == 0 ? 0xC000_0000 : 0x4000_0000, (1 &<< rsh) &>> 1)
    }
}
