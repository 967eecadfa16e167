import Foundation

/// Reader of the CIFAR-10 binary version: each record is 1 label byte followed by 3072 pixel
/// bytes, the 32x32 red, green and blue planes in turn, each row-major.
public enum CIFAR {
    /// Pixel bytes per record.
    public static let features = 3 * 32 * 32
    /// Bytes per record (label + pixels).
    public static let recordSize = 1 + features
    /// The five training batches, in order.
    public static let trainBatches = (1...5).map { "data_batch_\($0).bin" }
    /// The test batch.
    public static let testBatch = "test_batch.bin"

    /// Reads one batch file.
    public static func readBatch(_ url: URL, classes: Int = 10) throws -> LabeledImages {
        try parseBatch(Gzip.contents(of: url, gzipped: false), path: url.path, classes: classes)
    }

    /// Parses the bytes of a batch file; `path` names it in errors.
    public static func parseBatch(_ bytes: [UInt8], path: String, classes: Int = 10) throws -> LabeledImages {
        guard !bytes.isEmpty, bytes.count % recordSize == 0 else {
            throw DatasetError.wrongRecordSize(
                path: path, detail: "\(bytes.count) bytes is not a whole number of \(recordSize)-byte records")
        }
        let n = bytes.count / recordSize
        var labels = [Int](repeating: 0, count: n)
        let images = [Float](unsafeUninitializedCapacity: n * features) { dst, initialised in
            bytes.withUnsafeBufferPointer { src in
                pixelTable.withUnsafeBufferPointer { t in
                    let s = src.baseAddress!, d = dst.baseAddress!, tp = t.baseAddress!
                    for r in 0..<n {
                        let rs = s + r * recordSize + 1, rd = d + r * features
                        for i in 0..<features { rd[i] = tp[Int(rs[i])] }
                    }
                }
            }
            initialised = n * features
        }
        for r in 0..<n {
            let l = Int(bytes[r * recordSize])
            guard l < classes else {
                throw DatasetError.labelOutOfRange(path: path, index: r, label: l, classes: classes)
            }
            labels[r] = l
        }
        return LabeledImages(features: features, classes: classes, images: images, labels: labels)
    }
}
