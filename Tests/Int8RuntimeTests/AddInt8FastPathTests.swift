@testable import Int8Runtime
import Testing
import TestSupport

/// The table Add (AddInt8.tables, what the interpreter runs) against the reference loop, byte for byte.
@Suite("Add table path is bit-exact with the reference")
struct AddInt8FastPathTests {
    /// Runs `kernel` on random inputs with the given parameters; nil when it declined. The kernel gets
    /// `scratch` bytes of garbage scratch (default: `AddInt8.scratchSize`, what the quantizer plans) starting
    /// `misalign` bytes past an 8-byte boundary, and the bytes around it must be untouched.
    static func run(_ x: [Int8], _ z: [Int8], _ parameters: AddCall, scratch: Int? = nil, misalign: Int = 3,
                    _ kernel: (AddCall) -> Bool) -> [Int8]? {
        var y = [Int8](repeating: 77, count: x.count)
        let size = scratch ?? AddInt8.scratchSize(count: x.count)
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: misalign + size + 64, alignment: 8)
        defer { memory.deallocate() }
        memory.initializeMemory(as: UInt8.self, repeating: 0x5A)
        defer {
            let untouched = memory[..<misalign].allSatisfy { $0 == 0x5A } && memory[(misalign + size)...].allSatisfy { $0 == 0x5A }
            #expect(untouched, "the Add wrote outside its \(size) bytes of scratch")
        }
        let ran = x.withUnsafeBufferPointer { xp in
            z.withUnsafeBufferPointer { zp in
                y.withUnsafeMutableBufferPointer { yp in
                    var call = parameters
                    call.x = xp.baseAddress!; call.z = zp.baseAddress!; call.y = yp.baseAddress!; call.count = x.count
                    call.scratch = UnsafeMutableRawBufferPointer(rebasing: memory[misalign..<(misalign + size)])
                    return kernel(call)
                }
            }
        }
        return ran ? y : nil
    }

    static func randomCall(_ r: inout SeededRandom, extreme: Bool) -> AddCall {
        let dummy = UnsafeMutablePointer<Int8>(bitPattern: 8)!
        func multiplier() -> Int32 {
            extreme ? [0, 1 << 30, Int32.max].randomElement(using: &r)! : Int32.random(in: (1 << 30)...Int32.max, using: &r)
        }
        func shift(_ range: ClosedRange<Int32>) -> Int32 {
            extreme ? [range.lowerBound, range.upperBound, -1, 0].filter(range.contains).randomElement(using: &r)!
                : Int32.random(in: range, using: &r)
        }
        let low = Int32.random(in: -128...0, using: &r)
        return AddCall(
            x: dummy, z: dummy, y: dummy, count: 0,
            offset1: Int32.random(in: -127...128, using: &r), offset2: Int32.random(in: -127...128, using: &r),
            outputOffset: Int32.random(in: -128...127, using: &r),
            multiplier1: multiplier(), multiplier2: multiplier(), outputMultiplier: multiplier(),
            shift1: shift(-31...30), shift2: shift(-31...30),
            outputShift: Bool.random(using: &r) ? shift(-31...(-1)) : shift(-31...30),
            leftShift: Bool.random(using: &r) ? 20 : shift(0...23),
            activationMin: Bool.random(using: &r) ? -128 : low,
            activationMax: Bool.random(using: &r) ? 127 : Int32.random(in: low...127, using: &r))
    }

    @Test func tablesMatchReference() {
        var r = SeededRandom(seed: 606)
        var ran = 0
        for index in 0..<600 {
            let call = Self.randomCall(&r, extreme: index % 5 == 0)
            let count = Int.random(in: 1...3000, using: &r)
            let x = (0..<count).map { _ in Int8.random(in: .min ... .max, using: &r) }
            let z = (0..<count).map { _ in Int8.random(in: .min ... .max, using: &r) }
            let reference = Self.run(x, z, call) { AddInt8.reference($0); return true }!
            guard let fast = Self.run(x, z, call, misalign: index % 8, AddInt8.tables) else {
                #expect(count < AddInt8.tableThreshold && AddInt8.scratchSize(count: count) == 0)
                continue
            }
            // One byte less scratch than planned: the table path declines (the interpreter runs the reference).
            #expect(Self.run(x, z, call, scratch: AddInt8.scratchSize(count: count) - 1, AddInt8.tables) == nil)
            ran += 1
            let same = fast == reference
            #expect(same, "case \(index): \(call.multiplier1) \(call.shift1) \(call.multiplier2) \(call.shift2) \(call.outputMultiplier) \(call.outputShift) \(call.leftShift)")
        }
        #expect(ran > 400)
    }

    /// Every pair of int8 values once, with random and extreme parameters.
    @Test func everyValuePair() {
        var r = SeededRandom(seed: 17)
        let x = (0..<65536).map { Int8(truncatingIfNeeded: $0) }, z = (0..<65536).map { Int8(truncatingIfNeeded: $0 >> 8) }
        for index in 0..<6 {
            let call = Self.randomCall(&r, extreme: index == 5)
            let reference = Self.run(x, z, call) { AddInt8.reference($0); return true }!
            let same = Self.run(x, z, call, AddInt8.tables) == reference
            #expect(same)
        }
    }

    /// The fused path (AddInt8Fused.swift) is what most of the random calls above take, so `tablesMatchReference`
    /// checks it; its C loop (`dsp_add_tables`) equals its Swift twin and the reference on sizes and alignments that
    /// exercise the head, the four-element groups and the tail.
    @Test func fusedPathIsTakenAndExact() {
        var r = SeededRandom(seed: 4242)
        var fused = 0
        for index in 0..<300 {
            var call = Self.randomCall(&r, extreme: index % 5 == 0)
            if index % 3 == 0 { call.outputShift = Int32.random(in: -31...(-1), using: &r) }
            let count = Int.random(in: 512...700, using: &r)
            let x = (0..<(count + 3)).map { _ in Int8.random(in: .min ... .max, using: &r) }
            let z = (0..<(count + 3)).map { _ in Int8.random(in: .min ... .max, using: &r) }
            // Unaligned inputs: start 0 ... 3 bytes into the arrays.
            let xs = Array(x[(index % 4)...].prefix(count)), zs = Array(z[((index / 4) % 4)...].prefix(count))
            let reference = Self.run(xs, zs, call) { AddInt8.reference($0); return true }!
            var took = false
            let fast = Self.run(xs, zs, call, misalign: index % 8) { a in
                let base = a.scratch.baseAddress!
                let first = UnsafeMutableRawPointer(bitPattern: (Int(bitPattern: base) &+ 7) & ~7)!
                    .assumingMemoryBound(to: Int32.self)
                let second = first + 256
                for v in -128...127 {
                    first[v + 128] = multiplyByQuantizedMultiplier((Int32(v) &+ a.offset1) &* (1 << a.leftShift),
                                                                   a.multiplier1, a.shift1)
                    second[v + 128] = multiplyByQuantizedMultiplier((Int32(v) &+ a.offset2) &* (1 << a.leftShift),
                                                                    a.multiplier2, a.shift2)
                }
                let maxAbsSum = (0..<256).map { Int64(first[$0]).magnitude }.max()!
                    + (0..<256).map { Int64(second[$0]).magnitude }.max()!
                took = AddInt8.addFused(a, first + 128, second + 128, maxAbsSum: Int64(maxAbsSum))
                if took {
                    // The Swift twin on the same (now doubled) tables gives the same bytes as the C loop.
                    var twin = [Int8](repeating: 0, count: a.count)
                    twin.withUnsafeMutableBufferPointer { t in
                        var maxFirst: Int64 = 0, maxSecond: Int64 = 0
                        for v in 0..<256 {
                            maxFirst = max(maxFirst, abs(Int64(first[v]) / 2))
                            maxSecond = max(maxSecond, abs(Int64(second[v]) / 2))
                        }
                        let q = AddInt8.fusedParameters(a, maxAbsSum: maxFirst + maxSecond)!
                        DSP.addTablesSwift(a.x, a.z, t.baseAddress!, a.count, first + 128, second + 128,
                                           a.outputMultiplier, q.c, q.r, a.activationMin, a.activationMax)
                    }
                    #expect(Array(UnsafeBufferPointer(start: a.y, count: a.count)) == twin, "case \(index): Swift twin")
                }
                return took
            }
            guard let fast else { continue }
            fused += 1
            #expect(fast == reference, "case \(index): \(call.outputMultiplier) \(call.outputShift) \(call.outputOffset)")
        }
        #expect(fused > 150, "the fused path took \(fused) of 300 calls")
    }

    /// `AddInt8.fillTable` (the SMMLAR table, `DSP.addTable`, where its bound holds; `DSP.requantize` otherwise)
    /// gives multiplyByQuantizedMultiplier for every int8 value, and the largest magnitude; the SMMLAR form takes
    /// most random calls, including its bound's edges (left shift + shift up to 29).
    @Test func tablesEqualTheRequantization() {
        var r = SeededRandom(seed: 77)
        var fast = 0
        let table = UnsafeMutablePointer<Int32>.allocate(capacity: 256)
        defer { table.deallocate() }
        for index in 0..<3000 {
            let offset = index % 11 == 0 ? [-127, 128].randomElement(using: &r)! : Int32.random(in: -127...128, using: &r)
            let leftShift = index % 3 == 0 ? 20 : Int32.random(in: 0...23, using: &r)
            let multiplier = index % 7 == 0 ? [0, 1, 1 << 30, Int32.max].randomElement(using: &r)!
                : Int32.random(in: 0...Int32.max, using: &r)
            let shift = index % 5 == 0 ? [-31, -1, 0, 1, 30].randomElement(using: &r)!
                : Int32.random(in: -31...(index % 2 == 0 ? 30 : 8), using: &r)
            let largest = AddInt8.fillTable(table, offset, leftShift, multiplier, shift)
            var expectedLargest: UInt32 = 0
            var same = true
            for v in -128...127 {
                let e = multiplyByQuantizedMultiplier((Int32(v) &+ offset) &* (1 << leftShift), multiplier, shift)
                expectedLargest = max(expectedLargest, e.magnitude)
                if table[v + 128] != e { same = false }
            }
            #expect(same && largest == expectedLargest, "case \(index): offset \(offset) << \(leftShift), \(multiplier), \(shift)")
            let k = Int64(leftShift) + Int64(max(shift, 0))
            if k <= 29, max((Int64(offset) - 128).magnitude, (Int64(offset) + 127).magnitude) < UInt64(1) << (30 - k) { fast += 1 }
        }
        #expect(fast > 1500, "the SMMLAR table took \(fast) of 3000 calls")
    }
}
