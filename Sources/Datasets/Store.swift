import Foundation

/// Where a file of a fetched dataset came from.
public enum FileSource: Sendable, Equatable, CustomStringConvertible {
    /// A verified copy was already in place.
    case existing
    /// Copied from the mirror folder (`TELEPORT_DATA_MIRROR`) at this path.
    case mirror(String)
    /// Copied from an operating-system install path.
    case system(String)
    /// Extracted from a tar.gz archive at this path (in the mirror).
    case archive(String)
    /// Downloaded from this URL.
    case download(String)
    /// Decoded from this image-folder archive (in the dataset folder).
    case decoded(String)

    public var description: String {
        switch self {
        case .existing: return "already present"
        case let .mirror(p): return "copied from mirror \(p)"
        case let .system(p): return "copied from \(p)"
        case let .archive(p): return "extracted from \(p)"
        case let .download(u): return "downloaded from \(u)"
        case let .decoded(p): return "decoded from \(p)"
        }
    }

    /// Like `description`, but naming the folder (or base URL) rather than the file, so
    /// that the files of one dataset from one place read as one group.
    public var summary: String {
        func parent(_ p: String) -> String {
            p.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        }
        switch self {
        case .existing: return description
        case let .mirror(p): return "copied from mirror \(parent(p))"
        case let .system(p): return "copied from \(parent(p))"
        case .archive, .decoded: return description
        case let .download(u): return "downloaded from \(parent(u))/"
        }
    }
}

/// The outcome for one file of a dataset.
public struct FileReport: Sendable, Equatable {
    /// Catalog file name.
    public var file: String
    /// Its location in the dataset folder.
    public var path: URL
    /// Where it came from (fetch) or `.existing` (verify).
    public var source: FileSource
}

/// The result of checking one file with `DataStore.verify`.
public struct FileCheck: Sendable {
    /// Catalog file name.
    public var file: String
    /// Its location in the dataset folder.
    public var path: URL
    /// Nil when the file is present with the catalog's checksum.
    public var error: DatasetError?
}

/// The local dataset store: `root/<name>/` folders, filled from (in order) an existing
/// verified copy, the mirror folder, operating-system install paths, and the official URLs.
/// Every file is verified before it is put in place; files are written under a temporary
/// name in the destination folder and renamed into place only once verified.
///
/// A source that has the file but with the wrong checksum is an error (it is not skipped in
/// favour of the next source), so a damaged mirror is noticed rather than silently bypassed.
public struct DataStore: Sendable {
    /// Folder holding one subfolder per dataset.
    public var root: URL
    /// A local mirror laid out as `<mirror>/mnist/`, `<mirror>/fashion-mnist/`, `<mirror>/cifar-10/`.
    public var mirror: URL?
    /// Whether to look in the catalog's operating-system install paths.
    public var useSystemPaths: Bool
    /// Whether downloading is allowed.
    public var allowDownload: Bool
    /// The downloader (timeouts, progress).
    public var downloader: Downloader
    /// Catalog entries by dataset; replace one to change its URLs or files.
    public var catalog: [DatasetName: CatalogEntry]
    /// Receives progress notes (standard error by default).
    public var log: @Sendable (String) -> Void

    public init(root: URL, mirror: URL? = nil, useSystemPaths: Bool = true, allowDownload: Bool = true,
                downloader: Downloader = Downloader(),
                log: (@Sendable (String) -> Void)? = nil) {
        self.root = root
        self.mirror = mirror
        self.useSystemPaths = useSystemPaths
        self.allowDownload = allowDownload
        self.downloader = downloader
        self.catalog = Dictionary(uniqueKeysWithValues: DatasetName.allCases.map { ($0, Catalog.entry($0)) })
        self.log = log ?? { writeStderr($0 + "\n") }
    }

