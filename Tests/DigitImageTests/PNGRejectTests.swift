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

    @Test func randomDamageNeverCrashes() {
        // Flip bytes all over a valid PNG: every result is an image or a PNGError, never a trap or a hang.
        var state: UInt32 = 7
        for _ in 0..<300 {
            var bytes = Self.valid
            for _ in 0..<3 {
                state = state &* 1_664_525 &+ 1_013_904_223
                bytes[Int(state >> 8) % bytes.count] ^= UInt8(truncatingIfNeeded: state | 1)
            }
            _ = try? PNG.decode(bytes)
        }
    }
}
