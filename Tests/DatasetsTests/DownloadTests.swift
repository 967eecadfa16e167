import Datasets
import Foundation
import Testing
import TestSupport

/// python3 (the server) and curl (the client).
let httpTools = Prerequisite(LocalHTTPServer.python3 != nil && Downloader.curlPath() != nil,
                             missing: "python3 or curl not found on PATH: install python3 and curl")

/// Downloads over real HTTP from `python3 -m http.server` on 127.0.0.1, with the catalog's
/// base URL pointed at it.
@Suite("Downloads over HTTP", .requires(httpTools))
struct DownloadTests {
    static let downloader = Downloader(connectTimeout: 5, stallTimeout: 10, maxTime: 60, showProgress: false)

    func store(root: URL) -> DataStore {
        DataStore(root: root, mirror: nil, useSystemPaths: false, allowDownload: true,
                  downloader: Self.downloader, log: { _ in })
    }

    /// The real MNIST files, served from the offline mirror folder, downloaded and verified.
    @Test(.requires(mirrorCopy(.mnist)))
    func downloadMNIST() throws {
        let server = try LocalHTTPServer(serving: try #require(dataSource(.mnist)))
        defer { server.stop() }
        let root = try makeTemporaryFolder(); defer { cleanup(root) }
        var s = store(root: root)
        s.catalog[.mnist] = Catalog.mnist.downloading(from: server.base + "mnist")
        let reports = try s.fetch(.mnist)
        #expect(reports.map(\.source) == Catalog.mnist.files.map { .download(server.base + "mnist/" + $0.name) })
        #expect(s.verify(.mnist).allSatisfy { $0.error == nil })
        #expect(partialFiles(in: s.folder(.mnist)).isEmpty)
        #expect(try load(.mnist, root: root).test.labels.prefix(3) == [7, 2, 1])
    }

    /// A served file with the wrong content: checksum error naming the URL; nothing installed.
    /// A missing file (HTTP 404): a download error; the next base URL is tried first.
    @Test func mismatchAndNotFound() throws {
        let served = try makeTemporaryFolder("served"); defer { cleanup(served) }
        let root = try makeTemporaryFolder(); defer { cleanup(root) }
        try FileManager.default.createDirectory(at: served.appendingPathComponent("mnist"), withIntermediateDirectories: true)
        let name = "t10k-labels-idx1-ubyte.gz"
        try Gzip.write(idxLabels([UInt8](repeating: 3, count: 10_000)), to: served.appendingPathComponent("mnist/\(name)"))
        let server = try LocalHTTPServer(serving: served)
        defer { server.stop() }

        var entry = Catalog.mnist.downloading(from: server.base + "mnist/")
        entry.files = entry.files.filter { $0.name == name }
        var s = store(root: root)
        s.catalog[.mnist] = entry
        let error = datasetError { try s.fetch(.mnist) }
        #expect(error?.caseName == "checksumMismatch")
        #expect(error?.description.contains(server.base + "mnist/" + name) == true)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: s.folder(.mnist).path)) ?? []).isEmpty)

        entry.files = Catalog.mnist.files.filter { $0.name.hasPrefix("train-labels") }
        s.catalog[.mnist] = entry
        let missing = datasetError { try s.fetch(.mnist) }
        #expect(missing?.caseName == "downloadFailed")
        #expect(missing?.description.contains("HTTP") == true)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: s.folder(.mnist).path)) ?? []).isEmpty)

        // Two bases: the first answers 404, the second has the (checksum-matching) file.
        var good = Catalog.mnist
        good.files = [CatalogFile(name: name, gzipped: true, algorithm: .sha256,
                                  checksum: SHA256.hex(idxLabels([UInt8](repeating: 3, count: 10_000))),
                                  size: 10_008)]
        good.baseURLs = [server.base + "nowhere/", server.base + "mnist/"]
        s.catalog[.mnist] = good
        let reports = try s.fetch(.mnist)
        #expect(reports.map(\.source) == [.download(server.base + "mnist/" + name)])
        #expect(try IDX.readLabels(s.folder(.mnist).appendingPathComponent(name)).count == 10_000)
    }

    /// CIFAR-10's archive downloaded and unpacked with the built-in tar reader.
    @Test(.requires(tarTool))
    func downloadArchive() throws {
        let work = try makeTemporaryFolder("work"); defer { cleanup(work) }
        let root = try makeTemporaryFolder(); defer { cleanup(root) }
        let synthetic = try SyntheticCIFAR(in: work)
        _ = try #require(try synthetic.archive(in: work.appendingPathComponent("served")))
        let server = try LocalHTTPServer(serving: work.appendingPathComponent("served"))
        defer { server.stop() }
        var s = store(root: root)
        s.catalog[.cifar10] = synthetic.entry.downloading(from: server.base)
        let reports = try s.fetch(.cifar10)
        #expect(reports.count == 6)
        #expect(reports.allSatisfy { $0.source == .download(server.base + "cifar-10-binary.tar.gz") })
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: s.folder(.cifar10).path)) ?? []).sorted()
                == (CIFAR.trainBatches + [CIFAR.testBatch]).sorted())
        #expect(try load(.cifar10, root: root).train.count == 5 * SyntheticCIFAR.records)
    }

    /// Nothing listens on the port: a download error (the downloader's timeouts bound the wait).
    @Test func unreachableServer() throws {
        let root = try makeTemporaryFolder(); defer { cleanup(root) }
        let port = try LocalHTTPServer.freePort()
        var s = store(root: root)
        s.catalog[.mnist] = Catalog.mnist.downloading(from: "http://127.0.0.1:\(port)/mnist/")
        let error = datasetError { try s.fetch(.mnist) }
        #expect(error?.caseName == "downloadFailed")
    }
}
