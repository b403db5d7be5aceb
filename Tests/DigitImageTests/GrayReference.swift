import DigitImage

/// What the decoder should make of a raw image, computed independently of libpng: samples to 8 bits, luma
/// 0.299/0.587/0.114 rounded, alpha composited onto white.
enum GrayReference {
    static func to8(_ sample: UInt16, depth: Int) -> Int {
        switch depth {
        case 16: Int(sample) / 257 // tests use multiples of 257 at 16 bits
        case 8: Int(sample)
        default: Int(sample) * 255 / ((1 << depth) - 1)
        }
    }

    static func gray(red: Int, green: Int, blue: Int, alpha: Int) -> UInt8 {
        let luma = (299 * red + 587 * green + 114 * blue + 500) / 1000
        return UInt8((luma * alpha + 255 * (255 - alpha) + 127) / 255)
    }

    static func expected(_ raw: PNGRawImage) -> [UInt8] {
        let channels = raw.colorType.channels
        return (0..<(raw.width * raw.height)).map { pixel in
            let s = Array(raw.samples[(pixel * channels)..<((pixel + 1) * channels)])
            let v = s.map { to8($0, depth: raw.bitDepth) }
            let transparent = raw.transparentColor.map { $0 == s } ?? false
            switch raw.colorType {
            case .gray: return gray(red: v[0], green: v[0], blue: v[0], alpha: transparent ? 0 : 255)
            case .grayAlpha: return gray(red: v[0], green: v[0], blue: v[0], alpha: v[1])
            case .rgb: return gray(red: v[0], green: v[1], blue: v[2], alpha: transparent ? 0 : 255)
            case .rgba: return gray(red: v[0], green: v[1], blue: v[2], alpha: v[3])
            case .palette:
                let entry = raw.palette[Int(s[0])]
                let alpha = Int(s[0]) < raw.paletteAlpha.count ? Int(raw.paletteAlpha[Int(s[0])]) : 255
                return gray(red: Int(entry.red), green: Int(entry.green), blue: Int(entry.blue), alpha: alpha)
            }
        }
    }
}
