@testable import Int8Runtime
import Testing
import TestSupport

/// The non-conv fast paths (AveragePool2D window sums, Mean channel sums, FullyConnected four rows per pass)
/// against their reference loops, byte for byte: random shapes (channel and input counts not multiples of 4),
/// unaligned pointers, saturated inputs over windows longer than one int16 lane holds (256 pixels), extreme
/// multipliers and shifts.
@Suite("AveragePool, Mean and FullyConnected fast paths are bit-exact with the reference")
struct PoolMeanDenseFastPathTests {
    /// `count` random int8 values at `misalign` bytes into a buffer; `saturate` 1 gives all 127, -1 all -128.
    static func values(_ count: Int, _ r: inout SeededRandom, saturate: Int = 0) -> [Int8] {
        (0..<count).map { _ in saturate > 0 ? 127 : saturate < 0 ? -128 : Int8.random(in: .min ... .max, using: &r) }
    }

    /// Runs `body` with `x` copied `misalign` bytes past an 8-byte boundary and an output buffer of `outputs`
    /// bytes (also misaligned); returns the output.
    static func run(_ x: [Int8], outputs: Int, misalign: Int,
                    _ body: (UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void) -> [Int8] {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: x.count + outputs + 32, alignment: 8)
        defer { memory.deallocate() }
        memory.initializeMemory(as: UInt8.self, repeating: 0x5A)
        let xp = (memory.baseAddress! + misalign).assumingMemoryBound(to: Int8.self)
        for i in x.indices { xp[i] = x[i] }
        let yp = (memory.baseAddress! + ((x.count + misalign + 16) & ~7) + (misalign ^ 1) % 8)
            .assumingMemoryBound(to: Int8.self)
        body(UnsafePointer(xp), yp)
        return Array(UnsafeBufferPointer(start: yp, count: outputs))
    }

    @Test func averagePool() {
        var r = SeededRandom(seed: 811)
        var ran = 0
        for index in 0..<300 {
            let channels = Int.random(in: 1...20, using: &r)
            let kh = Int.random(in: 1...5, using: &r), kw = Int.random(in: 1...5, using: &r)
            let global = index % 10 == 0
            let h = global ? Int.random(in: 16...24, using: &r) : Int.random(in: kh...12, using: &r)
            let w = global ? Int.random(in: 16...24, using: &r) : Int.random(in: kw...12, using: &r)
            let sy = Int.random(in: 1...3, using: &r), sx = Int.random(in: 1...3, using: &r)
            let padTop = global ? 0 : Int.random(in: 0...(kh - 1), using: &r)
            let padLeft = global ? 0 : Int.random(in: 0...(kw - 1), using: &r)
            let (wkh, wkw) = global ? (h, w) : (kh, kw)
            let oh = global ? 1 : (h + padTop - 1) / sy + 1, ow = global ? 1 : (w + padLeft - 1) / sx + 1
            let low = Int32.random(in: -128...0, using: &r)
            let saturate = index % 7 == 0 ? (index % 2 == 0 ? 1 : -1) : 0
            let x = Self.values(h * w * channels, &r, saturate: saturate)
            let high = index % 5 == 0 ? Int32.random(in: low...127, using: &r) : 127
            func call(_ xp: UnsafePointer<Int8>, _ yp: UnsafeMutablePointer<Int8>) -> PoolCall {
                PoolCall(x: xp, y: yp, inputHeight: h, inputWidth: w, channels: channels, outputHeight: oh,
                         outputWidth: ow, kernelHeight: wkh, kernelWidth: wkw, strideY: sy, strideX: sx,
                         padTop: padTop, padLeft: padLeft, activationMin: index % 3 == 0 ? low : -128,
                         activationMax: high)
            }
            let misalign = index % 8
            var took = false
            let expected = Self.run(x, outputs: oh * ow * channels, misalign: misalign) { PoolInt8.reference(call($0, $1), average: true) }
            let got = Self.run(x, outputs: oh * ow * channels, misalign: misalign) { took = PoolInt8.averageFast(call($0, $1)) }
            guard took else {
                #expect(channels < 4, "case \(index): declined with \(channels) channels")
                continue
            }
            ran += 1
            #expect(got == expected, "case \(index): \(h)x\(w)x\(channels) window \(wkh)x\(wkw) stride \(sy),\(sx) pad \(padTop),\(padLeft)")
        }
        #expect(ran > 150)
    }

