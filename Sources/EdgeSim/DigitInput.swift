import DigitImage

/// Turns a user's PNG into the image a digit model sees, at the model's input shape.
public enum DigitInput {
    /// Reads the PNG at `path` and prepares it for a model of `shape`: MNIST-style (invert dark-on-light, crop, fit
    /// 20x20, centre by mass in 28x28), then brought to the model's shape as MNIST is (`DigitInputAdapter`: padded
    /// or resized). With `raw`, an already MNIST-like image is taken as it is when it has the model's height and
    /// width, or adapted when it is 28x28.
    public static func load(path: String, raw: Bool, shape: DigitInputShape = .mnist) throws(EdgeSimError) -> GrayImage {
        let image: GrayImage
        do {
            image = try ImageFile.readPNG(path: path)
        } catch {
            throw EdgeSimError(error.description)
        }
        guard raw else { return DigitPreprocessor.prepared(image, for: shape) }
        do {
            return try DigitPreprocessor.raw(image, for: shape)
        } catch {
            throw EdgeSimError(file: path, "\(error)")
        }
    }

    /// The model input for a prepared image of the model's height and width: pixel / 255, row by row, the gray
    /// in every channel.
    public static func tensor(_ image: GrayImage, shape: DigitInputShape = .mnist) -> [Float] {
        DigitInputAdapter(shape: shape).tensor(image)
    }
}
