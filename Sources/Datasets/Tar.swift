import Foundation

/// A minimal reader of (gzip-compressed) ustar / GNU tar archives: enough to pull the
/// CIFAR-10 batches out of `cifar-10-binary.tar.gz`, or an `ImageFolder` out of its archive,
/// without an external `tar`.
public enum Tar {
    /// Streams `archive` and writes each regular-file member whose base name is in `wanted`
    /// to `destination(baseName)`. Returns the base names written. Other members are skipped.
    @discardableResult
    public static func extract(archive: URL, gzipped: Bool = true, wanted: Set<String>,
                               destination: (String) -> URL) throws -> Set<String> {
        var written = Set<String>()
        try forEachFile(archive: archive, gzipped: gzipped) { name, _, read in
            guard let base = name.split(separator: "/").last.map(String.init), wanted.contains(base) else { return }
            let writer = try FileWriter(destination(base))
            try read { try writer.write($0) }
            try writer.sync()
            written.insert(base)
        }
        return written
    }

    /// Streams `archive`, calling `body(name, size, read)` for each regular-file member in
    /// archive order, with its full member path. `read(sink)` passes the member's data to `sink`
    /// in chunks; when `body` does not call it, the data is skipped.
    public static func forEachFile(
        archive: URL, gzipped: Bool = true,
        _ body: (_ name: String, _ size: Int,
                 _ read: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> Void
    ) throws {
        let reader = try GzipReader(url: archive, gzipped: gzipped)
        let path = archive.path
        var header = [UInt8](repeating: 0, count: 512)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var longName: String?

        /// Reads exactly `n` bytes, passing them to `sink` (default: discard).
        func pass(_ n: Int, _ sink: (UnsafeRawBufferPointer) throws -> Void = { _ in }) throws {
            var left = n
            while left > 0 {
                let want = min(left, chunk.count)
                let got = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[..<want]))
                if got < want { throw DatasetError.truncated(path: path, detail: "tar member data ends early") }
                try sink(UnsafeRawBufferPointer(rebasing: chunk[..<got]))
                left -= got
            }
        }

        while true {
            let got = try header.withUnsafeMutableBytes { try reader.read(into: $0) }
            if got == 0 { break }  // no end-of-archive blocks: accept
            guard got == 512 else { throw DatasetError.truncated(path: path, detail: "tar header ends early") }
            if header.allSatisfy({ $0 == 0 }) { break }
            guard let recorded = octal(header[148..<156]) else {
                throw DatasetError.badArchive(path: path, detail: "unreadable header checksum")
            }
            var sum = 0
            for (i, b) in header.enumerated() { sum += (148..<156).contains(i) ? 32 : Int(b) }
            guard sum == recorded else {
                throw DatasetError.badArchive(path: path, detail: "header checksum mismatch")
            }
            guard let size = number(header[124..<136]) else {
                throw DatasetError.badArchive(path: path, detail: "unreadable member size")
            }
            var name = cString(header[0..<100])
            if header[257..<262].elementsEqual("ustar".utf8) {
                let prefix = cString(header[345..<500])
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
            if let long = longName { name = long; longName = nil }
            let padding = (512 - size % 512) % 512
            let type = header[156]
            if type == UInt8(ascii: "L") {  // GNU long name: the data is the next member's name
                var bytes = [UInt8]()
                try pass(size) { bytes += $0 }
                longName = cString(bytes[...])
            } else if type == UInt8(ascii: "0") || type == 0 {
                var consumed = false
                try body(name, size) { sink in
                    precondition(!consumed, "a tar member's data can be read once")
                    consumed = true
                    try pass(size, sink)
                }
                if !consumed { try pass(size) }
            } else {
                try pass(size)
            }
            try pass(padding)
        }
    }

    private static func cString(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        let text = cString(field).trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? 0 : Int(text, radix: 8)
    }

    /// Octal, or GNU base-256 when the high bit of the first byte is set.
    private static func number(_ field: ArraySlice<UInt8>) -> Int? {
        guard let first = field.first else { return nil }
        if first & 0x80 != 0 {
            var v = Int(first & 0x7f)
            for b in field.dropFirst() { v = v << 8 | Int(b) }
            return v
        }
        return octal(field)
    }
}
