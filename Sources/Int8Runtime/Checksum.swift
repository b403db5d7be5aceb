/// CRC-32 (IEEE, as zlib) with a 16-entry table: small enough for flash, no heap, ~2 table steps per byte.
public enum Checksum {
    private static let table: InlineArray<16, UInt32> = [
        0x0000_0000, 0x1DB7_1064, 0x3B6E_20C8, 0x26D9_30AC, 0x76DC_4190, 0x6B6B_51F4, 0x4DB2_6158, 0x5005_713C,
        0xEDB8_8320, 0xF00F_9344, 0xD6D6_A3E8, 0xCB61_B38C, 0x9B64_C2B0, 0x86D3_D2D4, 0xA00A_E278, 0xBDBD_F21C,
    ]

    /// The CRC-32 of `bytes`.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            crc = (crc >> 4) ^ table[Int(crc & 0xF)]
            crc = (crc >> 4) ^ table[Int(crc & 0xF)]
        }
        return ~crc
    }
}
