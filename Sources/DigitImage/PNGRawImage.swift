/// An image in any PNG colour type and bit depth, given as unpacked samples, for `PNG.encode(raw:)`.
///
/// Lets tests build every kind of PNG in memory, and callers write colour or high-depth images.
public struct PNGRawImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var colorType: PNGColorType
    /// 1, 2, 4, 8 or 16, as `colorType` allows.
    public var bitDepth: Int
    /// `width * height * colorType.channels` samples, row-major with the channels of a pixel together
    /// (palette: indices). Each below `1 << bitDepth`.
    public var samples: [UInt16]
    /// Write Adam7 interlaced.
    public var interlaced: Bool
    /// Palette images: the colours, as (red, green, blue).
    public var palette: [RGB]
    /// Palette images: alpha of the first entries (a tRNS chunk); empty for none.
    public var paletteAlpha: [UInt8]
    /// Gray or RGB images: one fully transparent colour (a tRNS chunk), 1 or 3 samples.
    public var transparentColor: [UInt16]?

    /// A palette colour.
    public typealias RGB = (red: UInt8, green: UInt8, blue: UInt8)

    public init(width: Int, height: Int, colorType: PNGColorType, bitDepth: Int, samples: [UInt16],
                interlaced: Bool = false, palette: [RGB] = [], paletteAlpha: [UInt8] = [],
                transparentColor: [UInt16]? = nil) {
        self.width = width
        self.height = height
        self.colorType = colorType
        self.bitDepth = bitDepth
        self.samples = samples
        self.interlaced = interlaced
        self.palette = palette
        self.paletteAlpha = paletteAlpha
        self.transparentColor = transparentColor
    }

    public static func == (lhs: PNGRawImage, rhs: PNGRawImage) -> Bool {
        lhs.width == rhs.width && lhs.height == rhs.height && lhs.colorType == rhs.colorType
            && lhs.bitDepth == rhs.bitDepth && lhs.samples == rhs.samples && lhs.interlaced == rhs.interlaced
            && lhs.palette.elementsEqual(rhs.palette, by: { $0 == $1 }) && lhs.paletteAlpha == rhs.paletteAlpha
            && lhs.transparentColor == rhs.transparentColor
    }

    /// The rows in PNG's own layout: samples packed most significant bits first below 8 bits, big-endian at 16.
    func packedRows() throws(PNGError) -> [UInt8] {
        guard width > 0, height > 0, width <= 1_000_000, height <= 1_000_000 else {
            throw .invalidImage(reason: "a \(width)x\(height) image cannot be written")
        }
        guard colorType.bitDepths.contains(bitDepth) else {
            throw .invalidImage(reason: "bit depth \(bitDepth) is not allowed for \(colorType)")
        }
        let perRow = width * colorType.channels
        guard samples.count == perRow * height else {
            throw .invalidImage(reason: "\(samples.count) samples given; \(width)x\(height) \(colorType) needs \(perRow * height)")
        }
        let limit = 1 << bitDepth
        if let bad = samples.firstIndex(where: { Int($0) >= limit }) {
            throw .invalidImage(reason: "sample \(samples[bad]) at index \(bad) does not fit in \(bitDepth) bits")
        }
        let rowBytes = (perRow * bitDepth + 7) / 8
        var rows = [UInt8](repeating: 0, count: rowBytes * height)
        for y in 0..<height {
            let row = y * rowBytes, first = y * perRow
            switch bitDepth {
            case 16:
                for i in 0..<perRow {
                    rows[row + 2 * i] = UInt8(samples[first + i] >> 8)
                    rows[row + 2 * i + 1] = UInt8(samples[first + i] & 0xff)
                }
            case 8:
                for i in 0..<perRow { rows[row + i] = UInt8(samples[first + i]) }
            default:
                let perByte = 8 / bitDepth
                for i in 0..<perRow {
                    let shift = 8 - bitDepth * (i % perByte + 1)
                    rows[row + i / perByte] |= UInt8(samples[first + i]) << shift
                }
            }
        }
        return rows
    }
}
