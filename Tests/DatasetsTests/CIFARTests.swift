import Datasets
import Foundation
import Testing
import TestSupport

/// Small CIFAR-10 batches written in the exact binary format, a catalog entry with their
/// SHA-1s, and the archive layout of the official tar.gz.
struct SyntheticCIFAR {
    static let records = 4
    let folder: URL
    var entry = Catalog.cifar10

    static func pixel(_ batch: Int, _ r: Int, _ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: batch * 53 + r * 7 + i * 3) }
    static func label(_ batch: Int, _ r: Int) -> UInt8 { UInt8((batch + r * 3) % 10) }

    /// Writes the six batches into `folder/cifar-10-batches-bin/`.
    init(in folder: URL) throws {
        self.folder = folder.appendingPathComponent("cifar-10-batches-bin")
        var files: [CatalogFile] = []
        for (b, name) in (CIFAR.trainBatches + [CIFAR.testBatch]).enumerated() {
            let bytes = cifarBatch(labels: (0..<Self.records).map { Self.label(b, $0) }) { Self.pixel(b, $0, $1) }
            try writeBytes(bytes, to: self.folder.appendingPathComponent(name))
            files.append(CatalogFile(name: name, gzipped: false, algorithm: .sha1, checksum: SHA1.hex(bytes),
                                     size: bytes.count))
        }
        entry.files = files
    }

    /// Builds `cifar-10-binary.tar.gz` (with `tar czf`) in `destination`; nil without tar.
    func archive(in destination: URL) throws -> URL? {
        guard let tar = executable("tar") else { return nil }
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        let out = destination.appendingPathComponent("cifar-10-binary.tar.gz")
        try writeBytes(Array("label names\n".utf8), to: folder.appendingPathComponent("batches.meta.txt"))
        let (status, _) = try runCommand(tar, ["czf", out.path, "-C", folder.deletingLastPathComponent().path,
                                               "cifar-10-batches-bin"])
        return status == 0 ? out : nil
    }
}

/// `tar`, to build the test archives.
let tarTool = Prerequisite(executable("tar") != nil, missing: "tar not found on PATH: install tar")

@Suite("CIFAR-10 binary format")
struct CIFARTests {
    @Test func readBatchLayout() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let url = dir.appendingPathComponent("data_batch_1.bin")
        let bytes = cifarBatch(labels: [6, 9, 0]) { r, i in UInt8(truncatingIfNeeded: r * 100 + i / 1024 * 10 + i % 7) }
        try writeBytes(bytes, to: url)
        let batch = try CIFAR.readBatch(url)
        #expect(batch.count == 3 && batch.features == 3072 && batch.labels == [6, 9, 0])
        for r in 0..<3 {
            let img = Array(batch.image(r))
            #expect(img == (0..<3072).map { Float(bytes[r * 3073 + 1 + $0]) / 255 })
            // Channel-major: index 0 is red (0,0), 1024 green (0,0), 2048 blue (0,0).
            #expect(img[0] == Float(r * 100) / 255)
            #expect(img[1024] == Float(r * 100 + 10 + 1024 % 7) / 255)
            #expect(img[2048] == Float(r * 100 + 20 + 2048 % 7) / 255)
        }
    }

    /// The mirror holding the .bin files: copied, verified, loaded in order.
    @Test func fetchAndLoadFromBinMirror() throws {
        let mirror = try makeTemporaryFolder("mirror"); defer { cleanup(mirror) }
        let root = try makeTemporaryFolder(); defer { cleanup(root) }
        let synthetic = try SyntheticCIFAR(in: mirror)
        try FileManager.default.moveItem(at: synthetic.folder, to: mirror.appendingPathComponent("cifar-10"))
        var store = offlineStore(root: root, mirror: mirror)
        store.catalog[.cifar10] = synthetic.entry
        let reports = try store.fetch(.cifar10)
        #expect(reports.count == 6 && reports.allSatisfy { if case .mirror = $0.source { true } else { false } })
        try checkLoaded(root: root)
        #expect(try store.fetch(.cifar10).allSatisfy { $0.source == .existing })
    }

    /// The mirror holding only cifar-10-binary.tar.gz: members extracted by the built-in tar reader.
    @Test(.requires(tarTool))
    func fetchFromArchiveMirror() throws {
        let work = try makeTemporaryFolder("work"); defer { cleanup(work) }
        let root = try makeTemporaryFolder(); defer { cleanup(root) }
        let synthetic = try SyntheticCIFAR(in: work)
        let archive = try #require(try synthetic.archive(in: work.appendingPathComponent("mirror/cifar-10")))
        var store = offlineStore(root: root, mirror: work.appendingPathComponent("mirror"))
        store.catalog[.cifar10] = synthetic.entry
        let reports = try store.fetch(.cifar10)
        #expect(reports.map(\.source) == Array(repeating: .archive(archive.path), count: 6))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("cifar-10/batches.meta.txt").path))
        #expect(partialFiles(in: store.folder(.cifar10)).isEmpty)
        try checkLoaded(root: root)

        // Tar.extract on its own, and a damaged archive.
        let out = work.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let got = try Tar.extract(archive: archive, wanted: ["test_batch.bin", "batches.meta.txt"]) {
            out.appendingPathComponent($0)
        }
        #expect(got == ["test_batch.bin", "batches.meta.txt"])
        #expect(try readBytes(out.appendingPathComponent("batches.meta.txt")) == Array("label names\n".utf8))
        let bytes = try readBytes(archive)
        let cut = work.appendingPathComponent("cut.tar.gz")
        try writeBytes(Array(bytes.prefix(bytes.count / 2)), to: cut)
        #expect(datasetError { try Tar.extract(archive: cut, wanted: ["test_batch.bin"]) { out.appendingPathComponent($0) } }?
            .caseName == "truncated")
    }

    /// An archive whose member has the wrong checksum installs nothing.
    @Test(.requires(tarTool))
    func damagedArchiveMemberInstallsNothing() throws {
        let work = try makeTemporaryFolder("work"); defer { cleanup(work) }
        let root = try makeTemporaryFolder(); defer { cleanup(root) }
        var synthetic = try SyntheticCIFAR(in: work)
        _ = try #require(try synthetic.archive(in: work.appendingPathComponent("mirror/cifar-10")))
        synthetic.entry.files[2].checksum = String(repeating: "0", count: 40)
        var store = offlineStore(root: root, mirror: work.appendingPathComponent("mirror"))
        store.catalog[.cifar10] = synthetic.entry
        let error = datasetError { try store.fetch(.cifar10) }
        #expect(error?.caseName == "checksumMismatch")
        #expect(error?.description.contains("data_batch_3.bin") == true)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: store.folder(.cifar10).path)) ?? []).isEmpty)
    }

    private func checkLoaded(root: URL) throws {
        let (train, test) = try load(.cifar10, root: root)
        let n = SyntheticCIFAR.records
        #expect(train.count == 5 * n && test.count == n && train.features == 3072)
        // Training batches in order 1...5, then the test batch.
        for b in 0..<5 {
            for r in 0..<n {
                #expect(train.labels[b * n + r] == Int(SyntheticCIFAR.label(b, r)))
                #expect(train.image(b * n + r).first == Float(SyntheticCIFAR.pixel(b, r, 0)) / 255)
                #expect(train.image(b * n + r).last == Float(SyntheticCIFAR.pixel(b, r, 3071)) / 255)
            }
        }
        #expect(test.labels == (0..<n).map { Int(SyntheticCIFAR.label(5, $0)) })
    }
}
