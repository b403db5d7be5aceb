import DigitImage
import Foundation

/// Saves what the model saw, one PNG per input, into a folder.
public struct InputSaver {
    public let directory: String
    private var used: Set<String> = []

    /// Creates `directory` when missing; fails when it is a file or cannot be created.
    public init(directory: String) throws(EdgeSimError) {
        self.directory = directory
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw EdgeSimError(file: directory, "exists and is not a directory") }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw EdgeSimError(file: directory, "cannot create the directory")
            }
        }
    }

    /// Writes `image` as `<directory>/<name of source>.png`, adding `-2`, `-3`, ... when two sources share a name.
    @discardableResult
    public mutating func save(_ image: GrayImage, source: String) throws(EdgeSimError) -> String {
        let stem = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
        var name = stem, suffix = 2
        while used.contains(name) {
            name = "\(stem)-\(suffix)"
            suffix += 1
        }
        used.insert(name)
        let path = URL(fileURLWithPath: directory).appendingPathComponent(name + ".png").path
        do {
            try ImageFile.writePNG(image, to: path)
        } catch {
            throw EdgeSimError(error.description)
        }
        return path
    }
}
