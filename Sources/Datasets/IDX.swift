import Foundation

/// Reader of the IDX format of MNIST and Fashion-MNIST (big-endian header: magic
/// 0x00000803 then count, rows, cols for images; 0x00000801 then count for labels).
public enum IDX {
    /// Magic number of an unsigned-byte 3-D array (images).
    public static let imagesMagic: UInt32 = 0x0000_0803
    /// Magic number of an unsigned-byte 1-D array (labels).
    public static let labelsMagic: UInt32 = 0x0000_0801

    /// Reads an image file (`.gz` names are decompressed): (count, rows, cols, pixels in [0,1]).
    public static func readImages(_ url: URL) throws -> (count: Int, rows: Int, cols: Int, pixels: [Float]) {
        try parseImages(Gzip.contents(of: url, gzipped: url.pathExtension == "gz"), path: url.path)
    }

    /// Reads a label file (`.gz` names are decompressed); every label must be in `0..<classes`.
    public static func readLabels(_ url: URL, classes: Int = 10) throws -> [Int] {
        try parseLabels(Gzip.contents(of: url, gzipped: url.pathExtension == "gz"), path: url.path,
                        classes: classes)
    }

    /// Parses the decompressed bytes of an image file; `path` names it in errors.
    public static func parseImages(_ bytes: [UInt8], path: String)
        throws -> (count: Int, rows: Int, cols: Int, pixels: [Float]) {
        try checkHeader(bytes, path: path, magic: imagesMagic, headerSize: 16)
        let count = word(bytes, 1), rows = word(bytes, 2), cols = word(bytes, 3)
        let (imageSize, overflow1) = rows.multipliedReportingOverflow(by: cols)
        let (pixelCount, overflow2) = count.multipliedReportingOverflow(by: imageSize)
        guard rows > 0, cols > 0, !overflow1 && !overflow2 && pixelCount < Int.max - 16 else {
            throw DatasetError.wrongRecordSize(path: path, detail: "header announces \(count) images of \(rows)x\(cols)")
        }
        let expected = 16 + pixelCount
        guard bytes.count == expected else {
            throw sizeError(path: path, actual: bytes.count, expected: expected,
                            header: "\(count) images of \(rows)x\(cols)")
        }
        // pixelCount, not count * rows * cols: with 0 rows or columns the header's count can be
        // anything, and that product overflows (found by fuzzing).
        let pixels = bytes.withUnsafeBufferPointer { convertPixels($0.baseAddress! + 16, pixelCount) }
        return (count, rows, cols, pixels)
    }

    /// Parses the decompressed bytes of a label file; `path` names it in errors.
    public static func parseLabels(_ bytes: [UInt8], path: String, classes: Int = 10) throws -> [Int] {
        try checkHeader(bytes, path: path, magic: labelsMagic, headerSize: 8)
        let count = word(bytes, 1)
        guard bytes.count == 8 + count else {
            throw sizeError(path: path, actual: bytes.count, expected: 8 + count, header: "\(count) labels")
        }
        var labels = [Int](repeating: 0, count: count)
        for i in 0..<count {
            let l = Int(bytes[8 + i])
            guard l < classes else {
                throw DatasetError.labelOutOfRange(path: path, index: i, label: l, classes: classes)
            }
            labels[i] = l
        }
        return labels
    }

    private static func word(_ b: [UInt8], _ i: Int) -> Int {
        Int(b[4 * i]) << 24 | Int(b[4 * i + 1]) << 16 | Int(b[4 * i + 2]) << 8 | Int(b[4 * i + 3])
    }

    private static func checkHeader(_ b: [UInt8], path: String, magic: UInt32, headerSize: Int) throws {
        guard b.count >= 4 else {
            throw DatasetError.truncated(path: path, detail: "\(b.count) bytes, shorter than the IDX header")
        }
        let found = UInt32(word(b, 0))
        guard found == magic else { throw DatasetError.wrongMagic(path: path, expected: magic, found: found) }
        guard b.count >= headerSize else {
            throw DatasetError.truncated(path: path, detail: "\(b.count) bytes, shorter than the \(headerSize)-byte header")
        }
    }

    private static func sizeError(path: String, actual: Int, expected: Int, header: String) -> DatasetError {
        actual < expected
            ? .truncated(path: path, detail: "header announces \(header) (\(expected) bytes), file has \(actual)")
            : .wrongRecordSize(path: path, detail: "header announces \(header) (\(expected) bytes), file has \(actual)")
    }
}
