#if canImport(CInt8DSP)
import CInt8DSP
#endif

/// The four ARMv7E-M DSP operations the fast int8 kernels are written in. With the CInt8DSP module (SwiftPM,
/// firmware) they are its static inline C functions: SMLAD/SXTB16/SADD16 on Cortex-M4/M7, portable C elsewhere.
/// Without it (a plain swiftc build of these sources alone) the same arithmetic in Swift. Every variant wraps
/// modulo 2^32 like the instructions, so all give the same bits.
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
#endif

    /// TFLite Micro's requantization (`multiplyByQuantizedMultiplier`) with fewer instructions: the doubling high
    /// multiply as one rounding shift of the 64-bit product p, `(p + 2^30) >> 31`. For p >= 0 that is TFLite's
    /// `(p + 2^30) / 2^31`. For p < 0 TFLite computes trunc((p + 1 - 2^30) / 2^31) = -floor((-p + 2^30 - 1) / 2^31),
    /// and floor((p + 2^30) / 2^31) = -ceil((-p - 2^30) / 2^31) = -floor((-p - 2^30 + 2^31 - 1) / 2^31): the same
    /// integer. The one saturating case (both Int32.min) is kept. `shift` in -31 ... 30 (the loader checks it).
    @inline(__always) static func requantizeSwift(_ acc: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
        let x = shift > 0 ? acc &<< shift : acc
        let high = x == .min && multiplier == .min
            ? Int32.max : Int32(truncatingIfNeeded: (Int64(x) &* Int64(multiplier) &+ (1 << 30)) &>> 31)
        let right = shift > 0 ? 0 : 0 &- shift
        let mask = Int32(bitPattern: (UInt32(1) &<< UInt32(right)) &- 1)
        let remainder = high & mask
        let threshold = (mask &>> 1) &+ (high < 0 ? 1 : 0)
        return (high &>> right) &+ (remainder > threshold ? 1 : 0)
    }
}