    /// The default root: `$TELEPORT_DATA_DIR` if set, else `Datasets` in the current directory.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["TELEPORT_DATA_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir, isDirectory: true)
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
            .appendingPathComponent("Datasets", isDirectory: true)
    }

    /// A store configured from `TELEPORT_DATA_DIR` and `TELEPORT_DATA_MIRROR`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> DataStore {
        var mirror: URL?
        if let m = environment["TELEPORT_DATA_MIRROR"], !m.isEmpty {
            mirror = URL(fileURLWithPath: m, isDirectory: true)
        }
        return DataStore(root: defaultRoot(environment: environment), mirror: mirror)
    }

    /// The folder of `name`: `root/<name>`.
    public func folder(_ name: DatasetName) -> URL { root.appendingPathComponent(name.rawValue, isDirectory: true) }

    /// The catalog entry this store uses for `name`.
    public func entry(_ name: DatasetName) -> CatalogEntry { catalog[name] ?? Catalog.entry(name) }

    /// The files of `name` present in its folder (by name only; nothing is hashed).
    public func presentFiles(_ name: DatasetName) -> [String] {
        entry(name).allFiles.map(\.name).filter { FileOps.exists(folder(name).appendingPathComponent($0)) }
    }

    // MARK: Verify

    /// Checks every file of `name` in its folder (decoded ones included) against the catalog.
    public func verify(_ name: DatasetName) -> [FileCheck] {
        let dir = folder(name)
        return entry(name).allFiles.map { file in
            let path = dir.appendingPathComponent(file.name)
            do {
                guard FileOps.exists(path) else {
                    throw DatasetError.missingFile(path: path.path, fix: "Run `datasets fetch \(name.rawValue)`.")
                }
                try DataStore.verifyFile(path, against: file,
                                         fix: "Delete it and run `datasets fetch \(name.rawValue)` again.")
                return FileCheck(file: file.name, path: path, error: nil)
            } catch let error as DatasetError {
                return FileCheck(file: file.name, path: path, error: error)
            } catch {
                return FileCheck(file: file.name, path: path,
                                 error: .io(path: path.path, detail: "\(error)"))
            }
        }
    }

    /// The digest and length of the (decompressed when `gzipped`) content of `url`.
    public static func digest(of url: URL, gzipped: Bool, algorithm: ChecksumAlgorithm) throws -> (hex: String, size: Int) {
        let reader = try GzipReader(url: url, gzipped: gzipped)
        switch algorithm {
        case .sha256: return try digest(reader, SHA256())
        case .sha1: return try digest(reader, SHA1())
        }
    }

    private static func digest<H: StreamingHash>(_ reader: GzipReader, _ hasher: H) throws -> (hex: String, size: Int) {
        var h = hasher
        var size = 0
        try reader.forEachChunk { h.update($0); size += $0.count }
        return (hexString(h.finalize()), size)
    }

    /// Throws `DatasetError.checksumMismatch` (with `fix` as advice) unless the content of
    /// `url` has `file`'s checksum and size. `shownPath` names the file in the error.
    public static func verifyFile(_ url: URL, against file: CatalogFile, fix: String, shownPath: String? = nil) throws {
        let (hex, size) = try digest(of: url, gzipped: file.gzipped, algorithm: file.algorithm)
        if hex != file.checksum || size != file.size {
            throw DatasetError.checksumMismatch(
                path: shownPath ?? url.path, algorithm: file.algorithm.rawValue, expected: file.checksum,
                actual: hex, expectedSize: file.size, actualSize: size, fix: fix)
        }
    }

    // MARK: Fetch

    /// Makes `root/<name>/` hold every file of `name`, verified. Returns where each came from.
    @discardableResult
    public func fetch(_ name: DatasetName) throws -> [FileReport] {
        let entry = entry(name)
        let dir = folder(name)
        try FileOps.makeDirectory(dir)
        var reports: [FileReport] = []
        var missing: [CatalogFile] = []

        for file in entry.files {
            let path = dir.appendingPathComponent(file.name)
            guard FileOps.exists(path) else { missing.append(file); continue }
            do {
                try DataStore.verifyFile(path, against: file, fix: "")
                reports.append(FileReport(file: file.name, path: path, source: .existing))
            } catch {
                log("\(name): the existing \(path.path) failed verification (\(error)); fetching a fresh copy")
                missing.append(file)
            }
        }
        var tried: [String] = []

        // Mirror and operating-system folders holding the files themselves.
        var folders: [(URL, (String) -> FileSource)] = []
        if let mirror { folders.append((mirror.appendingPathComponent(name.rawValue), { .mirror($0) })) }
        if useSystemPaths {
            for p in entry.systemPaths { folders.append((URL(fileURLWithPath: p), { .system($0) })) }
        }
        for (source, kind) in folders {
            guard !missing.isEmpty else { break }
            tried.append(source.path)
            var still: [CatalogFile] = []
            for file in missing {
                let from = source.appendingPathComponent(file.name)
                guard FileOps.exists(from) else { still.append(file); continue }
                let to = dir.appendingPathComponent(file.name)
                try install(to, file: file, shownPath: from.path,
                            fix: "The copy at \(from.path) is damaged: replace it with a good copy "
                                + "(or unset TELEPORT_DATA_MIRROR); nothing was written to \(dir.path).") { tmp in
                    try FileOps.copy(from, to: tmp)
                }
                log("\(name): \(file.name) \(kind(from.path))")
                reports.append(FileReport(file: file.name, path: to, source: kind(from.path)))
            }
            missing = still
        }

        // Archive in the mirror.
        if !missing.isEmpty, let archive = entry.archive, let mirror {
            let from = mirror.appendingPathComponent(name.rawValue).appendingPathComponent(archive)
            tried.append(from.path)
            if FileOps.exists(from) {
                reports += try extract(missing, from: from, into: dir, source: .archive(from.path),
                                       fix: "The archive \(from.path) is damaged: replace it with a good copy "
                                           + "(or unset TELEPORT_DATA_MIRROR).")
                missing = []
            }
        }

        // Download.
        if !missing.isEmpty {
            guard !entry.baseURLs.isEmpty else {
                throw DatasetError.unavailable(dataset: name.rawValue,
                                               tried: tried + ["no download (only a mirror folder provides it)"])
            }
            guard allowDownload else {
                throw DatasetError.unavailable(dataset: name.rawValue, tried: tried + ["downloads (disabled)"])
            }
            if let archive = entry.archive {
                reports += try downloadArchive(archive, entry: entry, files: missing, into: dir)
            } else {
                for file in missing {
                    reports.append(try downloadFile(file, entry: entry, into: dir))
                }
            }
        }
        if let decoded = entry.decoded { reports += try decode(decoded, dataset: name, in: dir) }
        let order = entry.allFiles.map(\.name)
        return reports.sorted { order.firstIndex(of: $0.file)! < order.firstIndex(of: $1.file)! }
    }

    /// Decodes each split of `decoded` whose file is missing or damaged from the (verified)
    /// archive in `dir` into CIFAR-10 records, checks the images per class and the checksum of
    /// the reference decoding, then puts the file in place.
    private func decode(_ decoded: DecodedImageFolder, dataset: DatasetName, in dir: URL) throws -> [FileReport] {
        let archive = dir.appendingPathComponent(decoded.archive)
        return try decoded.splits.map { split in
            let destination = dir.appendingPathComponent(split.file.name)
            if FileOps.exists(destination) {
                do {
                    try DataStore.verifyFile(destination, against: split.file, fix: "")
                    return FileReport(file: split.file.name, path: destination, source: .existing)
                } catch {
                    log("\(dataset): the existing \(destination.path) failed verification (\(error)); decoding it again")
                }
            }
            log("\(dataset): decoding the \(split.split) images of \(decoded.archive)")
            let (records, labels) = try ImageFolder.records(archive, split: split.split, classes: decoded.classes,
                                                            shape: decoded.shape)
            var counts = [Int](repeating: 0, count: decoded.classes.count)
            for l in labels { counts[l] += 1 }
            if let c = counts.firstIndex(where: { $0 != split.perClass }) {
                throw DatasetError.badArchive(path: archive.path, detail: "\(split.split)/\(decoded.classes[c])/ holds "
                                              + "\(counts[c]) images, expected \(split.perClass)")
            }
            try install(destination, file: split.file, shownPath: "\(split.file.name) decoded from \(archive.path)",
                        fix: "The decoder gave other pixels than the reference decoding (libjpeg-turbo, "
                            + "integer IDCT), so results here would not match other machines; install the "
                            + "libjpeg-turbo that setup.sh installs. Nothing was written.") { tmp in
                try records.withUnsafeBytes { try Data($0).write(to: tmp) }
            }
            return FileReport(file: split.file.name, path: destination, source: .decoded(archive.path))
        }
    }

    /// Writes `destination` through a temporary file: `produce` fills it, it is verified, then
    /// renamed into place. The temporary file never survives a failure.
    private func install(_ destination: URL, file: CatalogFile, shownPath: String, fix: String,
                         produce: (URL) throws -> Void) throws {
        let tmp = FileOps.temporary(for: destination)
        defer { FileOps.remove(tmp) }
        try produce(tmp)
        try DataStore.verifyFile(tmp, against: file, fix: fix, shownPath: shownPath)
        try FileOps.publish(tmp, as: destination)
    }

    private func downloadFile(_ file: CatalogFile, entry: CatalogEntry, into dir: URL) throws -> FileReport {
        let destination = dir.appendingPathComponent(file.name)
        var failures: [DatasetError] = []
        for base in entry.baseURLs {
            let url = base + file.name
            do {
                try install(destination, file: file, shownPath: url,
                            fix: "The downloaded file is not the expected one (server changed or transfer "
                                + "corrupted); nothing was written. Try again later, or use a mirror "
                                + "(TELEPORT_DATA_MIRROR).") { tmp in
                    log("\(entry.name): downloading \(url)")
                    try downloader.download(url, to: tmp, label: "\(entry.name)/\(file.name)")
                }
                return FileReport(file: file.name, path: destination, source: .download(url))
            } catch let error as DatasetError {
                if case .downloadFailed = error, base != entry.baseURLs.last {
                    log("\(error); trying the next URL")
                    failures.append(error)
                    continue
                }
                throw error
            }
        }
        throw failures.last ?? DatasetError.unavailable(dataset: entry.name.rawValue, tried: ["no download URL"])
    }

    private func downloadArchive(_ archive: String, entry: CatalogEntry, files: [CatalogFile],
                                 into dir: URL) throws -> [FileReport] {
        let tmp = FileOps.temporary(for: dir.appendingPathComponent(archive))
        defer { FileOps.remove(tmp) }
        var lastError: DatasetError?
        for base in entry.baseURLs {
            let url = base + archive
            log("\(entry.name): downloading \(url)")
            do {
                try downloader.download(url, to: tmp, label: "\(entry.name)/\(archive)")
            } catch let error as DatasetError {
                lastError = error
                continue
            }
            return try extract(files, from: tmp, into: dir, source: .download(url),
                               fix: "The downloaded archive \(url) does not hold the expected files; "
                                   + "nothing was written. Try again later, or use a mirror (TELEPORT_DATA_MIRROR).",
                               shownArchive: url)
        }
        throw lastError ?? DatasetError.unavailable(dataset: entry.name.rawValue, tried: ["no download URL"])
    }

    /// Extracts `files` from the tar.gz `archive` into temporary names, verifies each, then
    /// renames them all into place.
    private func extract(_ files: [CatalogFile], from archive: URL, into dir: URL, source: FileSource,
                         fix: String, shownArchive: String? = nil) throws -> [FileReport] {
        let temps = Dictionary(uniqueKeysWithValues: files.map {
            ($0.name, FileOps.temporary(for: dir.appendingPathComponent($0.name)))
        })
        defer { for t in temps.values { FileOps.remove(t) } }
        let shown = shownArchive ?? archive.path
        log("\(dir.lastPathComponent): extracting \(files.map(\.name).joined(separator: ", ")) from \(shown)")
        let got = try Tar.extract(archive: archive, wanted: Set(temps.keys)) { temps[$0]! }
        for file in files {
            guard got.contains(file.name) else {
                throw DatasetError.badArchive(path: shown, detail: "no member named \(file.name)")
            }
            try DataStore.verifyFile(temps[file.name]!, against: file, fix: fix, shownPath: "\(shown):\(file.name)")
        }
        return try files.map { file in
            let destination = dir.appendingPathComponent(file.name)
            try FileOps.publish(temps[file.name]!, as: destination)
            return FileReport(file: file.name, path: destination, source: source)
        }
    }
}
