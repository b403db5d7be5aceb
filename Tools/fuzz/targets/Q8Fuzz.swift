// libFuzzer target: the .q8 loader (full validation), then one inference in an arena of exactly the size the
// model asks for (AddressSanitizer sees any access outside it). Built by Tools/fuzz/run.sh with the Int8Runtime
// sources as one module and the CInt8DSP header, as the runtime ships (its kernels take their C paths).
//
// The 32-bit checks: this host has a 64-bit Int, where Int(UInt32) never traps, so for every file the loader
// accepts the target checks that each field the runtime converts or indexes with fits a 32-bit Int (as on a
// Cortex-M), and that the plan the loader accepted is one no kernel can trip over; a violation aborts (a crash).

import Int8Runtime

@_cdecl("LLVMFuzzerTestOneInput")
public func q8Fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // The runtime requires a 4-byte aligned model buffer, as firmware gives it.
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
    defer { storage.deallocate() }
    storage.copyMemory(from: UnsafeRawBufferPointer(start: data, count: size))
    // As for model.bin: when the last byte is odd, fix the trailing CRC so mutations reach the validator.
    if size >= 8, storage[size - 1] & 1 == 1 {
        let crc = Checksum.crc32(UnsafeRawBufferPointer(rebasing: storage[0..<(size - 4)]))
        for k in 0..<4 { storage[size - 4 + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
    }
    guard let model = try? Q8Model(validating: UnsafeRawBufferPointer(rebasing: storage[0..<size])) else { return 0 }
    checkThirtyTwoBit(model)
    guard model.arenaSize <= 1 << 22 else { return 0 }
    let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.arenaSize, 1), alignment: 16)
    defer { arena.deallocate() }
    let exact = UnsafeMutableRawBufferPointer(rebasing: arena[0..<model.arenaSize])
    for i in 0..<exact.count { exact[i] = UInt8(truncatingIfNeeded: i &* 7) }
    try? Int8Interpreter.invoke(model, arena: exact)
    return 0
}

/// Aborts unless every field of an accepted model that the runtime converts to Int, and every end of a region
/// it indexes, is below 2^31; and unless tensors alive together (and scratch against live tensors) are disjoint.
func checkThirtyTwoBit(_ model: Q8Model) {
    let limit = UInt64(Int32.max)
    func fits(_ value: UInt64, _ what: StaticString) {
        if value > limit { fatalError("accepted .q8 with \(what) = \(value) >= 2^31: would trap on a 32-bit Int") }
    }
    func u32(_ at: Int) -> UInt64 { UInt64(UInt32(littleEndian: model.bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
    typealias H = Q8Layout.Header
    fits(u32(H.fileSize), "file_size")
    fits(u32(H.tensorTable) + UInt64(model.tensorCount * Q8Layout.tensorRecordSize), "tensor table end")
    fits(u32(H.opTable) + UInt64(model.opCount * Q8Layout.opRecordSize), "op table end")
    fits(u32(H.constants) + u32(H.constantsSize), "constants end")
    fits(u32(H.arenaSize), "arena_size")
    fits(u32(H.arenaLowerBound), "arena_lower_bound")
    fits(u32(H.macs), "macs")
    let arena = u32(H.arenaSize), constantsSize = u32(H.constantsSize)
    for index in 0..<model.tensorCount {
        let at = Int(u32(H.tensorTable)) + index * Q8Layout.tensorRecordSize
        let end = u32(at + Q8Layout.TensorRecord.arenaOffset) + u32(at + Q8Layout.TensorRecord.size)
        fits(end, "tensor arena end")
        if end > arena { fatalError("accepted .q8 with a tensor past the arena") }
        _ = model.tensor(index)
    }
    for index in 0..<model.opCount {
        let at = Int(u32(H.opTable)) + index * Q8Layout.opRecordSize
        for field in [Q8Layout.OpRecord.weights, Q8Layout.OpRecord.bias, Q8Layout.OpRecord.multipliers, Q8Layout.OpRecord.shifts] {
            let offset = u32(at + field)
            if offset != UInt64(Q8Layout.noOffset) {
                fits(u32(H.constants) + offset, "constant array offset")
                if offset > constantsSize { fatalError("accepted .q8 with an array offset past the constants") }
            }
        }
        let scratchEnd = u32(at + Q8Layout.OpRecord.scratchOffset) + u32(at + Q8Layout.OpRecord.scratchSize)
        fits(scratchEnd, "scratch end")
        if scratchEnd > arena { fatalError("accepted .q8 with scratch past the arena") }
        let op = model.op(index)
        if op.scratchSize > 0 {
            for t in 0..<model.tensorCount {
                let x = model.tensor(t)
                if x.firstStep <= index, index <= x.lastStep, x.arenaOffset < op.scratchOffset + op.scratchSize,
                   op.scratchOffset < x.arenaOffset + x.size {
                    fatalError("accepted .q8 whose scratch overlaps a live tensor")
                }
            }
        }
    }
    for a in 0..<model.tensorCount {
        for b in (a + 1)..<model.tensorCount {
            let x = model.tensor(a), y = model.tensor(b)
            if x.firstStep <= y.lastStep, y.firstStep <= x.lastStep,
               x.arenaOffset < y.arenaOffset + y.size, y.arenaOffset < x.arenaOffset + x.size {
                fatalError("accepted .q8 with live tensors overlapping")
            }
        }
    }
    _ = model.macs
    _ = model.arenaLowerBound
}
