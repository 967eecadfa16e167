import Datasets
import Foundation
import Testing
import TestSupport

/// The `cifar-10-jpeg` catalog entry: an image-folder archive fetched from the mirror, decoded
/// once into CIFAR-10 records whose checksums pin the pixels.
@Suite("CIFAR-10 JPEG copy")
struct JPEGCopyTests {
    typealias Shape = ImageFolder.Shape
    static let shape = Shape(width: 4, height: 4, channels: 3)
    static let classes = ["cat", "dog"]

    /// A mirror `mirror/cifar-10-jpeg/images.tar.gz` of PNG images (exact pixels): `perClass`
    /// images per class in train, one in test; returns the entry and the expected records.
    static func synthetic(in dir: URL, perClass: Int = 2) throws -> (entry: CatalogEntry, train: [UInt8], test: [UInt8]) {
        var members: [(String, [UInt8])] = []
        var records: [String: [UInt8]] = ["train": [], "test": []]
        for (split, count) in [("train", perClass), ("test", 1)] {
            for (label, cls) in classes.enumerated() {
                for i in 0..<count {
                    let px = ImageFolderTests.pixels(shape, seed: label * 3 + i + (split == "test" ? 7 : 0))
                    members.append(("\(split)/\(cls)/\(i).png", png(px, shape)))
                    let plane = shape.width * shape.height
                    records[split]! += [UInt8(label)] + (0..<shape.features).map { px[($0 % plane) * 3 + $0 / plane] }
                }
            }
        }
        let archive = dir.appendingPathComponent("mirror/cifar-10-jpeg/images.tar.gz")
        try FileManager.default.createDirectory(at: archive.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Gzip.write(tar(members.reversed()), to: archive)
        let (hex, size) = try DataStore.digest(of: archive, gzipped: false, algorithm: .sha256)
        func file(_ name: String, _ bytes: [UInt8]) throws -> CatalogFile {
            let url = dir.appendingPathComponent("expected-\(name)")
            try writeBytes(bytes, to: url)
            let (hex, size) = try DataStore.digest(of: url, gzipped: false, algorithm: .sha256)
            return CatalogFile(name: name, gzipped: false, algorithm: .sha256, checksum: hex, size: size)
        }
        var entry = Catalog.cifar10JPEG
        entry.files = [CatalogFile(name: "images.tar.gz", gzipped: false, algorithm: .sha256, checksum: hex, size: size)]
        entry.decoded = DecodedImageFolder(archive: "images.tar.gz", classes: classes, shape: shape, splits: [
            .init(split: "train", file: try file("train.bin", records["train"]!), perClass: perClass),
            .init(split: "test", file: try file("test.bin", records["test"]!), perClass: 1),
        ])
        return (entry, records["train"]!, records["test"]!)
    }

    @Test func fetchDecodesOnceAndVerifies() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let (entry, train, test) = try Self.synthetic(in: dir)
        var store = offlineStore(root: dir.appendingPathComponent("root"), mirror: dir.appendingPathComponent("mirror"))
        store.catalog[.cifar10JPEG] = entry
        let first = try store.fetch(.cifar10JPEG)
        #expect(first.map(\.file) == ["images.tar.gz", "train.bin", "test.bin"])
        #expect(first[0].source == .mirror(dir.appendingPathComponent("mirror/cifar-10-jpeg/images.tar.gz").path))
        let folder = store.folder(.cifar10JPEG)
        #expect(first[1].source == .decoded(folder.appendingPathComponent("images.tar.gz").path))
        #expect(try readBytes(folder.appendingPathComponent("train.bin")) == train)
        #expect(try readBytes(folder.appendingPathComponent("test.bin")) == test)
        #expect(store.verify(.cifar10JPEG).allSatisfy { $0.error == nil })
        // A second fetch decodes nothing.
        #expect(try store.fetch(.cifar10JPEG).allSatisfy { $0.source == .existing })

        // A damaged decoded file: verify names it, fetch decodes it again.
        var bytes = train
        bytes[5] ^= 0xff
        try writeBytes(bytes, to: folder.appendingPathComponent("train.bin"))
        let bad = store.verify(.cifar10JPEG).filter { $0.error != nil }
        #expect(bad.map(\.file) == ["train.bin"])
        #expect(bad.first?.error?.description.contains("checksum mismatch") == true)
        let again = try store.fetch(.cifar10JPEG)
        #expect(again.map(\.source) == [.existing, .decoded(folder.appendingPathComponent("images.tar.gz").path), .existing])
        #expect(try readBytes(folder.appendingPathComponent("train.bin")) == train)
        #expect(partialFiles(in: folder).isEmpty)
    }