    @Test func mean() {
        var r = SeededRandom(seed: 812)
        for index in 0..<200 {
            let channels = Int.random(in: 1...40, using: &r)
            // Up to 600 pixels: more than the 256 one int16 lane sums before widening.
            let count = index % 4 == 0 ? Int.random(in: 257...600, using: &r) : Int.random(in: 1...100, using: &r)
            let saturate = index % 5 == 0 ? (index % 2 == 0 ? 1 : -1) : 0
            let x = Self.values(count * channels, &r, saturate: saturate)
            let extreme = index % 6 == 0
            let multiplier = extreme ? [0, 1 << 30, Int32.max].randomElement(using: &r)! : Int32.random(in: (1 << 30)...Int32.max, using: &r)
            let shift = extreme ? [-31, 30, -1, 0].randomElement(using: &r)! : Int32.random(in: -31...2, using: &r)
            let low = Int32.random(in: -128...0, using: &r)
            let zp = Int32.random(in: -128...127, using: &r), ozp = Int32.random(in: -128...127, using: &r)
            let high = index % 3 == 0 ? Int32.random(in: low...127, using: &r) : 127
            func call(_ xp: UnsafePointer<Int8>, _ yp: UnsafeMutablePointer<Int8>) -> MeanCall {
                MeanCall(x: xp, y: yp, count: count, channels: channels, inputZeroPoint: zp, outputZeroPoint: ozp,
                         multiplier: multiplier, shift: shift, activationMin: low, activationMax: high)
            }
            let expected = Self.run(x, outputs: channels, misalign: index % 8) { MeanInt8.reference(call($0, $1)) }
            let got = Self.run(x, outputs: channels, misalign: index % 8) { MeanInt8.fast(call($0, $1)) }
            #expect(got == expected, "case \(index): \(count) pixels x \(channels) channels, \(multiplier) \(shift)")
        }
    }

    @Test func fullyConnected() {
        var r = SeededRandom(seed: 813)
        var ran = 0
        for index in 0..<300 {
            let n = Int.random(in: 1...300, using: &r), m = Int.random(in: 1...23, using: &r)
            let saturate = index % 9 == 0 ? (index % 2 == 0 ? 1 : -1) : 0
            let x = Self.values(n, &r, saturate: saturate)
            let weights = Self.values(n * m + 3, &r, saturate: saturate)
            let bias = (0..<m).map { _ in index % 4 == 0 ? Int32.random(in: .min ... .max, using: &r) : Int32.random(in: -100_000...100_000, using: &r) }
            let extreme = index % 5 == 0
            let multipliers = (0..<m).map { _ in extreme ? [0, 1 << 30, Int32.max].randomElement(using: &r)! : Int32.random(in: (1 << 30)...Int32.max, using: &r) }
            let shifts = (0..<m).map { _ in extreme ? [-31, 30, -1, 0].randomElement(using: &r)! : Int32.random(in: -20...1, using: &r) }
            let offset = index % 8 == 0 ? [-127, 128].randomElement(using: &r)! : Int32.random(in: -127...128, using: &r)
            let low = Int32.random(in: -128...0, using: &r)
            let high = index % 3 == 0 ? Int32.random(in: low...127, using: &r) : 127
            let wOffset = index % 4
            var took = false
            func call(_ xp: UnsafePointer<Int8>, _ yp: UnsafeMutablePointer<Int8>, _ wp: UnsafePointer<Int8>,
                      _ bp: UnsafePointer<Int32>, _ mp: UnsafePointer<Int32>, _ sp: UnsafePointer<Int32>) -> FullyConnectedCall {
                FullyConnectedCall(x: xp, inputs: n, inputOffset: offset, weights: wp + wOffset,
                                   bias: index % 6 == 0 ? nil : bp, multipliers: mp, shifts: sp, y: yp, outputs: m,
                                   outputOffset: Int32.random(in: -128...127, using: &r), activationMin: low,
                                   activationMax: high)
            }
            var r1 = r, r2 = r
            let results: [[Int8]] = [true, false].map { isFast in
                weights.withUnsafeBufferPointer { wp in
                    bias.withUnsafeBufferPointer { bp in
                        multipliers.withUnsafeBufferPointer { mp in
                            shifts.withUnsafeBufferPointer { sp in
                                Self.run(x, outputs: m, misalign: index % 8) { xp, yp in
                                    if isFast {
                                        swap(&r, &r1)
                                        took = FullyConnectedInt8.fast(call(xp, yp, wp.baseAddress!, bp.baseAddress!, mp.baseAddress!, sp.baseAddress!))
                                        swap(&r, &r1)
                                    } else {
                                        swap(&r, &r2)
                                        FullyConnectedInt8.reference(call(xp, yp, wp.baseAddress!, bp.baseAddress!, mp.baseAddress!, sp.baseAddress!))
                                        swap(&r, &r2)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            guard took else {
                #expect(m < 4, "case \(index): declined \(n) x \(m)")
                continue
            }
            ran += 1
            #expect(results[0] == results[1], "case \(index): \(n) inputs x \(m) outputs, offset \(offset)")
        }
        #expect(ran > 200)
    }
}
