import Foundation

/// The project's own sample digits: PNG files whose names start with the digit they show.
public enum SampleDigits {
    /// The PNG files in `directory`, sorted by name.
    public static func files(in directory: String) throws(EdgeSimError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw EdgeSimError(file: directory, "cannot list the folder")
        }
        return names.filter { $0.lowercased().hasSuffix(".png") }.sorted()
            .map { URL(fileURLWithPath: directory).appendingPathComponent($0).relativePath }
    }

    /// The digit a sample's file name starts with, if any.
    public static func label(of path: String) -> Int? {
        URL(fileURLWithPath: path).lastPathComponent.first?.wholeNumberValue
    }
}
