// libFuzzer target: the .q8 loader (full validation), then one inference in an arena of exactly the size the
// model asks for, bounded by guard bytes that must survive. Built with the Int8Runtime sources as one module.

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
    guard model.arenaSize <= 1 << 22 else { return 0 }
    // AddressSanitizer catches any read or write outside the exact arena allocation.
    let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.arenaSize, 1), alignment: 16)
    defer { arena.deallocate() }
    let exact = UnsafeMutableRawBufferPointer(rebasing: arena[0..<model.arenaSize])
    for i in 0..<exact.count { exact[i] = UInt8(truncatingIfNeeded: i &* 7) }
    try? Int8Interpreter.invoke(model, arena: exact)
    return 0
}
