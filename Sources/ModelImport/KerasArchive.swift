import Foundation
import ZIPFoundation

/// The parts of a Keras 3 `.keras` zip the importer reads, extracted through ZIPFoundation with every size
/// bounded: the number of entries, each entry's declared size, and the bytes actually produced while
/// extracting (a zip bomb stops at the bound, whatever its header says).
/// The archive is always read from a file: ZIPFoundation 0.9.20's in-memory archives trap when a hostile header
/// points past the end of the data (Archive.MemoryFile.readData), while reads past the end of a file just fail.
struct KerasArchive {
    var config: [UInt8]
    var weights: [UInt8]

    /// Writes `bytes` to a private temporary file and reads that (see above); the file is removed afterwards.
    init(bytes: [UInt8], limits: KerasLimits) throws(ImportError) {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("edgequant-keras-\(UUID().uuidString).zip")
        do {
            try Data(bytes).write(to: url, options: [.withoutOverwriting])
        } catch {
            throw .malformed(".keras: cannot write a temporary copy for the zip reader (\(printable(error.localizedDescription)))")
        }
        defer { try? FileManager.default.removeItem(at: url) }
        try self.init(url: url, limits: limits)
    }

    init(url: URL, limits: KerasLimits) throws(ImportError) {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw .malformed(".keras: not a readable zip archive")
        }
        var configEntry: Entry?
        var weightsEntry: Entry?
        var count = 0
        for entry in archive {
            count += 1
            if count > limits.maxZipEntries { throw .tooLarge(".keras: more than \(limits.maxZipEntries) zip entries") }
            let path = entry.path
            try KerasArchive.checkPath(path)
            switch path {
            case "config.json":
                if configEntry != nil { throw .malformed(".keras: two entries named config.json") }
                configEntry = entry
            case "model.weights.h5":
                if weightsEntry != nil { throw .malformed(".keras: two entries named model.weights.h5") }
                weightsEntry = entry
            default:
                break
            }
        }
        guard let configEntry else { throw .malformed(".keras: no config.json in the zip") }
        guard let weightsEntry else { throw .malformed(".keras: no model.weights.h5 in the zip") }
        config = try KerasArchive.extract(configEntry, from: archive, limit: limits.maxConfigBytes)
        weights = try KerasArchive.extract(weightsEntry, from: archive, limit: limits.maxFileBytes)
    }

    /// Entry names that could point outside an extraction folder are refused, even though nothing is written:
    /// such a file was not made by Keras.
    static func checkPath(_ path: String) throws(ImportError) {
        let shown = printable(path)
        if path.isEmpty || path.hasPrefix("/") || path.contains("\\") || path.contains("\0") || path.contains(":") {
            throw .malformed(".keras: zip entry '\(shown)' has an unsafe path")
        }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." }) {
            throw .malformed(".keras: zip entry '\(shown)' points outside the archive")
        }
    }

    private struct Overflow: Error {}

    static func extract(_ entry: Entry, from archive: Archive, limit: Int) throws(ImportError) -> [UInt8] {
        let name = entry.path
        guard entry.type == .file else { throw .malformed(".keras: \(name) is not a regular file in the zip") }
        let declared = entry.uncompressedSize
        if declared > UInt64(limit) {
            throw .tooLarge(".keras: \(name) declares \(declared) bytes, the limit is \(limit)")
        }
        var out: [UInt8] = []
        out.reserveCapacity(Int(declared))
        let checksum: CRC32
        do {
            checksum = try archive.extract(entry, bufferSize: 64 * 1024, skipCRC32: false) { chunk in
                // Never past the declared size: a header that lies cannot make extraction grow.
                if out.count + chunk.count > Int(declared) { throw Overflow() }
                out.append(contentsOf: chunk)
            }
        } catch is Overflow {
            throw .malformed(".keras: \(name) inflates past its declared \(declared) bytes")
        } catch {
            throw .malformed(".keras: \(name) cannot be extracted (\(printable(String(describing: error))))")
        }
        if out.count != Int(declared) {
            throw .malformed(".keras: \(name) has \(out.count) bytes, its zip entry declares \(declared)")
        }
        if checksum != entry.checksum { throw .malformed(".keras: \(name) fails its CRC-32 check") }
        return out
    }
}
