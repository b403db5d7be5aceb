import DigitImage
import Foundation
import Testing

/// The IDX reader on small hand-made files: good ones (plain and gzipped) read, bad ones are refused with one
/// line naming the file.
@Suite("MNIST IDX files")
struct IDXRejectTests {
    static let imagesName = MNISTSplit.test.imagesFile
    static let labelsName = MNISTSplit.test.labelsFile

    /// Three 2x3 images and their labels.
    static let images = TestBytes.idx(magic: 2051, dimensions: [3, 2, 3], payload: Array(0..<18))
    static let labels = TestBytes.idx(magic: 2049, dimensions: [3], payload: [4, 0, 9])

    static func folder(images: [UInt8]? = Self.images, labels: [UInt8]? = Self.labels, gzip: Bool = false) throws -> TemporaryFolder {
        let folder = try TemporaryFolder("idx")
        let suffix = gzip ? ".gz" : ""
        if let images { try folder.write(gzip ? TestBytes.gzip(images) : images, to: imagesName + suffix) }
        if let labels { try folder.write(gzip ? TestBytes.gzip(labels) : labels, to: labelsName + suffix) }
        return folder
    }

    static func expectError(_ folder: TemporaryFolder, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) {
            try MNISTDataset(directory: folder.path, split: .test)
        } throws: { error in
            let description = (error as? MNISTError)?.description ?? "\(error)"
            guard description == message else {
                Issue.record("got \"\(description)\"", sourceLocation: sourceLocation)
                return false
            }
            return true
        }
    }

    @Test(arguments: [false, true])
    func smallSetReads(gzip: Bool) throws {
        let folder = try Self.folder(gzip: gzip)
        defer { folder.remove() }
        let set = try MNISTDataset(directory: folder.path, split: .test)
        #expect(set.count == 3 && set.rows == 2 && set.cols == 3)
        #expect(set.labels == [4, 0, 9])
        #expect(set.image(at: 1).pixels == Array(6..<12))
        let limited = try MNISTDataset(directory: folder.path, split: .test, limit: 2)
        #expect(limited.count == 2 && limited.images == Array(0..<12))
    }

    @Test func missingFolderAndFileAsFolder() throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        #expect(throws: MNISTError.noSuchFolder(folder.file("nope"))) { try MNISTDataset(directory: folder.file("nope"), split: .test) }
        #expect(MNISTError.noSuchFolder("data/mnist").description == "data/mnist: no such folder")
        let file = folder.file(Self.labelsName)
        #expect(throws: MNISTError.notAFolder(file)) { try MNISTDataset(directory: file, split: .test) }
    }

    @Test func missingFile() throws {
        let folder = try Self.folder(labels: nil)
        defer { folder.remove() }
        Self.expectError(folder, "\(folder.path)/\(Self.labelsName): no such file (nor \(Self.labelsName).gz)")
    }

    @Test func badMagic() throws {
        let folder = try Self.folder(images: TestBytes.idx(magic: 2049, dimensions: [3, 2, 3], payload: Array(0..<18)))
        defer { folder.remove() }
        Self.expectError(folder, "\(folder.file(Self.imagesName)): not an IDX image file (magic number 2049, expected 2051)")
    }

    @Test func notIDXAtAll() throws {
        let folder = try Self.folder(labels: Array("<html>not found</html>".utf8))
        defer { folder.remove() }
        Self.expectError(folder, "\(folder.file(Self.labelsName)): not an IDX label file (magic number 1013478509, expected 2049)")
    }

    @Test func truncatedImages() throws {
        let folder = try Self.folder(images: Array(Self.images.dropLast(5)))
        defer { folder.remove() }
        Self.expectError(folder, "\(folder.file(Self.imagesName)): truncated: 29 bytes where the header needs 34")
    }

    @Test func truncatedHeader() throws {
        let folder = try Self.folder(labels: Array(Self.labels.prefix(6)))
        defer { folder.remove() }
        Self.expectError(folder, "\(folder.file(Self.labelsName)): truncated: 6 bytes where the header needs 8")
    }

    @Test func trailingBytes() throws {
        let folder = try Self.folder(labels: Self.labels + [1, 2])
        defer { folder.remove() }
        Self.expectError(folder, "\(folder.file(Self.labelsName)): 2 unexpected bytes after the last item (13, header says 11)")
    }

    @Test func countMismatch() throws {
        let folder = try Self.folder(labels: TestBytes.idx(magic: 2049, dimensions: [2], payload: [1, 2]))
        defer { folder.remove() }
        Self.expectError(folder, "\(folder.file(Self.labelsName)): 2 labels, but \(folder.file(Self.imagesName)) holds 3 images")
    }

    @Test func labelThatIsNotADigit() throws {
        let folder = try Self.folder(labels: TestBytes.idx(magic: 2049, dimensions: [3], payload: [1, 12, 2]))
        defer { folder.remove() }
        Self.expectError(folder, "\(folder.file(Self.labelsName)): label 12 at index 1 is not a digit 0 to 9")
    }

    @Test func zeroSizedImages() throws {
        let folder = try Self.folder(images: TestBytes.idx(magic: 2051, dimensions: [3, 0, 28], payload: []))
        defer { folder.remove() }
        Self.expectError(folder, "\(folder.file(Self.imagesName)): images of 0x28 pixels are not supported")
    }

    @Test func truncatedGzip() throws {
        let folder = try Self.folder(gzip: true)
        defer { folder.remove() }
        let path = folder.file(Self.imagesName + ".gz")
        let gz = try Data(contentsOf: URL(fileURLWithPath: path))
        try Data(gz.prefix(gz.count - 10)).write(to: URL(fileURLWithPath: path))
        Self.expectError(folder, "\(path): truncated gzip data")
    }

    @Test func directoryWhereAFileBelongs() throws {
        let folder = try Self.folder(images: nil)
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.file(Self.imagesName), withIntermediateDirectories: false)
        Self.expectError(folder, "\(folder.file(Self.imagesName)): is a directory")
    }

    @Test func plainFileIsPreferredOverGzip() throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        try folder.write(Array("junk".utf8), to: Self.imagesName + ".gz")
        #expect(try MNISTDataset(directory: folder.path, split: .test).count == 3)
    }
}
