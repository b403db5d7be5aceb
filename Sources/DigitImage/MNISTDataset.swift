import Foundation

/// MNIST images and labels read from the original IDX files.
public struct MNISTDataset: Sendable {
    /// Images held (after `limit`).
    public let count: Int
    public let rows: Int
    public let cols: Int
    /// `count * rows * cols` pixels, image after image, 0 = background, 255 = full ink.
    public let images: [UInt8]
    /// `count` digits 0 to 9.
    public let labels: [UInt8]

    /// Reads `split` from `directory`, which holds the IDX files under their original names, each gzipped or
    /// not. Checks magic numbers, dimensions, exact sizes, matching counts and labels. Keeps the first `limit`
    /// images when given.
    public init(directory: String, split: MNISTSplit, limit: Int? = nil) throws(MNISTError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw .noSuchFolder(directory)
        }
        guard isDirectory.boolValue else { throw .notAFolder(directory) }
        let imagesPath = try IDXFile.locate(split.imagesFile, in: directory)
        let labelsPath = try IDXFile.locate(split.labelsFile, in: directory)
        let labelFile = try IDXFile(path: labelsPath, magic: IDXFile.labelsMagic, limit: limit)
        if let bad = labelFile.items.firstIndex(where: { $0 > 9 }) {
            throw .badLabel(file: labelsPath, index: bad, value: labelFile.items[bad])
        }
        let imageFile = try IDXFile(path: imagesPath, magic: IDXFile.imagesMagic, limit: limit)
        guard imageFile.count == labelFile.count else {
            throw .countMismatch(images: imagesPath, imageCount: imageFile.count, labels: labelsPath,
                                 labelCount: labelFile.count)
        }
        count = labelFile.items.count
        rows = imageFile.rows
        cols = imageFile.cols
        images = imageFile.items
        labels = labelFile.items
    }

    /// Image `index` as it is in MNIST (white digit on black); a black image when `index` is out of range.
    public func image(at index: Int) -> GrayImage {
        let size = rows * cols
        guard index >= 0, index < count,
              let image = GrayImage(width: cols, height: rows, pixels: Array(images[(index * size)..<((index + 1) * size)]))
        else { return GrayImage(width: cols, height: rows) }
        return image
    }

    /// Label of image `index`, or nil when out of range.
    public func label(at index: Int) -> Int? {
        labels.indices.contains(index) ? Int(labels[index]) : nil
    }
}
