import Datasets
import Foundation
import Testing
import TestSupport

/// `datasets fetch` and `datasets verify` logic on real files (the offline mirror) and on
/// small files written here.
@Suite("Store: fetch and verify")
struct StoreTests {
    /// The offline mirror, or the project's Datasets/ (same layout).
    static var mirror: URL { dataSource(.mnist) ?? TestPaths.datasetMirror }

    @Test(.requires(mirrorCopy(.mnist)))
    func fetchFromMirrorThenExisting() throws {
        let root = try makeTemporaryFolder(); defer { cleanup(root) }
        let store = offlineStore(root: root, mirror: Self.mirror)
        let first = try store.fetch(.mnist)
        #expect(first.map(\.file) == Catalog.mnist.files.map(\.name))
        for r in first {
            #expect(r.source == .mirror(Self.mirror.appendingPathComponent("mnist/\(r.file)").path))
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("mnist/\(r.file)").path))
        }
        #expect(partialFiles(in: store.folder(.mnist)).isEmpty)
        #expect(store.verify(.mnist).allSatisfy { $0.error == nil })
        // Second fetch: the verified copies are kept, even with no mirror at all.
        let again = try offlineStore(root: root, mirror: nil).fetch(.mnist)
        #expect(again.allSatisfy { $0.source == .existing })
        let (train, test) = try load(.mnist, root: root)
        #expect(train.count == 60_000 && test.count == 10_000 && train.labels[0] == 5)
    }

    /// An existing copy that fails verification is replaced from the mirror.
    @Test(.requires(mirrorCopy(.mnist)))
    func damagedExistingCopyIsReplaced() throws {
        let root = try makeTemporaryFolder(); defer { cleanup(root) }
        let dest = root.appendingPathComponent("mnist/t10k-labels-idx1-ubyte.gz")
        try FileManager.default.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Gzip.write(idxLabels([1, 2, 3]), to: dest)
        let store = offlineStore(root: root, mirror: Self.mirror)
        let checks = store.verify(.mnist)
        let bad = try #require(checks.first { $0.file == "t10k-labels-idx1-ubyte.gz" }?.error)
        #expect(bad.caseName == "checksumMismatch")
        #expect(bad.description.contains(dest.path) && bad.description.contains(Catalog.mnist.files[3].checksum))
        #expect(checks.filter { $0.error?.caseName == "missingFile" }.count == 3)
        let reports = try store.fetch(.mnist)
        #expect(reports.allSatisfy { if case .mirror = $0.source { true } else { false } })
        #expect(store.verify(.mnist).allSatisfy { $0.error == nil })
    }

    /// A damaged mirror file is rejected: a checksum error naming it, and nothing (not even a
    /// temporary file) appears in the destination; an existing copy is left untouched.
    @Test(.requires(mirrorCopy(.mnist)))
    func corruptedMirrorIsRejected() throws {
        let root = try makeTemporaryFolder(); defer { cleanup(root) }
        let badMirror = try makeTemporaryFolder("mirror"); defer { cleanup(badMirror) }
        let mdir = badMirror.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: mdir, withIntermediateDirectories: true)
        var labels = try Gzip.contents(of: Self.mirror.appendingPathComponent("mnist/t10k-labels-idx1-ubyte.gz"))
        labels[100] = (labels[100] + 1) % 10  // still a valid IDX file, wrong content
        try Gzip.write(labels, to: mdir.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))

        var entry = Catalog.mnist
        entry.files = entry.files.filter { $0.name.hasPrefix("t10k-labels") }
        var store = offlineStore(root: root, mirror: badMirror)
        store.catalog[.mnist] = entry
        let error = datasetError { try store.fetch(.mnist) }
        let mirrorFile = mdir.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path
        #expect(error?.caseName == "checksumMismatch")
        #expect(error?.description.contains(mirrorFile) == true)
        #expect(error?.description.contains(entry.files[0].checksum) == true)
        #expect(error?.description.contains(SHA256.hex(labels)) == true)
        let folder = store.folder(.mnist)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).isEmpty)

        // With a damaged copy already in place, the failed fetch leaves it as it was.
        let existing = folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz")
        try writeBytes([1, 2, 3], to: existing)
        #expect(datasetError { try store.fetch(.mnist) }?.caseName == "checksumMismatch")
        #expect(try readBytes(existing) == [1, 2, 3])
        #expect(partialFiles(in: folder).isEmpty)
    }

    @Test func unavailableWithoutSources() throws {
        let root = try makeTemporaryFolder(); defer { cleanup(root) }
        let empty = try makeTemporaryFolder("mirror"); defer { cleanup(empty) }
        let error = datasetError { try offlineStore(root: root, mirror: empty).fetch(.fashionMNIST) }
        #expect(error?.caseName == "unavailable")
        #expect(error?.description.contains(empty.appendingPathComponent("fashion-mnist").path) == true)
    }

    @Test func environmentAndNames() {
        let store = DataStore.fromEnvironment(["TELEPORT_DATA_DIR": "/data/x", "TELEPORT_DATA_MIRROR": "/m"])
        #expect(store.root.path == "/data/x" && store.mirror?.path == "/m")
        #expect(store.folder(.cifar10).path == "/data/x/cifar-10")
        let local = DataStore.fromEnvironment([:])
        #expect(local.root.lastPathComponent == "Datasets" && local.mirror == nil)
        #expect(DatasetName(parsing: "Fashion-MNIST") == .fashionMNIST && DatasetName(parsing: "cifar10") == .cifar10)
        #expect(DatasetName(parsing: "svhn") == nil)
        #expect(Catalog.fashionMNIST.systemPaths == ["/usr/share/datasets/fashion-mnist"])
        #expect(Catalog.mnist.baseURLs.first == "https://ossci-datasets.s3.amazonaws.com/mnist/")
        #expect(Catalog.cifar10.files.allSatisfy { $0.algorithm == .sha1 && $0.size == 30_730_000 })
    }
}
