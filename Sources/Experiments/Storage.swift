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

/// Writes `data` to `url` atomically: a temporary file in the same folder is written,
/// flushed and renamed over the destination, so readers see the old file or the new one,
/// never a partial one. Creates missing parent folders.
public func writeAtomically(_ data: Data, to url: URL) throws {
    let folder = url.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let tmp = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: tmp.path])
    }
    do {
        let handle = try FileHandle(forWritingTo: tmp)
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
        guard rename(tmp.path, url.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [
                NSFilePathErrorKey: url.path,
                NSLocalizedDescriptionKey: "rename failed: \(String(cString: strerror(errno)))"])
        }
    } catch {
        try? FileManager.default.removeItem(at: tmp)
        throw error
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

/// Removes temporary files (`.*.tmp`) that `writeAtomically` left under `folder` when a
/// process was killed mid-write, if older than `age` seconds (younger ones may belong to a
/// process writing right now). Returns how many were removed.
@discardableResult
public func removeStaleTemporaries(in folder: URL, olderThan age: Double = 600) -> Int {
    let fm = FileManager.default
    guard let walker = fm.enumerator(at: folder, includingPropertiesForKeys: [.contentModificationDateKey])
    else { return 0 }
    var removed = 0
    for case let url as URL in walker
    where url.lastPathComponent.hasPrefix(".") && url.pathExtension == "tmp" {
        let modified = (try? url.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate
        if let modified, Date().timeIntervalSince(modified) > age, (try? fm.removeItem(at: url)) != nil {
            removed += 1
        }
    }
    return removed
}
