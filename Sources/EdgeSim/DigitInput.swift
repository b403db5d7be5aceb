import DigitImage

/// Turns a user's PNG into the 28x28 image a digit model sees.
public enum DigitInput {
    /// Reads the PNG at `path` and prepares it: MNIST-style (invert dark-on-light, crop, fit 20x20, centre by
    /// mass) unless `raw`, which takes an already MNIST-like 28x28 image as it is.
    public static func load(path: String, raw: Bool) throws(EdgeSimError) -> GrayImage {
        let image: GrayImage
        do {
            image = try ImageFile.readPNG(path: path)
        } catch {
            throw EdgeSimError(error.description)
        }
        guard raw else { return DigitPreprocessor.mnistStyle(image) }
        do {
            return try DigitPreprocessor.raw(image)
        } catch {
            throw EdgeSimError(file: path, "\(error)")
        }
    }

    /// The model input for a prepared image: pixel / 255, row by row.
    public static func tensor(_ image: GrayImage) -> [Float] {
        DigitPreprocessor.modelInput(image)
    }
}
