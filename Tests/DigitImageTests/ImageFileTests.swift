import DigitImage
import Foundation
import Testing

/// Reading and writing PNG files: one-line errors naming the file, and never a half-written output.
@Suite("PNG files")
struct ImageFileTests {
    @Test func writeThenRead() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let image = try #require(GrayImage(width: 5, height: 3, pixels: Array(0..<15).map { UInt8($0 * 17) }))
        try ImageFile.writePNG(image, to: folder.file("digit.png"))
        #expect(try ImageFile.readPNG(path: folder.file("digit.png")) == image)
        #expect(try folder.contents() == ["digit.png"], "no temporary file is left behind")
    }

    @Test func writeReplacesAnExistingFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(Array("old".utf8), to: "digit.png")
        let image = GrayImage(width: 2, height: 2, value: 9)
        try ImageFile.writePNG(image, to: folder.file("digit.png"))
        #expect(try ImageFile.readPNG(path: folder.file("digit.png")) == image)
        #expect(try folder.contents() == ["digit.png"])
    }

    @Test func failedWriteLeavesTheOldFileAndNoTemporary() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(Array("old".utf8), to: "digit.png")
        #expect(throws: ImageFileError.self) { try ImageFile.writePNG(GrayImage(width: 0, height: 0), to: folder.file("digit.png")) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.file("digit.png"))) == Data("old".utf8))
        #expect(try folder.contents() == ["digit.png"])
    }

    @Test func writeIntoAMissingFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("nope/digit.png")
        #expect {
            try ImageFile.writePNG(GrayImage(width: 1, height: 1), to: path)
        } throws: { error in
            (error as? ImageFileError)?.description.hasPrefix("\(path): cannot be written") == true
        }
    }

    @Test func writeOverADirectory() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(throws: ImageFileError.isDirectory(path: folder.path)) {
            try ImageFile.writePNG(GrayImage(width: 1, height: 1), to: folder.path)
        }
    }

    @Test func readErrorsNameTheFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(Array("not an image".utf8), to: "7.png")
        let valid = try PNG.encode(GrayImage(width: 20, height: 20, value: 3))
        try folder.write(Array(valid.prefix(valid.count / 2)), to: "cut.png")
        let cases: [(String, String)] = [
            (folder.file("7.png"), "\(folder.file("7.png")): not a PNG file"),
            (folder.file("cut.png"), "\(folder.file("cut.png")): truncated PNG data"),
            (folder.file("missing.png"), "\(folder.file("missing.png")): no such file"),
            (folder.path, "\(folder.path): is a directory"),
        ]
        for (path, message) in cases {
            #expect {
                try ImageFile.readPNG(path: path)
            } throws: { error in
                let description = (error as? ImageFileError)?.description ?? ""
                return description == message && !description.contains("\n")
            }
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/zero")))
    func endlessFileIsCutOff() {
        #expect(throws: ImageFileError.tooLarge(path: "/dev/zero", limit: ImageFile.maxFileBytes)) {
            try ImageFile.readPNG(path: "/dev/zero")
        }
    }

    @Test func relativePathIsKeptInTheMessage() {
        #expect {
            try ImageFile.readPNG(path: "digits/7.png")
        } throws: { error in
            (error as? ImageFileError)?.description == "digits/7.png: no such file"
        }
    }
}
