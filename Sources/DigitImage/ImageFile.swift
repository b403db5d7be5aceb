import Foundation

/// Reading and writing PNG files.
public enum ImageFile {
    /// PNG files larger than this are refused (reading stops one byte past it).
    public static let maxFileBytes = 64 << 20

    /// Reads and decodes the PNG at `path` to gray (see `PNG.decode`).
    public static func readPNG(path: String, limits: PNGLimits = .standard) throws(ImageFileError) -> GrayImage {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .noSuchFile(path: path) }
        guard !isDirectory.boolValue else { throw .isDirectory(path: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: manager.isReadableFile(atPath: path) ? "cannot open" : "permission denied")
        }
        defer { try? handle.close() }
        // One byte past the limit tells a file that is too large, without reading all of it (or all of /dev/zero).
        let data: Data
        do {
            data = try handle.read(upToCount: maxFileBytes + 1) ?? Data()
        } catch {
            throw .unreadable(path: path, reason: "read error")
        }
        guard data.count <= maxFileBytes else { throw .tooLarge(path: path, limit: maxFileBytes) }
        do {
            return try PNG.decode([UInt8](data), limits: limits)
        } catch {
            throw .invalidPNG(path: path, error)
        }
    }

    /// Writes `image` as an 8-bit gray PNG at `path`: to a temporary file in the same folder first, then renamed
    /// over `path`, so a failure never leaves a half-written file there.
    public static func writePNG(_ image: GrayImage, to path: String) throws(ImageFileError) {
        let bytes: [UInt8]
        do {
            bytes = try PNG.encode(image)
        } catch {
            throw .cannotWrite(path: path, reason: error.description)
        }
        try write(bytes, to: path)
    }

    /// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
    static func write(_ bytes: [UInt8], to path: String) throws(ImageFileError) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .isDirectory(path: path)
        }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .cannotWrite(path: path, reason: "no such folder \(folder)")
        }
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: 0...UInt32.max)).tmp")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            try? manager.removeItem(at: temporary)
            throw .cannotWrite(path: path, reason: Self.reason(error))
        }
        // rename(2) replaces the target atomically.
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? manager.removeItem(at: temporary)
            throw .cannotWrite(path: path, reason: reason)
        }
    }

    /// The POSIX reason behind a Foundation write error when there is one, kept to one line.
    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let text = strerror(Int32(underlying.code)) {
            return String(cString: text)
        }
        return nsError.localizedDescription.split(whereSeparator: \.isNewline).first.map(String.init) ?? "write error"
    }
}
