import DigitImage
import Testing

@Suite("PNG encoding")
struct PNGEncodeTests {
    @Test func grayRoundTrip() throws {
        let image = try #require(GrayImage(width: 37, height: 23, pixels: (0..<(37 * 23)).map { UInt8($0 * 7 % 256) }))
        let bytes = try PNG.encode(image)
        #expect(Array(bytes.prefix(8)) == TestBytes.signature)
        #expect(try PNG.decode(bytes) == image)
    }

    @Test func onePixel() throws {
        let image = GrayImage(width: 1, height: 1, value: 200)
        #expect(try PNG.decode(PNG.encode(image)) == image)
    }

    @Test func emptyImageIsRefused() {
        #expect(throws: PNGError.self) { try PNG.encode(GrayImage(width: 0, height: 5)) }
    }

    @Test func inconsistentRawImagesAreRefused() {
        let bad: [PNGRawImage] = [
            PNGRawImage(width: 2, height: 2, colorType: .gray, bitDepth: 8, samples: [1, 2, 3]),
            PNGRawImage(width: 2, height: 1, colorType: .gray, bitDepth: 2, samples: [1, 4]),
            PNGRawImage(width: 1, height: 1, colorType: .rgb, bitDepth: 4, samples: [1, 1, 1]),
            PNGRawImage(width: 1, height: 1, colorType: .palette, bitDepth: 8, samples: [0]),
            PNGRawImage(width: 1, height: 1, colorType: .palette, bitDepth: 1, samples: [0], palette: [(0, 0, 0), (1, 1, 1), (2, 2, 2)]),
            PNGRawImage(width: 2, height: 1, colorType: .palette, bitDepth: 8, samples: [0, 1], palette: [(0, 0, 0)]),
            PNGRawImage(width: 1, height: 1, colorType: .palette, bitDepth: 8, samples: [0], palette: [(0, 0, 0)], paletteAlpha: [0, 0]),
            PNGRawImage(width: 1, height: 1, colorType: .rgba, bitDepth: 8, samples: [0, 0, 0, 0], transparentColor: [0]),
            PNGRawImage(width: 1, height: 1, colorType: .gray, bitDepth: 8, samples: [0], paletteAlpha: [0]),
        ]
        for raw in bad {
            #expect(throws: PNGError.self, "\(raw.colorType) \(raw.bitDepth)") { try PNG.encode(raw: raw) }
        }
    }

    @Test func errorDescriptionsAreOneLine() {
        let errors: [PNGError] = [.notPNG, .truncated, .badDimensions(width: 0, height: 1, limit: 8192),
                                  .tooLarge(width: 1, height: 2, bytes: 3, limit: 4), .corrupt(reason: "IDAT: CRC error"),
                                  .invalidImage(reason: "x"), .outOfMemory]
        for error in errors {
            #expect(!error.description.isEmpty && !error.description.contains("\n"))
        }
        #expect(PNGError.corrupt(reason: "IDAT: CRC error").description == "corrupt PNG data (IDAT: CRC error)")
    }
}
