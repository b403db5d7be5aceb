import DigitImage
import Testing

/// Broken, hostile and oversized PNGs: each is refused with the right error, quickly, and never crashes.
@Suite("PNG rejection")
struct PNGRejectTests {
    static let valid: [UInt8] = {
        let image = GrayImage(width: 40, height: 30, pixels: (0..<1200).map { UInt8($0 % 251) })!
        return (try? PNG.encode(image)) ?? []
    }()

    @Test func notAPNG() {
        for bytes: [UInt8] in [[], Array("hello, world".utf8), [0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70],
                               Array("GIF89a".utf8), [137, 80, 78, 71, 13, 10, 26, 11] + Array(Self.valid.dropFirst(8))] {
            #expect(throws: PNGError.notPNG) { try PNG.decode(bytes) }
        }
        #expect(PNGError.notPNG.description == "not a PNG file")
    }

    @Test func truncatedAnywhere() {
        #expect(!Self.valid.isEmpty)
        for length in [4, 8, 20, 33, 40, Self.valid.count / 2, Self.valid.count - 13, Self.valid.count - 1] {
            #expect(throws: PNGError.truncated, "cut at \(length) of \(Self.valid.count)") {
                try PNG.decode(Array(Self.valid.prefix(length)))
            }
        }
        #expect(PNGError.truncated.description == "truncated PNG data")
    }

    @Test func hugeDimensionsFailBeforeAnyAllocation() {
        let bytes = TestBytes.png(width: 100_000, height: 100_000, idat: TestBytes.zlib([0, 0, 0]))
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: PNGError.badDimensions(width: 100_000, height: 100_000, limit: 8192)) { try PNG.decode(bytes) }
        }
        #expect(elapsed < .seconds(1))
        #expect(PNGError.badDimensions(width: 100_000, height: 100_000, limit: 8192).description
            == "image is 100000x100000 pixels; width and height must be 1 to 8192")
    }

    @Test func oneSideTooLarge() {
        let bytes = TestBytes.png(width: 8193, height: 1, idat: TestBytes.zlib([0, 0]))
        #expect(throws: PNGError.badDimensions(width: 8193, height: 1, limit: 8192)) { try PNG.decode(bytes) }
    }

    @Test func zeroDimension() {
        #expect(throws: PNGError.badDimensions(width: 0, height: 10, limit: 8192)) {
            try PNG.decode(TestBytes.png(width: 0, height: 10, idat: TestBytes.zlib([])))
        }
        #expect(throws: PNGError.badDimensions(width: 10, height: 0, limit: 8192)) {
            try PNG.decode(TestBytes.png(width: 10, height: 0, idat: TestBytes.zlib([])))
        }
    }

    @Test(arguments: ["IHDR", "IDAT", "IEND"])
    func badCRC(chunk: String) throws {
        var bytes = Self.valid
        let found = try #require(TestBytes.chunks(of: bytes).first { $0.type == chunk })
        bytes[found.offset + 8 + found.length] ^= 0x55
        #expect {
            try PNG.decode(bytes)
        } throws: { error in
            guard case let .corrupt(reason) = error as? PNGError else { return false }
            return reason.contains("CRC")
        }
    }

    @Test func badCRCOnAnAncillaryChunkIsIgnored() throws {
        // PNG's rules: a damaged optional chunk is skipped, the image still decodes.
        var text = TestBytes.chunk("tEXt", Array("Comment\0hello".utf8))
        text[text.count - 1] ^= 0xff
        let bytes = Array(Self.valid.prefix(33)) + text + Array(Self.valid.dropFirst(33))
        #expect(try PNG.decode(bytes) == PNG.decode(Self.valid))
    }

    @Test func claimedSizeBeyondTheLimitIsRefusedBeforeInflating() {
        // 8192x8192 RGBA at 16 bits would inflate to 512 MiB; the IDAT here is a few bytes.
        let bytes = TestBytes.png(width: 8192, height: 8192, depth: 16, colorType: 6, idat: TestBytes.zlib([0, 0, 0, 0]))
        #expect(bytes.count < 100)
        #expect {
            try PNG.decode(bytes)
        } throws: { error in
            guard case let .tooLarge(width, height, needed, limit) = error as? PNGError else { return false }
            return width == 8192 && height == 8192 && needed > 512 << 20 && limit == PNGLimits.standard.maxDecodedBytes
        }
    }

    @Test func decompressionBomb() throws {
        // A real 2048x2048 all-black image: 4 MiB of pixels in a few kilobytes, over a 1 MiB limit.
        let bomb = try PNG.encode(GrayImage(width: 2048, height: 2048))
        #expect(bomb.count < 16 * 1024)
        let limits = PNGLimits(maxDimension: 8192, maxDecodedBytes: 1 << 20)
        #expect {
            try PNG.decode(bomb, limits: limits)
        } throws: { error in
            guard case let .tooLarge(_, _, needed, limit) = error as? PNGError else { return false }
            return needed >= 2048 * 2048 && limit == 1 << 20
        }
        #expect(try PNG.decode(bomb).pixels.count == 2048 * 2048, "within the standard limit it decodes")
    }

    @Test func tooLittleImageData() {
        // A valid zlib stream holding one row of a 4-row image.
        let bytes = TestBytes.png(width: 4, height: 4, idat: TestBytes.zlib([0, 1, 2, 3, 4]))
        #expect(throws: PNGError.self) { try PNG.decode(bytes) }
    }

    @Test func firstChunkNotIHDR() {
        let bytes = TestBytes.signature + TestBytes.chunk("IDAT", TestBytes.zlib([0])) + TestBytes.chunk("IEND", [])
        #expect(throws: PNGError.corrupt(reason: "the first chunk is not a 13-byte IHDR")) { try PNG.decode(bytes) }
    }

    @Test func invalidBitDepthForColourType() {
        let bytes = TestBytes.png(width: 2, height: 2, depth: 4, colorType: 2, idat: TestBytes.zlib([0, 0, 0]))
        #expect(throws: PNGError.self) { try PNG.decode(bytes) }
    }

    /// What decoding a damaged PNG must give.
    enum Outcome: Equatable, CustomStringConvertible {
        /// The original image, unchanged (the damage was in a chunk a decoder may skip).
        case original
        case error(PNGError)
        /// `.corrupt` with a reason naming a CRC.
        case crcError
        /// `.corrupt` for any reason: damaged image data fails in the inflater (or, if it still inflates, at
        /// the chunk's CRC, which libpng checks after the data).
        case corrupt
        /// `.corrupt` for any reason, or `.truncated`: a damaged chunk length sends the parser to a place that
        /// depends on the new length.
        case corruptOrTruncated

        var description: String {
            switch self {
            case .original: "the original image"
            case let .error(error): "\(error)"
            case .crcError: "a CRC error"
            case .corrupt: "corrupt"
            case .corruptOrTruncated: "corrupt or truncated"
            }
        }

        func accepts(_ result: Result<GrayImage, PNGError>, original: GrayImage) -> Bool {
            switch (self, result) {
            case let (.original, .success(image)): image == original
            case let (.error(expected), .failure(error)): error == expected
            case let (.crcError, .failure(.corrupt(reason))): reason.contains("CRC")
            case (.corrupt, .failure(.corrupt)): true
            case (.corruptOrTruncated, .failure(.corrupt)), (.corruptOrTruncated, .failure(.truncated)): true
            default: false
            }
        }
    }

    /// The valid image with an ancillary tEXt chunk after IHDR: signature, IHDR, tEXt, IDAT, IEND.
    static let withText: [UInt8] = {
        Array(valid.prefix(33)) + TestBytes.chunk("tEXt", Array("Comment\0some words".utf8)) + Array(valid.dropFirst(33))
    }()

    /// The outcome the changed byte at `offset` of `bytes` (otherwise `withText`) must have, from where it landed.
    static func expected(offset: Int, in bytes: [UInt8]) -> Outcome {
        if offset < 8 { return .error(.notPNG) }
        let chunk = TestBytes.chunks(of: withText).last { $0.offset <= offset }!
        let at = offset - chunk.offset // 0-3 length, 4-7 type, then data, then 4 bytes of CRC
        if chunk.type == "IHDR" {
            if at < 8 { return .error(.corrupt(reason: "the first chunk is not a 13-byte IHDR")) }
            if (8..<16).contains(at) {
                let field = { (start: Int) in Int(bytes[(start)..<(start + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }) }
                let width = field(16), height = field(20)
                if width == 0 || height == 0 || width > 8192 || height > 8192 {
                    return .error(.badDimensions(width: width, height: height, limit: 8192))
                }
            }
            return .crcError
        }
        if at < 4 { return .corruptOrTruncated }
        if at < 8 {
            // A new type: tEXt stays skippable when it is still an ancillary name of letters; IDAT or IEND renamed
            // leaves the image without its data or its end.
            let type = bytes[(chunk.offset + 4)..<(chunk.offset + 8)]
            let letters = type.allSatisfy { (65...90).contains($0) || (97...122).contains($0) }
            if chunk.type == "tEXt" && letters && type.first! & 0x20 != 0 { return .original }
            return .corruptOrTruncated
        }
        if chunk.type == "tEXt" { return .original }
        return chunk.type == "IDAT" && at < 8 + chunk.length ? .corrupt : .crcError
    }

    /// One byte changed anywhere in a valid PNG, 600 times: each outcome is the one the damaged place implies
    /// (signature: not a PNG; IHDR's length or type: not an IHDR; its width or height out of range: that
    /// dimension error; other IHDR bytes: a CRC error; the optional tEXt's data or CRC, or its type still an
    /// ancillary name: the image decodes, unchanged; IDAT data: corrupt; IDAT's CRC or IEND: a CRC error;
    /// any length, or a critical type renamed: corrupt or truncated). Never a crash, never another error.
    @Test func randomDamageHasThePredictedOutcome() throws {
        let original = try PNG.decode(Self.valid)
        #expect(try PNG.decode(Self.withText) == original)
        var random: UInt64 = 7
        func next() -> Int {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(random >> 33)
        }
        var seen: [String: Int] = [:]
        for _ in 0..<600 {
            var bytes = Self.withText
            let offset = next() % bytes.count
            bytes[offset] ^= UInt8(next() % 255 + 1)
            let outcome = Self.expected(offset: offset, in: bytes)
            let result = Result { () throws(PNGError) in try PNG.decode(bytes) }
            let accepted = outcome.accepts(result, original: original)
            #expect(accepted, "byte \(offset) -> \(bytes[offset]): expected \(outcome), got \(result.map { "\($0.width)x\($0.height) image" })")
            if case .error(.badDimensions) = outcome { seen["bad dimensions", default: 0] += 1 } else { seen[outcome.description, default: 0] += 1 }
        }
        // Every kind of place was hit (when written: 245 image data, 89 CRC, 86 length or type, 92 harmless,
        // 36 IHDR length or type, 30 signature, 22 dimensions).
        #expect(seen.count == 7, "\(seen)")
    }

    /// Damage that keeps every CRC right, so it reaches the inflater: bytes changed inside the IDAT's zlib
    /// stream, the CRC recomputed. Each result is a zlib/libpng error or a 40x30 image, never anything else.
    @Test func damagedImageDataWithGoodCRC() throws {
        let idat = try #require(TestBytes.chunks(of: Self.valid).first { $0.type == "IDAT" })
        var random: UInt64 = 11, errors = 0, images = 0
        func next() -> Int {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(random >> 33)
        }
        for _ in 0..<300 {
            var bytes = Self.valid
            for _ in 0..<(next() % 3 + 1) { bytes[idat.offset + 8 + next() % idat.length] ^= UInt8(next() % 255 + 1) }
            let crc = TestBytes.crc32(bytes[(idat.offset + 4)..<(idat.offset + 8 + idat.length)])
            bytes.replaceSubrange((idat.offset + 8 + idat.length)..<(idat.offset + 12 + idat.length), with: TestBytes.bigEndian(crc))
            switch Result(catching: { () throws(PNGError) in try PNG.decode(bytes) }) {
            case let .success(image):
                #expect(image.width == 40 && image.height == 30)
                images += 1
            case let .failure(error):
                guard case let .corrupt(reason) = error else {
                    Issue.record("expected a corrupt-data error, got \(error)")
                    continue
                }
                #expect(!reason.contains("CRC"), "the CRC was made right: \(reason)")
                errors += 1
            }
        }
        // When written: 296 inflate or filter errors, 4 images (damage in the Adler-32 after the last row).
        #expect(errors > 0 && images > 0)
    }
}
