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

    /// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so that a reader
    /// never sees a half-written file and a failure leaves nothing behind.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ModelFileError) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
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
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ModelFileError(path: path, problem: "cannot be written (\(Self.reason(error)))")
        }
        // rename(2) replaces the destination atomically: readers see the old file or the new one, never a mix.
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ModelFileError(path: path, problem: "cannot be written (\(reason))")
        }
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
