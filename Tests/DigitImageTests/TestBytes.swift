/// Hand-built PNG, zlib, gzip and IDX bytes, for inputs the encoder would never write.
enum TestBytes {
    static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        bigEndian(value).reversed()
    }

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var c: UInt32 = 0xffff_ffff
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xffff_ffff
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    /// A deflate stream of stored (uncompressed) blocks.
    static func storedDeflate(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let end = min(data.count, start + 65535)
            let length = UInt16(end - start)
            out.append(end == data.count ? 1 : 0)
            out += [UInt8(length & 0xff), UInt8(length >> 8), UInt8(~length & 0xff), UInt8(~length >> 8)]
            out += data[start..<end]
            start = end
        } while start < data.count
        return out
    }

    static func zlib(_ data: [UInt8]) -> [UInt8] {
        [0x78, 0x01] + storedDeflate(data) + bigEndian(adler32(data))
    }

    static func gzip(_ data: [UInt8]) -> [UInt8] {
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255] + storedDeflate(data) + littleEndian(crc32(data))
            + littleEndian(UInt32(truncatingIfNeeded: data.count))
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    static func ihdr(width: UInt32, height: UInt32, depth: UInt8 = 8, colorType: UInt8 = 0, interlace: UInt8 = 0) -> [UInt8] {
        chunk("IHDR", bigEndian(width) + bigEndian(height) + [depth, colorType, 0, 0, interlace])
    }

    /// A PNG with the given header and one IDAT of `idat` (already zlib data).
    static func png(width: UInt32, height: UInt32, depth: UInt8 = 8, colorType: UInt8 = 0, idat: [UInt8]) -> [UInt8] {
        signature + ihdr(width: width, height: height, depth: depth, colorType: colorType) + chunk("IDAT", idat)
            + chunk("IEND", [])
    }

    /// Offsets of each chunk: where its length field starts, and its data length.
    static func chunks(of png: [UInt8]) -> [(type: String, offset: Int, length: Int)] {
        var found: [(type: String, offset: Int, length: Int)] = []
        var offset = 8
        while offset + 12 <= png.count {
            let length = Int(png[offset..<(offset + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
            found.append((type, offset, length))
            offset += 12 + length
        }
        return found
    }

    /// An IDX file: magic, dimensions, then the payload.
    static func idx(magic: UInt32, dimensions: [UInt32], payload: [UInt8]) -> [UInt8] {
        bigEndian(magic) + dimensions.flatMap(bigEndian) + payload
    }
}
