/// Turns digit images into the 28x28 inputs of an MNIST model.
public enum DigitPreprocessor {
    /// Side of a model input.
    public static let side = 28
    /// Side of the box the digit is fitted into, as in MNIST.
    public static let box = 20
    /// Less contrast than this (0...255) between paper and ink is a blank image.
    static let minimumContrast: Float = 24
    /// Pixels at least half inked set the digit's box...
    static let boxThreshold: Float = 128
    /// ...less outer lines holding at most this share of the ink (specks of noise).
    static let boxNoise: Float = 0.005

    /// Prepares any image of one digit as MNIST itself was made: dark ink on light paper is inverted (ink white
    /// on black), the levels are stretched so paper is 0 and the strongest ink 255, the digit is cropped to its
    /// ink, fitted into 20x20 keeping its aspect ratio (area-averaged when shrunk, bilinear when grown), and
    /// placed in 28x28 with its centre of mass at pixel (14, 14). A blank image gives a black 28x28 image.
    public static func mnistStyle(_ image: GrayImage) -> GrayImage {
        let black = GrayImage(width: side, height: side)
        guard image.width > 0, image.height > 0 else { return black }
        // Dark ink is inverted, then paper goes to 0 and the strongest ink to 255: a grey page or faint pencil
        // looks like MNIST's black and white. One float image, however large the input.
        let dark = inkIsDark(image)
        let paper = median(border(of: image).map { Float(dark ? 255 - $0 : $0) })
        let peak = Float(dark ? 255 - (image.pixels.min() ?? 255) : (image.pixels.max() ?? 0))
        guard peak - paper >= minimumContrast else { return black }
        let gain = 255 / (peak - paper)
        let plane = InkPlane(width: image.width, height: image.height, values: image.pixels.map { pixel in
            min(255, max(0, (Float(dark ? 255 - pixel : pixel) - paper) * gain))
        })

        guard let box = plane.inkBox(threshold: boxThreshold, noise: boxNoise) else { return black }
        let digit = plane.cropped(xs: box.xs, ys: box.ys)
        let scale = Double(self.box) / Double(max(digit.width, digit.height))
        let width = min(self.box, max(1, Int((Double(digit.width) * scale).rounded())))
        let height = min(self.box, max(1, Int((Double(digit.height) * scale).rounded())))
        var fitted = digit.resized(width: width, height: height)
        // Thin strokes fade when shrunk; MNIST strokes peak at full ink.
        let fittedPeak = fitted.peak
        guard fittedPeak > 0, let mass = fitted.centreOfMass else { return black }
        if fittedPeak < 255 { fitted.values = fitted.values.map { $0 * 255 / fittedPeak } }

        // Whole-pixel shift putting the centre of mass at (14, 14), kept inside the frame.
        let centre = Float(side / 2)
        let left = min(max(Int((centre - mass.x).rounded()), 0), side - width)
        let top = min(max(Int((centre - mass.y).rounded()), 0), side - height)
        var pixels = [UInt8](repeating: 0, count: side * side)
        for y in 0..<height {
            for x in 0..<width {
                pixels[(top + y) * side + left + x] = UInt8(min(255, max(0, fitted.values[y * width + x].rounded())))
            }
        }
        return GrayImage(width: side, height: side, pixels: pixels) ?? black
    }

    /// Takes an image that is already MNIST-like (white digit on black, centred) as it is; it must be 28x28.
    public static func raw(_ image: GrayImage) throws(PreprocessError) -> GrayImage {
        guard image.width == side, image.height == side else {
            throw .wrongSize(width: image.width, height: image.height)
        }
        return image
    }

    /// Takes an already MNIST-like image as the input of a model of `shape`: one of exactly the model's height and
    /// width as it is; a 28x28 one through `DigitInputAdapter` (as MNIST itself is fed). Any other size is refused.
    public static func raw(_ image: GrayImage, for shape: DigitInputShape) throws(PreprocessError) -> GrayImage {
        if image.width == shape.width, image.height == shape.height { return image }
        guard image.width == side, image.height == side else {
            throw shape == .mnist ? .wrongSize(width: image.width, height: image.height)
                : .wrongSizeForModel(width: image.width, height: image.height, model: shape)
        }
        return DigitInputAdapter(shape: shape).image(image)
    }

    /// Prepares any image of one digit for a model of `shape`: `mnistStyle` (the digit fitted into 20x20 and centred
    /// by mass in 28x28), then `DigitInputAdapter`, so a PNG reaches the model exactly as an MNIST image does.
    public static func prepared(_ image: GrayImage, for shape: DigitInputShape) -> GrayImage {
        DigitInputAdapter(shape: shape).image(mnistStyle(image))
    }

    /// The model input for a prepared image: pixel / 255, row by row.
    public static func modelInput(_ image: GrayImage) -> [Float] {
        image.pixels.map { Float($0) / 255 }
    }

    /// Whether the ink is darker than the paper: the border (mostly paper) is nearer the light end of the
    /// image's range than the dark end.
    static func inkIsDark(_ image: GrayImage) -> Bool {
        guard let low = image.pixels.min(), let high = image.pixels.max() else { return false }
        return median(border(of: image).map(Float.init)) > (Float(low) + Float(high)) / 2
    }

    /// The pixels of the outermost ring, where the paper shows in a photo or scan of a digit.
    static func border(of image: GrayImage) -> [UInt8] {
        let width = image.width, height = image.height
        guard width > 0, height > 0 else { return [] }
        var ring: [UInt8] = []
        for x in 0..<width {
            ring.append(image[x: x, y: 0])
            if height > 1 { ring.append(image[x: x, y: height - 1]) }
        }
        for y in 1..<max(1, height - 1) {
            ring.append(image[x: 0, y: y])
            if width > 1 { ring.append(image[x: width - 1, y: y]) }
        }
        return ring
    }

    private static func median(_ values: [Float]) -> Float {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}
