import CPNG

/// PNG decoding to gray and encoding, through libpng.
public enum PNG {
    /// Decodes any PNG (every colour type and bit depth, interlaced or not) to 8-bit gray.
    ///
    /// Transparent pixels are composited onto white; colour becomes gray by the ITU-R BT.601 luma weights
    /// 0.299 R + 0.587 G + 0.114 B; 16-bit samples are scaled to 8 bits. The header is checked against `limits`
    /// before anything is allocated or inflated.
    public static func decode(_ bytes: [UInt8], limits: PNGLimits = .standard) throws(PNGError) -> GrayImage {
        let maxDimension = UInt32(clamping: max(0, limits.maxDimension))
        let maxBytes = UInt64(clamping: max(0, limits.maxDecodedBytes))
        let result = bytes.withUnsafeBufferPointer { buffer in
            cpng_decode_gray8(buffer.baseAddress, buffer.count, maxDimension, maxBytes)
        }
        defer { cpng_free(result.data) }
        try check(result, limits: limits)
        let width = Int(result.width), height = Int(result.height)
        guard let data = result.data, result.size == width * height,
              let image = GrayImage(width: width, height: height, pixels: Array(UnsafeBufferPointer(start: data, count: result.size)))
        else { throw .corrupt(reason: "the decoder returned no image") }
        return image
    }

    /// Encodes `image` as an 8-bit gray, non-interlaced PNG.
    public static func encode(_ image: GrayImage) throws(PNGError) -> [UInt8] {
        try encode(raw: PNGRawImage(width: image.width, height: image.height, colorType: .gray, bitDepth: 8,
                                    samples: image.pixels.map(UInt16.init)))
    }

    /// Encodes an image of any colour type, bit depth and interlacing.
    public static func encode(raw image: PNGRawImage) throws(PNGError) -> [UInt8] {
        let rows = try image.packedRows()
        var palette = image.palette.flatMap { [$0.red, $0.green, $0.blue] }
        var alpha = image.paletteAlpha
        let transparent = image.transparentColor ?? []
        if image.colorType == .palette {
            guard !palette.isEmpty, image.palette.count <= 1 << image.bitDepth else {
                throw .invalidImage(reason: "a \(image.bitDepth)-bit palette image needs 1 to \(1 << image.bitDepth) palette entries, not \(image.palette.count)")
            }
            if let bad = image.samples.firstIndex(where: { Int($0) >= image.palette.count }) {
                throw .invalidImage(reason: "palette index \(image.samples[bad]) at sample \(bad) is past the \(image.palette.count) entries")
            }
        }
        if image.transparentColor != nil {
            let wanted = image.colorType == .gray ? 1 : image.colorType == .rgb ? 3 : 0
            guard wanted > 0, transparent.count == wanted else {
                throw .invalidImage(reason: "a transparent colour needs a gray or RGB image and 1 or 3 samples")
            }
        }
        let result = rows.withUnsafeBufferPointer { rowBuffer in
            palette.withUnsafeMutableBufferPointer { paletteBuffer in
                alpha.withUnsafeMutableBufferPointer { alphaBuffer in
                    var options = cpng_encode_options()
                    options.width = UInt32(clamping: image.width)
                    options.height = UInt32(clamping: image.height)
                    options.color_type = Int32(image.colorType.rawValue)
                    options.bit_depth = Int32(image.bitDepth)
                    options.interlaced = image.interlaced ? 1 : 0
                    options.palette = UnsafePointer(paletteBuffer.baseAddress)
                    options.palette_count = Int32(clamping: image.palette.count)
                    options.trans_alpha = UnsafePointer(alphaBuffer.baseAddress)
                    options.trans_count = Int32(clamping: alphaBuffer.count)
                    if !transparent.isEmpty {
                        options.has_trans_color = 1
                        options.trans_gray = transparent[0]
                        if transparent.count == 3 {
                            options.trans_red = transparent[0]
                            options.trans_green = transparent[1]
                            options.trans_blue = transparent[2]
                        }
                    }
                    return cpng_encode(rowBuffer.baseAddress, rowBuffer.count, &options)
                }
            }
        }
        defer { cpng_free(result.data) }
        try check(result, limits: .standard)
        guard let data = result.data else { throw .corrupt(reason: "the encoder returned no data") }
        return Array(UnsafeBufferPointer(start: data, count: result.size))
    }

    /// Turns a failed cpng_result into its PNGError.
    private static func check(_ result: cpng_result, limits: PNGLimits) throws(PNGError) {
        let message = CPNGMessage.text(of: result)
        switch result.code {
        case Int32(CPNG_OK.rawValue): return
        case Int32(CPNG_NOT_PNG.rawValue): throw .notPNG
        case Int32(CPNG_TRUNCATED.rawValue): throw .truncated
        case Int32(CPNG_BAD_DIMENSIONS.rawValue):
            throw .badDimensions(width: Int(result.width), height: Int(result.height), limit: limits.maxDimension)
        case Int32(CPNG_TOO_LARGE.rawValue):
            throw .tooLarge(width: Int(result.width), height: Int(result.height),
                            bytes: Int(clamping: result.needed), limit: limits.maxDecodedBytes)
        case Int32(CPNG_NO_MEMORY.rawValue): throw .outOfMemory
        case Int32(CPNG_INVALID_ARGUMENT.rawValue): throw .invalidImage(reason: message)
        default: throw .corrupt(reason: message)
        }
    }
}
