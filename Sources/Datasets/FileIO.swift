import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for writing with plain POSIX calls (created or truncated, mode 0644).
final class FileWriter {
    let path: String
    private let fd: Int32

    init(_ url: URL) throws {
        path = url.path
        fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 {
            throw DatasetError.io(path: url.path, detail: "cannot create: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = posixWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw DatasetError.io(path: path, detail: "write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Flushes to disk so that a rename after it publishes complete contents.
    func sync() throws {
        if fsync(fd) != 0 {
            throw DatasetError.io(path: path, detail: "fsync failed: \(String(cString: strerror(errno)))")
        }
    }
}

private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    write(fd, p, n)
}

enum FileOps {
    static func exists(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && !isDir.boolValue
    }

    static func makeDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.io(path: url.path, detail: "cannot create folder: \(error.localizedDescription)")
        }
    }

    /// A temporary name beside `destination` (same folder, so the final rename is atomic).
    static func temporary(for destination: URL) -> URL {
        destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(getpid()).partial")
    }

    /// Atomically replaces `destination` with `source` (rename(2)).
    static func publish(_ source: URL, as destination: URL) throws {
        if rename(source.path, destination.path) != 0 {
            throw DatasetError.io(path: destination.path,
                                  detail: "cannot rename \(source.lastPathComponent) into place: \(String(cString: strerror(errno)))")
        }
    }

    static func remove(_ url: URL) {
        unlink(url.path)
    }

    /// Copies `source` to `destination` byte for byte.
    static func copy(_ source: URL, to destination: URL) throws {
        let reader = try GzipReader(url: source, gzipped: false)
        let writer = try FileWriter(destination)
        try reader.forEachChunk { try writer.write($0) }
        try writer.sync()
    }

    static func size(_ url: URL) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int
    }
}