    /// Decoded pixels other than the pinned ones (another decoder) and a class with the wrong
    /// number of images: one clear error, nothing written.
    @Test func otherPixelsOrCountsAreRejected() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        var (entry, _, _) = try Self.synthetic(in: dir)
        entry.decoded!.splits[0].file.checksum = String(repeating: "0", count: 64)
        var store = offlineStore(root: dir.appendingPathComponent("root"), mirror: dir.appendingPathComponent("mirror"))
        store.catalog[.cifar10JPEG] = entry
        let error = datasetError { try store.fetch(.cifar10JPEG) }
        #expect(error?.description.contains("other pixels than the reference decoding") == true, "\(String(describing: error))")
        let folder = store.folder(.cifar10JPEG)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("train.bin").path))
        #expect(partialFiles(in: folder).isEmpty)

        entry.decoded!.splits[0].perClass = 3
        store.catalog[.cifar10JPEG] = entry
        let counts = datasetError { try store.fetch(.cifar10JPEG) }
        #expect(counts?.description.contains("train/cat/ holds 2 images, expected 3") == true, "\(String(describing: counts))")
    }

    @Test func withoutAMirrorItIsUnavailable() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let error = datasetError { try offlineStore(root: dir, mirror: nil).fetch(.cifar10JPEG) }
        #expect(error?.description.contains("only a mirror folder provides it") == true, "\(String(describing: error))")
    }

    @Test func namesAndLabels() {
        #expect(DatasetName(parsing: "cifar-10-jpeg") == .cifar10JPEG && DatasetName(parsing: "cifar10") == .cifar10)
        #expect(DatasetName.cifar10JPEG.label == "CIFAR-10 (JPEG copy)" && DatasetName.label(of: "other") == "other")
        #expect(Catalog.cifar10JPEG.allFiles.map(\.name) == ["cifar-10-images-jpeg.tar.gz", "train.bin", "test.bin"])
    }

    /// The real copy, fetched from the mirror into a fresh folder as `datasets fetch` does:
    /// the archive's and the decoded files' checksums, 5,000 / 1,000 images per class, and the
    /// README's per-channel means (4 decimals) of the loaded floats.
    @Test(.requires(Prerequisite(FileManager.default.fileExists(atPath: cifarJPEG.path),
                                 missing: "no \(cifarJPEG.path)")))
    func realCopyFetchedAndDecoded() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let store = offlineStore(root: dir, mirror: TestPaths.datasetMirror)
        let start = Date()
        let reports = try store.fetch(.cifar10JPEG)
        print("cifar-10-jpeg fetch + decode: \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        #expect(reports.map(\.file) == ["cifar-10-images-jpeg.tar.gz", "train.bin", "test.bin"])
        #expect(store.verify(.cifar10JPEG).allSatisfy { $0.error == nil })
        let (train, test) = try load(.cifar10JPEG, root: dir)
        for (set, count, means) in [(train, 5000, [0.4913, 0.4821, 0.4465]), (test, 1000, [0.4941, 0.4851, 0.4504])] {
            #expect(set.features == 3072 && set.classCounts == [Int](repeating: count, count: 10))
            #expect(set.labels.first == 0 && set.labels.last == 9)   // by class, as the archive
            var sums = [Double](repeating: 0, count: 3)
            set.images.withUnsafeBufferPointer { p in
                for i in 0..<set.count {
                    for c in 0..<3 {
                        var s: Float = 0
                        for j in 0..<1024 { s += p[i * 3072 + c * 1024 + j] }
                        sums[c] += Double(s)
                    }
                }
            }
            let found = sums.map { $0 / Double(set.count * 1024) }
            #expect(zip(found, means).allSatisfy { abs($0 - $1) <= 1e-4 }, "means \(found)")
        }
    }
}
