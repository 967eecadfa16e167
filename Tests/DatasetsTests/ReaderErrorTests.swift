import Datasets
import Foundation
import Testing
import TestSupport

/// Bad inputs give their specific `DatasetError` case, naming the file.
@Suite("Reader errors")
struct ReaderErrorTests {
    @Test func idxRoundTrip() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let images = dir.appendingPathComponent("images.gz"), labels = dir.appendingPathComponent("labels.gz")
        try Gzip.write(idxImages(count: 3, rows: 2, cols: 2) { s, i in UInt8(s * 4 + i) * 17 }, to: images)
        try Gzip.write(idxLabels([3, 0, 9]), to: labels)
        let r = try IDX.readImages(images)
        #expect(r.count == 3 && r.rows == 2 && r.cols == 2)
        #expect(r.pixels == (0..<12).map { Float($0 * 17) / 255 })
        #expect(try IDX.readLabels(labels) == [3, 0, 9])
        // Uncompressed files are read too.
        let plain = dir.appendingPathComponent("labels-idx1-ubyte")
        try writeBytes(idxLabels([1, 2]), to: plain)
        #expect(try IDX.readLabels(plain) == [1, 2])
    }

    /// Found by fuzzing (Tests/Fuzz): a header of 0xffedffff images of 0xffffff13 x 0 pixels
    /// overflowed the pixel count and trapped. Images of zero size are a wrong header.
    @Test func idxHeaderWithZeroSizedImages() throws {
        let header: [UInt8] = [0, 0, 8, 3, 0xff, 0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0x13, 0, 0, 0, 0]
        #expect(throws: DatasetError.wrongRecordSize(
            path: "fuzz", detail: "header announces 4293787647 images of 4294967059x0")) {
            _ = try IDX.parseImages(header, path: "fuzz")
        }
    }

    /// Found by fuzzing: a JPEG whose header announces 27239 x 24880 pixels made the reader
    /// allocate 2 GB before decoding. Such headers are a clear error now, without the allocation.
    @Test func imageHeaderAnnouncingHugeSizeIsRejected() throws {
        let input = TestPaths.repositoryRoot.appendingPathComponent("Tests/Fuzz/corpus/imagefolder/regression-huge-jpeg-header")
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let tar = dir.appendingPathComponent("input.tar")
        try writeBytes(Array(try readBytes(input).dropFirst()), to: tar)   // first byte: the fuzz target's mode
        let error = datasetError { _ = try ImageFolder.load(tar, split: "train") }
        #expect(error == .badImage(path: "\(tar.path):train/cat/0.jpg", detail: "header announces 27239x24880 pixels; "
                                    + "images larger than 8192 on a side are not supported (a damaged file?)"), "\(String(describing: error))")
    }

    @Test func truncatedGzip() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let good = dir.appendingPathComponent("good.gz"), cut = dir.appendingPathComponent("cut.gz")
        try Gzip.write(idxImages(count: 50, rows: 28, cols: 28) { s, i in UInt8(truncatingIfNeeded: s &* 131 &+ i &* 7) }, to: good)
        let bytes = try readBytes(good)
        try writeBytes(Array(bytes.prefix(bytes.count / 2)), to: cut)
        let error = datasetError { _ = try IDX.readImages(cut) }
        #expect(error?.caseName == "truncated")
        #expect(error?.description.contains(cut.path) == true)
        // An empty file is truncated too.
        let empty = dir.appendingPathComponent("empty.gz")
        try writeBytes([], to: empty)
        #expect(datasetError { _ = try IDX.readLabels(empty) }?.caseName == "truncated")
    }

    @Test func corruptGzip() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let url = dir.appendingPathComponent("bad.gz")
        try Gzip.write(idxImages(count: 20, rows: 28, cols: 28) { s, i in UInt8(truncatingIfNeeded: s * i) }, to: url)
        var bytes = try readBytes(url)
        for i in stride(from: 20, to: bytes.count - 10, by: 7) { bytes[i] ^= 0x5a }
        try writeBytes(bytes, to: url)
        let error = datasetError { _ = try IDX.readImages(url) }
        #expect(error?.caseName == "corruptGzip")
        // Garbage that is not gzip at all.
        try writeBytes(Array("not a gzip file at all".utf8), to: url)
        #expect(datasetError { _ = try IDX.readImages(url) }?.caseName == "corruptGzip")
    }

    @Test func wrongMagic() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let url = dir.appendingPathComponent("labels.gz")
        try Gzip.write(idxImages(count: 1, rows: 2, cols: 2) { _, _ in 0 }, to: url)
        let error = datasetError { _ = try IDX.readLabels(url) }
        #expect(error == .wrongMagic(path: url.path, expected: 0x801, found: 0x803))
        #expect(error?.description.contains("0x00000803") == true)
        #expect(datasetError { _ = try IDX.parseImages(idxLabels([1]), path: "x") }?.caseName == "wrongMagic")
    }

    @Test func wrongRecordSize() throws {
        // Longer than the header announces.
        let long = idxLabels([1, 2, 3]) + [4, 5]
        #expect(datasetError { _ = try IDX.parseLabels(long, path: "l") }?.caseName == "wrongRecordSize")
        // Shorter than announced: truncated.
        let short = Array(idxImages(count: 2, rows: 2, cols: 2) { _, _ in 1 }.dropLast(3))
        #expect(datasetError { _ = try IDX.parseImages(short, path: "i") }?.caseName == "truncated")
        // A header whose sizes overflow.
        let huge = be32(0x803) + be32(0x7fff_ffff) + be32(0xffff_ffff) + be32(0xffff_ffff)
        #expect(datasetError { _ = try IDX.parseImages(huge, path: "h") }?.caseName == "wrongRecordSize")
        // CIFAR: not a whole number of 3073-byte records.
        let batch = cifarBatch(labels: [1, 2]) { _, _ in 0 } + [0, 0, 0, 0, 0]
        let error = datasetError { _ = try CIFAR.parseBatch(batch, path: "b.bin") }
        #expect(error?.caseName == "wrongRecordSize")
        #expect(error?.description.contains("3073") == true)
        #expect(datasetError { _ = try CIFAR.parseBatch([], path: "e.bin") }?.caseName == "wrongRecordSize")
    }

    @Test func labelOutOfRange() throws {
        #expect(datasetError { _ = try IDX.parseLabels(idxLabels([1, 10, 2]), path: "l") }
                == .labelOutOfRange(path: "l", index: 1, label: 10, classes: 10))
        let batch = cifarBatch(labels: [0, 9, 11]) { _, _ in 0 }
        #expect(datasetError { _ = try CIFAR.parseBatch(batch, path: "b") }
                == .labelOutOfRange(path: "b", index: 2, label: 11, classes: 10))
    }

    @Test func missingFile() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let error = datasetError { _ = try load(.mnist, root: dir) }
        #expect(error?.caseName == "missingFile")
        #expect(error?.description.contains("datasets fetch mnist") == true)
        #expect(datasetError { _ = try load(.cifar10, root: dir) }?.caseName == "missingFile")
        #expect(datasetError { _ = try IDX.readLabels(dir.appendingPathComponent("nope.gz")) }?.caseName == "missingFile")
    }

    /// IDX image and label files that disagree on the count.
    @Test func countMismatch() throws {
        let root = try makeTemporaryFolder(); defer { cleanup(root) }
        let dir = root.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for prefix in ["train", "t10k"] {
            try Gzip.write(idxImages(count: 3, rows: 28, cols: 28) { _, _ in 0 },
                           to: dir.appendingPathComponent("\(prefix)-images-idx3-ubyte.gz"))
            try Gzip.write(idxLabels([1, 2]), to: dir.appendingPathComponent("\(prefix)-labels-idx1-ubyte.gz"))
        }
        #expect(datasetError { _ = try load(.mnist, root: root) }?.caseName == "wrongRecordSize")
    }

    @Test func concatenatedGzipMembers() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let a = dir.appendingPathComponent("a.gz"), b = dir.appendingPathComponent("b.gz")
        let bytes = idxLabels([1, 2, 3, 4])
        try Gzip.write(Array(bytes.prefix(6)), to: a)
        try Gzip.write(Array(bytes.dropFirst(6)), to: b)
        let both = dir.appendingPathComponent("both.gz")
        try writeBytes(try readBytes(a) + readBytes(b), to: both)
        #expect(try IDX.readLabels(both) == [1, 2, 3, 4])
    }
}
