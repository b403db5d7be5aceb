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
    /// `dot6Swift` (`dsp_dot6`).
    @inline(__always) static func dot6(_ w: UnsafePointer<Int8>, _ columns: UnsafePointer<UInt64>, _ groups: Int,
                                       _ start: Int32) -> (Int32, Int32, Int32, Int32, Int32, Int32) {
        let r = dsp_dot6(w, columns, Int32(truncatingIfNeeded: groups), start)
        return (r.a0, r.a1, r.a2, r.a3, r.a4, r.a5)
    }
    /// `dotSmallSwift` (`dsp_dot_small`: the weights in registers, LDRD and SMLAD on Cortex-M4/M7).
    @inline(__always) static func dotSmall(_ w: UnsafePointer<Int8>, _ k: Int, _ columns: UnsafePointer<UInt64>,
                                           _ count: Int, _ start: Int32, _ acc: UnsafeMutablePointer<Int32>) {
        dsp_dot_small(w, Int32(truncatingIfNeeded: k), columns, Int32(truncatingIfNeeded: count), start, acc)
    }
    /// `requantizeNegativeShiftSwift` (SMLAL on Cortex-M4/M7).
    @inline(__always) static func requantizeNegativeShift(_ acc: Int32, _ multiplier: Int32, _ round: (UInt32, Int32),
                                                          _ rsh: Int32) -> Int32 {
        dsp_requantize_negative_shift(acc, multiplier, round.0, round.1, rsh)
    }
    /// `groups` groups of 4 weights against four interleaved columns (`dsp_dot4`; `dot4Swift` below).
    @inline(__always) static func dot4(_ w: UnsafePointer<Int8>, _ columns: UnsafePointer<UInt64>, _ groups: Int,
                                       _ start: Int32) -> (Int32, Int32, Int32, Int32) {
        let r = dsp_dot4(w, columns, Int32(truncatingIfNeeded: groups), start)
        return (r.a0, r.a1, r.a2, r.a3)
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
    @inline(__always) static func dot4(_ w: UnsafePointer<Int8>, _ columns: UnsafePointer<UInt64>, _ groups: Int,
                                       _ start: Int32) -> (Int32, Int32, Int32, Int32) {
        dot4Swift(w, columns, groups, start)
    }
    @inline(__always) static func requantizeNegativeShift(_ acc: Int32, _ multiplier: Int32, _ round: (UInt32, Int32),
                                                          _ rsh: Int32) -> Int32 {
        requantizeNegativeShiftSwift(acc, multiplier, round, rsh)
    }
    @inline(__always) static func dotSmall(_ w: UnsafePointer<Int8>, _ k: Int, _ columns: UnsafePointer<UInt64>,
                                           _ count: Int, _ start: Int32, _ acc: UnsafeMutablePointer<Int32>) {
        dotSmallSwift(w, k, columns, count, start, acc)
    }
    @inline(__always) static func dot6(_ w: UnsafePointer<Int8>, _ columns: UnsafePointer<UInt64>, _ groups: Int,
                                       _ start: Int32) -> (Int32, Int32, Int32, Int32, Int32, Int32) {
        dot6Swift(w, columns, groups, start)
    }
    @inline(__always) static func smallColumn(_ base: UnsafePointer<Int8>, _ offsets: UnsafePointer<Int32>, _ k: Int,
                                              _ to: UnsafeMutablePointer<UInt64>) {
        smallColumnSwift(base, offsets, k, to)
    }
#endif

    /// 2^30 + 2^(31 + rsh) as (low word, high word), for rsh in 0...30. (For rsh >= 1, the kernels' case:
    /// (2^30, 2^(rsh - 1)).)
    @inline(__always) static func negativeShiftRound(_ rsh: Int32) -> (UInt32, Int32) {
        (rsh == 0 ? 0xC000_0000 : 0x4000_0000, (1 &<< rsh) &>> 1)
    }

    /// One more group (weight word `x`) added to `acc`: the columns' words columns[0...3].
    @inline(__always) static func dot4Word(_ x: UInt32, _ columns: UnsafePointer<UInt64>,
                                           _ acc: (Int32, Int32, Int32, Int32)) -> (Int32, Int32, Int32, Int32) {
        let lo = sxtb16(x), hi = sxtb16ror8(x)
        let p0 = columns[0], p1 = columns[1], p2 = columns[2], p3 = columns[3]
        return (smlad(hi, UInt32(truncatingIfNeeded: p0 &>> 32), smlad(lo, UInt32(truncatingIfNeeded: p0), acc.0)),
                smlad(hi, UInt32(truncatingIfNeeded: p1 &>> 32), smlad(lo, UInt32(truncatingIfNeeded: p1), acc.1)),
                smlad(hi, UInt32(truncatingIfNeeded: p2 &>> 32), smlad(lo, UInt32(truncatingIfNeeded: p2), acc.2)),
                smlad(hi, UInt32(truncatingIfNeeded: p3 &>> 32), smlad(lo, UInt32(truncatingIfNeeded: p3), acc.3)))
    }
}

