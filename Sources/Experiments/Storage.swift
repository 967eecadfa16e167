import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON coders used for every file the harness writes: sorted keys (deterministic bytes),
/// pretty printed, and non-finite numbers written as the strings "nan", "inf", "-inf".
public enum JSON {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy =
            .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy =
            .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// Encodes `value` (with a final newline).
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        var data = try encoder().encode(value)
        data.append(0x0A)
        return data
    }

    public static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        try decoder().decode(type, from: Data(contentsOf: url))
    }
}

/// A file or folder of the results that could not be written, in one sentence: the path,
/// what the system said (`strerror`), and what to do.
public struct StorageError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The file or folder that failed.
    public var path: String
    /// What failed, e.g. "cannot create the folder: Not a directory".
    public var reason: String
    /// The system's error behind `reason` (shown with `--verbose`), e.g. "errno 28".
    public var underlying: String?

    public init(path: String, reason: String, underlying: String? = nil) {
        self.path = path; self.reason = reason; self.underlying = underlying
    }

    /// Equal when they name the same path and reason (the underlying detail is diagnostic).
    public static func == (a: StorageError, b: StorageError) -> Bool { a.path == b.path && a.reason == b.reason }

    /// The failed operation `what` on `path`, with the current `errno`.
    static func posix(_ path: String, _ what: String, _ code: Int32 = errno) -> StorageError {
        StorageError(path: path, reason: "\(what): \(String(cString: strerror(code)))",
                     underlying: "errno \(code) from the system call (\(what) on \(path))")
    }

    public var description: String {
        "cannot write \(path): \(reason). Choose another folder with --results, or free space / fix "
            + "the permissions there; results already written are kept"
    }

    public var errorDescription: String? { description }
}

/// Creates `folder` and its missing parents, as `mkdir -p` (POSIX calls, so a failure names
/// the folder and the system's reason: a file in the way, permissions, a read-only disk).
public func makeFolder(_ folder: URL) throws {
    var path = ""
    for part in folder.standardizedFileURL.path.split(separator: "/") {
        path += "/" + part
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw StorageError(path: path, reason: "it is a file, not a folder",
                                   underlying: "stat(2) gives st_mode \(String(info.st_mode, radix: 8)) for \(path), not a directory")
            }
            continue
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw StorageError.posix(path, "cannot create the folder") }
    }
}

/// Writes `data` to `url` atomically: a temporary file in the same folder is written,
/// flushed and renamed over the destination, so readers see the old file or the new one,
/// never a partial one. Creates missing parent folders. Any failure (no space, permissions)
/// removes the temporary file and throws a `StorageError` naming the path.
public func writeAtomically(_ data: Data, to url: URL) throws {
    let folder = url.deletingLastPathComponent()
    try makeFolder(folder)
    let tmp = folder.appendingPathComponent(TemporaryFiles.name(for: url.lastPathComponent))
    TemporaryFiles.inFlight.withLock { _ = $0.insert(tmp.path) }
    defer { TemporaryFiles.inFlight.withLock { _ = $0.remove(tmp.path) } }
    let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw StorageError.posix(url.path, "cannot create a file in \(folder.path)") }
    var failure: StorageError?
    data.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = .posix(url.path, "cannot write"); return
            }
            offset += n
        }
    }
    if failure == nil, fsync(fd) != 0 { failure = .posix(url.path, "cannot flush to disk") }
    if close(fd) != 0, failure == nil { failure = .posix(url.path, "cannot close") }
    if failure == nil, rename(tmp.path, url.path) != 0 { failure = .posix(url.path, "cannot rename into place") }
    if let failure {
        unlink(tmp.path)
        throw failure
    }
}

/// Writes `text` (UTF-8) atomically.
public func writeAtomically(_ text: String, to url: URL) throws {
    try writeAtomically(Data(text.utf8), to: url)
}

/// Turns a run key such as "mnist/seed-003" into a relative file path: each `/`-separated
/// part becomes a folder or file name, characters other than letters, digits, `-`, `_` and
/// `.` are percent-encoded (so distinct keys give distinct paths), and a leading `.` is
/// encoded so no part is hidden or `..`.
public func safeRelativePath(forKey key: String) throws -> String {
    let parts = key.split(separator: "/", omittingEmptySubsequences: false)
    guard !key.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else {
        throw HarnessError.invalidRunKey(key, reason: "keys must be non-empty '/'-separated names")
    }
    return parts.map { part -> String in
        var out = ""
        for (i, byte) in part.utf8.enumerated() {
            let c = Character(UnicodeScalar(byte))
            let plain = (c.isASCII && (c.isLetter || c.isNumber)) || c == "-" || c == "_"
                || (c == "." && i > 0)
            out += plain ? String(c) : String(format: "%%%02X", byte)
        }
        return out
    }.joined(separator: "/")
}

