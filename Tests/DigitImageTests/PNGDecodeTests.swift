import DigitImage
import Testing

/// Every colour type and bit depth, built in memory with the encoder and decoded back to gray.
@Suite("PNG decoding")
struct PNGDecodeTests {
    /// A deterministic spread of samples below `1 << depth` (multiples of 257 at 16 bits, so 8-bit values are exact).
    static func samples(count: Int, depth: Int, seed: Int = 1) -> [UInt16] {
        var state = UInt32(truncatingIfNeeded: seed &* 2_654_435_761 &+ 12345)
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            let top = state >> 8
            return depth == 16 ? UInt16(top % 256) * 257 : UInt16(top % UInt32(1 << depth))
        }
    }

    static func check(_ raw: PNGRawImage) throws {
        let decoded = try PNG.decode(try PNG.encode(raw: raw))
        #expect(decoded.width == raw.width && decoded.height == raw.height)
        #expect(decoded.pixels == GrayReference.expected(raw), "\(raw.colorType) \(raw.bitDepth)-bit interlaced: \(raw.interlaced)")
    }

    @Test(arguments: [1, 2, 4, 8, 16], [false, true])
    func gray(depth: Int, interlaced: Bool) throws {
        let raw = PNGRawImage(width: 13, height: 11, colorType: .gray, bitDepth: depth,
                              samples: Self.samples(count: 13 * 11, depth: depth), interlaced: interlaced)
        try Self.check(raw)
    }

    @Test func lowBitGrayIsStretchedToFullRange() throws {
        let one = try PNG.decode(PNG.encode(raw: PNGRawImage(width: 2, height: 1, colorType: .gray, bitDepth: 1, samples: [0, 1])))
        #expect(one.pixels == [0, 255])
        let two = try PNG.decode(PNG.encode(raw: PNGRawImage(width: 4, height: 1, colorType: .gray, bitDepth: 2, samples: [0, 1, 2, 3])))
        #expect(two.pixels == [0, 85, 170, 255])
        let four = try PNG.decode(PNG.encode(raw: PNGRawImage(width: 3, height: 1, colorType: .gray, bitDepth: 4, samples: [0, 7, 15])))
        #expect(four.pixels == [0, 119, 255])
        let sixteen = try PNG.decode(PNG.encode(raw: PNGRawImage(width: 3, height: 1, colorType: .gray, bitDepth: 16,
                                                                 samples: [0, 100 * 257 + 100, 65535])))
        #expect(sixteen.pixels == [0, 100, 255], "16-bit samples are scaled, not truncated")
    }

    @Test(arguments: [8, 16], [false, true])
    func grayAlpha(depth: Int, interlaced: Bool) throws {
        try Self.check(PNGRawImage(width: 9, height: 10, colorType: .grayAlpha, bitDepth: depth,
                                   samples: Self.samples(count: 9 * 10 * 2, depth: depth, seed: 2), interlaced: interlaced))
    }

    @Test(arguments: [8, 16], [false, true])
    func rgb(depth: Int, interlaced: Bool) throws {
        try Self.check(PNGRawImage(width: 17, height: 5, colorType: .rgb, bitDepth: depth,
                                   samples: Self.samples(count: 17 * 5 * 3, depth: depth, seed: 3), interlaced: interlaced))
    }

    @Test(arguments: [8, 16], [false, true])
    func rgba(depth: Int, interlaced: Bool) throws {
        try Self.check(PNGRawImage(width: 8, height: 9, colorType: .rgba, bitDepth: depth,
                                   samples: Self.samples(count: 8 * 9 * 4, depth: depth, seed: 4), interlaced: interlaced))
    }

    @Test func lumaWeightsAndWhiteCompositing() throws {
        // Pure red, green, blue, white, black, then black at alpha 0, 128 and 255.
        let rgb = PNGRawImage(width: 5, height: 1, colorType: .rgb, bitDepth: 8,
                              samples: [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0])
        #expect(try PNG.decode(PNG.encode(raw: rgb)).pixels == [76, 150, 29, 255, 0])
        let rgba = PNGRawImage(width: 3, height: 1, colorType: .rgba, bitDepth: 8,
                               samples: [0, 0, 0, 0, 0, 0, 0, 128, 0, 0, 0, 255])
        #expect(try PNG.decode(PNG.encode(raw: rgba)).pixels == [255, 127, 0])
        let grayAlpha = PNGRawImage(width: 2, height: 1, colorType: .grayAlpha, bitDepth: 16, samples: [0, 0, 65535, 0])
        #expect(try PNG.decode(PNG.encode(raw: grayAlpha)).pixels == [255, 255], "transparent black is white paper")
    }

    @Test(arguments: [1, 2, 4, 8], [false, true])
    func palette(depth: Int, interlaced: Bool) throws {
        let entries = 1 << depth
        let palette: [PNGRawImage.RGB] = (0..<entries).map { (i: Int) -> PNGRawImage.RGB in
            let red = UInt8(i * 37 % 256), green = UInt8(255 - i % 256), blue = UInt8(i * 91 % 256)
            return (red, green, blue)
        }
        try Self.check(PNGRawImage(width: 11, height: 7, colorType: .palette, bitDepth: depth,
                                   samples: Self.samples(count: 11 * 7, depth: depth, seed: 5), interlaced: interlaced,
                                   palette: palette))
    }

    @Test(arguments: [false, true])
    func paletteWithTRNS(interlaced: Bool) throws {
        // Entry 0 transparent, 1 half, 2 opaque, 3 has no tRNS entry (opaque).
        let raw = PNGRawImage(width: 4, height: 2, colorType: .palette, bitDepth: 2, samples: [0, 1, 2, 3, 3, 2, 1, 0],
                              interlaced: interlaced, palette: [(0, 0, 0), (0, 0, 0), (200, 10, 10), (0, 0, 255)],
                              paletteAlpha: [0, 128, 255])
        let decoded = try PNG.decode(PNG.encode(raw: raw))
        #expect(decoded.pixels == [255, 127, 67, 29, 29, 67, 127, 255])
        #expect(decoded.pixels == GrayReference.expected(raw))
    }

    @Test func grayAndRGBWithTransparentColour() throws {
        let gray = PNGRawImage(width: 3, height: 1, colorType: .gray, bitDepth: 4, samples: [0, 5, 15], transparentColor: [5])
        #expect(try PNG.decode(PNG.encode(raw: gray)).pixels == [0, 255, 255])
        let rgb = PNGRawImage(width: 2, height: 1, colorType: .rgb, bitDepth: 16,
                              samples: [0, 0, 0, 257, 514, 771], transparentColor: [257, 514, 771])
        #expect(try PNG.decode(PNG.encode(raw: rgb)).pixels == [0, 255])
    }

    @Test func interlacedMatchesNonInterlacedOnOddSizes() throws {
        // Sizes where some Adam7 passes are empty.
        for (width, height) in [(1, 1), (2, 3), (5, 1), (1, 9), (33, 17)] {
            let samples = Self.samples(count: width * height * 3, depth: 8, seed: width * 100 + height)
            let flat = try PNG.decode(PNG.encode(raw: PNGRawImage(width: width, height: height, colorType: .rgb, bitDepth: 8, samples: samples)))
            let laced = try PNG.decode(PNG.encode(raw: PNGRawImage(width: width, height: height, colorType: .rgb, bitDepth: 8,
                                                                   samples: samples, interlaced: true)))
            #expect(flat == laced, "\(width)x\(height)")
        }
    }
}