// The non-conv kernels' operations (Add, pooling, dense): C in cint8dsp.h's last section, Swift twins in
// DSPDefinitions.swift.
extension DSP {
#if canImport(CInt8DSP)
    /// `addTablesSwift` (`dsp_add_tables`: SMMLAR, SSAT and a packed clamp, four elements per loop on Cortex-M4/M7).
    @inline(__always) static func addTables(_ x: UnsafePointer<Int8>, _ z: UnsafePointer<Int8>,
                                            _ y: UnsafeMutablePointer<Int8>, _ count: Int, _ first: UnsafePointer<Int32>,
                                            _ second: UnsafePointer<Int32>, _ multiplier: Int32, _ c: Int32, _ r: Int32,
                                            _ low: Int32, _ high: Int32) {
        dsp_add_tables(x, z, y, Int32(truncatingIfNeeded: count), first, second, multiplier, c, r, low, high)
    }
#else
    @inline(__always) static func addTables(_ x: UnsafePointer<Int8>, _ z: UnsafePointer<Int8>,
                                            _ y: UnsafeMutablePointer<Int8>, _ count: Int, _ first: UnsafePointer<Int32>,
                                            _ second: UnsafePointer<Int32>, _ multiplier: Int32, _ c: Int32, _ r: Int32,
                                            _ low: Int32, _ high: Int32) {
        addTablesSwift(x, z, y, count, first, second, multiplier, c, r, low, high)
    }
#endif
}

extension DSP {
#if canImport(CInt8DSP)
    /// `windowSum4Swift` (`dsp_window_sum4`: one word load and two SXTAB16 per pixel on Cortex-M4/M7).
    @inline(__always) static func windowSum4(_ x: UnsafePointer<Int8>, _ rows: Int, _ cols: Int, _ rowStride: Int,
                                             _ pixelStride: Int) -> (Int32, Int32, Int32, Int32) {
        let r = dsp_window_sum4(x, Int32(truncatingIfNeeded: rows), Int32(truncatingIfNeeded: cols),
                                Int32(truncatingIfNeeded: rowStride), Int32(truncatingIfNeeded: pixelStride))
        return (r.a0, r.a1, r.a2, r.a3)
    }
    /// `dense4Swift` (`dsp_dense4`: SXTAB16 and SMLAD on Cortex-M4/M7).
    @inline(__always) static func dense4(_ w: UnsafePointer<Int8>, _ n: Int, _ x: UnsafePointer<Int8>,
                                         _ offset: Int32) -> (Int32, Int32, Int32, Int32) {
        let r = dsp_dense4(w, Int32(truncatingIfNeeded: n), x, offset)
        return (r.a0, r.a1, r.a2, r.a3)
    }
#else
    @inline(__always) static func windowSum4(_ x: UnsafePointer<Int8>, _ rows: Int, _ cols: Int, _ rowStride: Int,
                                             _ pixelStride: Int) -> (Int32, Int32, Int32, Int32) {
        windowSum4Swift(x, rows, cols, rowStride, pixelStride)
    }
    @inline(__always) static func dense4(_ w: UnsafePointer<Int8>, _ n: Int, _ x: UnsafePointer<Int8>,
                                         _ offset: Int32) -> (Int32, Int32, Int32, Int32) {
        dense4Swift(w, n, x, offset)
    }
#endif
}

extension DSP {
#if canImport(CInt8DSP)
    /// `addTableSwift` (`dsp_add_table`: SMMLAR per entry on Cortex-M4/M7).
    @inline(__always) static func addTable(_ t: UnsafeMutablePointer<Int32>, _ offset: Int32, _ leftShift: Int32,
                                           _ multiplier: Int32, _ shift: Int32) -> UInt32 {
        dsp_add_table(t, offset, leftShift, multiplier, shift)
    }
#else
    @inline(__always) static func addTable(_ t: UnsafeMutablePointer<Int32>, _ offset: Int32, _ leftShift: Int32,
                                           _ multiplier: Int32, _ shift: Int32) -> UInt32 {
        addTableSwift(t, offset, leftShift, multiplier, shift)
    }
#endif
}