/// The folder an experiment writes its outputs into (`results/<experiment>/<profile>/`),
/// with atomic writers for tables, JSON, text and binary files such as PNG figures.
public struct OutputFolder: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    /// The location of `name` inside the folder (for writers the harness does not have).
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `table` as `<name>.csv` and `<name>.md`.
    public func write(_ table: Table, name: String) throws {
        try writeAtomically(table.csv(), to: file(name + ".csv"))
        try writeAtomically(table.markdown(), to: file(name + ".md"))
    }

    /// Writes `value` as pretty, key-sorted JSON to `<name>.json`.
    public func write<T: Encodable>(json value: T, name: String) throws {
        try writeAtomically(JSON.encode(value), to: file(name + ".json"))
    }

    /// Writes raw bytes (for example a PNG figure) to `name` (give the extension).
    public func write(data: Data, name: String) throws {
        try writeAtomically(data, to: file(name))
    }

    /// Writes text to `name` (give the extension).
    public func write(text: String, name: String) throws {
        try writeAtomically(text, to: file(name))
    }
}

/// The temporary files of `writeAtomically`: `.<name>.<host>.<pid>.<uuid>.tmp`, so that a later
/// invocation on the same host can tell those of a process that no longer exists.
enum TemporaryFiles {
    /// Paths being written by this process right now (removed by the interrupt handler).
    static let inFlight = Locked(Set<String>())

    static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        let name = String(cString: buffer).map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
        return String(name.isEmpty ? ["_"] : name)
    }()

    static func name(for file: String) -> String {
        ".\(file).\(host).\(getpid()).\(UUID().uuidString).tmp"
    }

    /// Removes the files this process is writing (an interrupt: the runs they belong to did
    /// not finish and are recomputed on resume). Safe to call from the interrupt handler.
    static func removeInFlight() {
        for path in inFlight.withLock({ $0 }) { unlink(path) }
    }

    /// True when `fileName` was written by a process of this host that no longer runs.
    static func ownerIsGone(_ fileName: String) -> Bool {
        let parts = fileName.split(separator: ".")
        // "", <name parts...>, host, pid, uuid, "tmp": host and pid are 4th and 3rd from the end.
        guard parts.count >= 5, parts[parts.count - 4] == host, let pid = Int32(parts[parts.count - 3]) else {
            return false
        }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}

/// Removes temporary files (`.*.tmp`) that `writeAtomically` left under `folder` when a
/// process was killed mid-write: at once when their writer was a process of this host that
/// no longer exists, else when older than `age` seconds (younger ones may belong to a process
/// writing right now, for example a shard on another machine). Returns how many were removed.
@discardableResult
public func removeStaleTemporaries(in folder: URL, olderThan age: Double = 600) -> Int {
    let fm = FileManager.default
    guard let walker = fm.enumerator(at: folder, includingPropertiesForKeys: [.contentModificationDateKey])
    else { return 0 }
    var removed = 0
    for case let url as URL in walker
    where url.lastPathComponent.hasPrefix(".") && url.pathExtension == "tmp" {
        let modified = (try? url.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate
        let stale = TemporaryFiles.ownerIsGone(url.lastPathComponent)
            || modified.map { Date().timeIntervalSince($0) > age } == true
        if stale, (try? fm.removeItem(at: url)) != nil { removed += 1 }
    }
    return removed
}

/// On SIGINT or SIGTERM: removes the temporary files being written, says that the finished
/// runs are kept and how to resume, and exits with 128 + the signal. Installed by `run` and
/// `merge`; SIGKILL cannot be caught, and the next invocation removes what it left.
public enum Interruption {
    private static let sources = Locked([DispatchSourceSignal]())

    public static func install(resume: String) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                TemporaryFiles.removeInFlight()
                let text = "\ninterrupted (\(sig == SIGINT ? "SIGINT" : "SIGTERM")): finished runs are kept; "
                    + "rerun `\(resume)` to resume\n"
                _ = text.withCString { write(2, $0, strlen($0)) }
                _exit(128 + sig)
            }
            source.resume()
            sources.withLock { $0.append(source) }
        }
    }
}
