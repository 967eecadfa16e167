import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file, through zlib when it is gzip-compressed, in chunks the caller provides.
/// Concatenated gzip members are read as one stream; a stream that ends early is
/// `DatasetError.truncated`, damaged data `DatasetError.corruptGzip`.
public final class GzipReader {
    /// The file being read.
    public let path: String
    private let fd: Int32
    private let gzipped: Bool
    private var stream = z_stream()
    private var initialised = false
    private let input: UnsafeMutableRawBufferPointer
    private var inputEOF = false
    private var betweenMembers = false
    private var finished = false

    /// Opens `url`; with `gzipped: false` the bytes are passed through unchanged.
    public init(url: URL, gzipped: Bool = true) throws {
        path = url.path
        self.gzipped = gzipped
        fd = open(url.path, O_RDONLY)
        if fd < 0 {
            let why = String(cString: strerror(errno))
            throw errno == ENOENT
                ? DatasetError.missingFile(path: url.path, fix: "Run `datasets fetch` first.")
                : DatasetError.io(path: url.path, detail: "cannot open: \(why)")
        }
        input = .allocate(byteCount: 1 << 20, alignment: 16)
        if gzipped {
            let rc = inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard rc == Z_OK else {
                close(fd)
                input.deallocate()
                throw DatasetError.io(path: url.path, detail: "zlib initialisation failed (\(rc))")
            }
            initialised = true
        }
    }

    deinit {
        if initialised { inflateEnd(&stream) }
        input.deallocate()
        close(fd)
    }

    /// The uncompressed length recorded in the last 4 bytes of a gzip file (modulo 2^32), or nil.
    /// Only a hint for sizing buffers.
    public static func recordedSize(of url: URL) -> Int? {
        guard let h = FileHandle(forReadingAtPath: url.path) else { return nil }
        defer { try? h.close() }
        guard let end = try? h.seekToEnd(), end >= 18 else { return nil }
        try? h.seek(toOffset: end - 4)
        guard let d = try? h.read(upToCount: 4), d.count == 4 else { return nil }
        return d.reversed().reduce(0) { $0 << 8 | Int($1) }
    }

    /// Fills as much of `buffer` as the file allows; returns the number of bytes written,
    /// which is less than `buffer.count` only at the end of the data (0 when it is exhausted).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0, !finished else { return 0 }
        if !gzipped { return try readRaw(into: buffer) }
        var produced = 0
        while produced < buffer.count {
            if stream.avail_in == 0 && !inputEOF { try refill() }
            if betweenMembers {
                if stream.avail_in == 0 { finished = true; break }
                if stream.next_in[0] != 0x1f { finished = true; break }  // trailing padding
                inflateReset(&stream)
                betweenMembers = false
            }
            if stream.avail_in == 0 && inputEOF {
                throw DatasetError.truncated(path: path, detail: "gzip stream ends early")
            }
            let chunk = min(buffer.count - produced, Int(UInt32.max))
            stream.next_out = (base + produced).assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(chunk)
            let rc = inflate(&stream, Z_NO_FLUSH)
            produced += chunk - Int(stream.avail_out)
            switch rc {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                betweenMembers = true
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                throw DatasetError.corruptGzip(path: path, detail: message)
            }
        }
        return produced
    }

    /// Reads everything that is left into one array. With `sizeHint` larger than the data
    /// (the recorded size plus one, say) the bytes are written once, straight into the result.
    public func readAll(sizeHint: Int = 0) throws -> [UInt8] {
        var capacity = max(sizeHint, 1 << 16)
        var out: [UInt8] = []
        while true {
            let chunk = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                count = try read(into: UnsafeMutableRawBufferPointer(buffer))
            }
            if out.isEmpty { out = chunk } else { out += chunk }
            if chunk.count < capacity { break }  // a short read means the end of the data
            capacity = max(out.count, 1 << 16)
        }
        return out
    }

    /// Feeds every remaining byte to `body`, in chunks of up to 1 MiB.
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let n = try read(into: chunk)
            if n == 0 { break }
            try body(UnsafeRawBufferPointer(rebasing: chunk[..<n]))
        }
    }

    private func refill() throws {
        let n = posixRead(fd, input.baseAddress!, input.count)
        if n < 0 {
            throw DatasetError.io(path: path, detail: "read failed: \(String(cString: strerror(errno)))")
        }
        if n == 0 { inputEOF = true }
        stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_in = uInt(n)
    }

    private func readRaw(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var produced = 0
        while produced < buffer.count && !inputEOF {
            let n = posixRead(fd, buffer.baseAddress! + produced, buffer.count - produced)
            if n < 0 {
                throw DatasetError.io(path: path, detail: "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { inputEOF = true; finished = true }
            produced += n
        }
        return produced
    }
}

private func posixRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int {
    while true {
        let r = read(fd, p, n)
        if r < 0 && errno == EINTR { continue }
        return r
    }
}

/// Small gzip helpers.
public enum Gzip {
    /// The whole decompressed content of `url` (plain bytes when `gzipped` is false).
    public static func contents(of url: URL, gzipped: Bool = true) throws -> [UInt8] {
        let reader = try GzipReader(url: url, gzipped: gzipped)
        var hint = 0
        if gzipped {
            // The trailer may be damaged: never trust it beyond deflate's 1032:1 limit.
            let compressed = FileOps.size(url) ?? 0
            hint = min(GzipReader.recordedSize(of: url) ?? 0, 1032 * compressed, 1 << 31)
        } else if let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int {
            hint = size
        }
        return try reader.readAll(sizeHint: hint + 1)
    }

    /// Writes `bytes` gzip-compressed to `url` (used to build mirrors and test files).
    public static func write(_ bytes: [UInt8], to url: URL, level: Int = 6) throws {
        guard let gz = gzopen(url.path, "wb\(max(0, min(9, level)))") else {
            throw DatasetError.io(path: url.path, detail: "cannot create gzip file")
        }
        var offset = 0
        var ok = true
        bytes.withUnsafeBytes { raw in
            while offset < raw.count && ok {
                let n = min(raw.count - offset, 1 << 24)
                let w = gzwrite(gz, raw.baseAddress! + offset, UInt32(n))
                if w <= 0 { ok = false } else { offset += Int(w) }
            }
        }
        let rc = gzclose(gz)
        if !ok || rc != Z_OK {
            throw DatasetError.io(path: url.path, detail: "gzip write failed")
        }
    }
}
