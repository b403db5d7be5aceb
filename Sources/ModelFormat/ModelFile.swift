import Foundation

/// Why a model file could not be used: the file's path and the problem, on one line.
public struct ModelFileError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}

/// Reading and writing model.bin files on disk.
public enum ModelFile {
    /// Files larger than this are refused before reading (the largest graph allowed is far smaller).
    public static let maxBytes = 2 << 30

    /// Reads the whole file at `path`, refusing directories, unreadable files and absurd sizes.
    public static func readBytes(path: String) throws(ModelFileError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelFileError(path: path, problem: "no such file")
        }
        guard !isDirectory.boolValue else { throw ModelFileError(path: path, problem: "is a directory, not a model file") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ModelFileError(path: path, problem: "cannot be opened for reading")
        }
        defer { try? handle.close() }
        do {
            let size = try handle.seekToEnd()
            guard size <= UInt64(maxBytes) else {
                throw ModelFileError(path: path, problem: "is \(size) bytes, larger than the \(maxBytes)-byte limit")
            }
            try handle.seek(toOffset: 0)
            return [UInt8](try handle.readToEnd() ?? Data())
        } catch let error as ModelFileError {
            throw error
        } catch {
            throw ModelFileError(path: path, problem: "read failed (\(error.localizedDescription))")
        }
    }

    /// Loads and validates the model.bin at `path`.
    public static func load(path: String) throws(ModelFileError) -> FloatGraph {
        let bytes = try readBytes(path: path)
        do {
            return try ModelBinary.decode(bytes)
        } catch {
            throw ModelFileError(path: path, problem: error.description)
        }
    }

    /// Writes `bytes` to `path` through a temporary file and rename(2): the file is either the old one or the
    /// complete new one, never half-written.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ModelFileError) {
        try writeAllAtomically([(bytes, path)])
    }

    /// Writes several files so that either all of them are replaced or none is: every temporary file is
    /// written first, and only then are they renamed into place.
    public static func writeAllAtomically(_ files: [(bytes: [UInt8], path: String)]) throws(ModelFileError) {
        for file in files { try checkWritable(file.path) }
        var written: [URL] = []
        func discard() { for temporary in written { try? FileManager.default.removeItem(at: temporary) } }
        for file in files {
            let temporary = temporaryURL(for: file.path)
            do {
                try Data(file.bytes).write(to: temporary)
                written.append(temporary)
            } catch {
                try? FileManager.default.removeItem(at: temporary)
                discard()
                throw ModelFileError(path: file.path, problem: "cannot be written (\(Self.reason(error)))")
            }
        }
        // rename(2) replaces each destination atomically: readers see the old file or the new one, never a mix.
        for (file, temporary) in zip(files, written) where rename(temporary.path, file.path) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw ModelFileError(path: file.path, problem: "cannot be written (\(reason))")
        }
    }

    /// Throws unless `path` names a file (not a folder) in an existing, writable folder.
    public static func checkWritable(_ path: String) throws(ModelFileError) {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ModelFileError(path: path, problem: "is a directory")
        }
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelFileError(path: path, problem: "cannot be written (folder \(folder) does not exist)")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw ModelFileError(path: path, problem: "cannot be written (folder \(folder) is not writable)")
        }
    }

    private static func temporaryURL(for path: String) -> URL {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    }

    /// A short reason for a Foundation file error, without its long localized preamble.
    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return nsError.localizedDescription
    }
}
