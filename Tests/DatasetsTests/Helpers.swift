import Datasets
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A fresh empty folder under the system temporary directory, removed by `cleanup`.
func makeTemporaryFolder(_ label: String = "datasets") throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("teleport-\(label)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func cleanup(_ url: URL) { try? FileManager.default.removeItem(at: url) }

func writeBytes(_ bytes: [UInt8], to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
}

func readBytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

/// Big-endian 32-bit word.
func be32(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }

/// An IDX image file: `count` images of rows x cols with pixel(sample, index).
func idxImages(count: Int, rows: Int, cols: Int, pixel: (Int, Int) -> UInt8) -> [UInt8] {
    var out = be32(0x803) + be32(count) + be32(rows) + be32(cols)
    for s in 0..<count { for i in 0..<(rows * cols) { out.append(pixel(s, i)) } }
    return out
}

/// An IDX label file.
func idxLabels(_ labels: [UInt8]) -> [UInt8] { be32(0x801) + be32(labels.count) + labels }

/// A CIFAR-10 binary batch: one label byte and 3072 pixel bytes per record.
func cifarBatch(labels: [UInt8], pixel: (Int, Int) -> UInt8) -> [UInt8] {
    var out: [UInt8] = []
    for (r, l) in labels.enumerated() {
        out.append(l)
        for i in 0..<3072 { out.append(pixel(r, i)) }
    }
    return out
}

/// The case of a dataset error, for comparisons.
extension DatasetError {
    var caseName: String {
        switch self {
        case .missingFile: return "missingFile"
        case .truncated: return "truncated"
        case .corruptGzip: return "corruptGzip"
        case .wrongMagic: return "wrongMagic"
        case .wrongRecordSize: return "wrongRecordSize"
        case .labelOutOfRange: return "labelOutOfRange"
        case .checksumMismatch: return "checksumMismatch"
        case .badArchive: return "badArchive"
        case .curlMissing: return "curlMissing"
        case .downloadFailed: return "downloadFailed"
        case .unavailable: return "unavailable"
        case .unknownDataset: return "unknownDataset"
        case .badImage: return "badImage"
        case .io: return "io"
        }
    }
}

/// The `DatasetError` thrown by `body`, or nil when it throws nothing (or something else).
func datasetError(_ body: () throws -> Void) -> DatasetError? {
    do { try body() } catch let e as DatasetError { return e } catch { return nil }
    return nil
}

/// Entries of a folder whose names mark temporary files.
func partialFiles(in folder: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".partial") }
}

/// A folder laid out as `<folder>/<name>/*.gz` holding all files of `name`: the offline
/// mirror, else the project's own `Datasets/` (filled by `datasets fetch`); nil when neither has it.
func dataSource(_ name: DatasetName) -> URL? {
    [TestPaths.datasetMirror, TestPaths.datasetsFolder].first { folder in
        Catalog.entry(name).files.allSatisfy {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(name.rawValue)/\($0.name)").path)
        }
    }
}

/// A copy of `name` in the offline mirror or in `Datasets/`, for `.requires(...)`.
func mirrorCopy(_ name: DatasetName) -> Prerequisite {
    Prerequisite(dataSource(name) != nil,
                 missing: "no copy of \(name) in \(TestPaths.datasetMirror.path)/\(name.rawValue) or "
                     + "\(TestPaths.datasetsFolder.path)/\(name.rawValue): set TELEPORT_DATA_MIRROR or run "
                     + "`datasets fetch \(name.rawValue)`")
}

/// A store that never touches the network or the system folders and logs nothing.
func offlineStore(root: URL, mirror: URL?) -> DataStore {
    DataStore(root: root, mirror: mirror, useSystemPaths: false, allowDownload: false,
              downloader: Downloader(connectTimeout: 5, stallTimeout: 10, maxTime: 60, showProgress: false),
              log: { _ in })
}

/// Finds an executable on PATH.
func executable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
        return "\(dir)/\(name)"
    }
    return nil
}

/// Runs a command to completion; returns its exit status and standard output.
@discardableResult
func runCommand(_ path: String, _ arguments: [String], in folder: URL? = nil) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    if let folder { p.currentDirectoryURL = folder }
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
