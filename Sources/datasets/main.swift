// `datasets`: obtain, verify and locate the image datasets (see the Data section of README.md).
import ArgumentParser
import Datasets
import Foundation

/// Options shared by the subcommands: where the datasets live and where a mirror is.
struct Locations: ParsableArguments {
    @Option(help: "Folder holding one subfolder per dataset (default: $TELEPORT_DATA_DIR, else ./Datasets).")
    var root: String?

    @Option(help: "Mirror folder laid out as <mirror>/mnist/, <mirror>/fashion-mnist/, <mirror>/cifar-10/, <mirror>/cifar-10-jpeg/ (default: $TELEPORT_DATA_MIRROR).")
    var mirror: String?

    func store() -> DataStore {
        var store = DataStore.fromEnvironment()
        if let root { store.root = URL(fileURLWithPath: root, isDirectory: true) }
        if let mirror { store.mirror = mirror.isEmpty ? nil : URL(fileURLWithPath: mirror, isDirectory: true) }
        return store
    }
}

/// Parses dataset names; "all" means every dataset of the catalog.
func parseNames(_ names: [String]) throws -> [DatasetName] {
    var out: [DatasetName] = []
    for text in names {
        if text.lowercased() == "all" {
            out += DatasetName.allCases
        } else if let name = DatasetName(parsing: text) {
            out.append(name)
        } else {
            throw ValidationError(DatasetError.unknownDataset(text).description)
        }
    }
    var seen = Set<DatasetName>()
    return out.filter { seen.insert($0).inserted }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "Obtain, verify and locate MNIST, Fashion-MNIST, CIFAR-10 and its JPEG copy.",
        discussion: """
            Each dataset is kept in <root>/<name>/ (root: $TELEPORT_DATA_DIR, else ./Datasets). \
            `fetch` tries, in order: an existing verified copy; the mirror folder \
            ($TELEPORT_DATA_MIRROR); Debian's /usr/share/datasets/fashion-mnist (Fashion-MNIST \
            only); the official URL. Every file is checked against the SHA-256 (MNIST, \
            Fashion-MNIST) or SHA-1 (CIFAR-10) of its decompressed bytes before it is put in place. \
            cifar-10-jpeg (CIFAR-10 re-encoded as JPEG, a lossy stand-in for offline machines) comes \
            only from the mirror; its archive is checked by SHA-256, then decoded once into \
            train.bin and test.bin (CIFAR-10 records), checked against the reference decoding.
            """,
        subcommands: [Fetch.self, Verify.self, Where.self, Inspect.self])
}

struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Obtain datasets into <root>/<name>/ and verify them.",
        discussion: "NAME is mnist, fashion-mnist, cifar-10, cifar-10-jpeg, or all.")

    @Argument(help: "Datasets to fetch (mnist, fashion-mnist, cifar-10, cifar-10-jpeg, all).")
    var names: [String]

    @OptionGroup var locations: Locations

    @Flag(help: "Never download; use only existing copies, the mirror and system folders.")
    var noDownload = false

    @Option(name: .customLong("base-url"),
            help: "Download from <base-url>/<name>/ instead of the official URLs (a private HTTP mirror).")
    var baseURL: String?

    func validate() throws {
        if names.isEmpty { throw ValidationError("name at least one dataset (or all)") }
        _ = try parseNames(names)
    }

    func run() throws {
        var store = locations.store()
        store.allowDownload = !noDownload
        if let baseURL {
            let base = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
            for name in DatasetName.allCases {
                store.catalog[name] = store.entry(name).downloading(from: base + name.rawValue + "/")
            }
        }
        var failed = false
        for name in try parseNames(names) {
            do {
                let start = Date()
                let reports = try store.fetch(name)
                let sources = Dictionary(grouping: reports) { $0.source.summary }
                    .map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ")
                print("\(name): ready in \(store.folder(name).path) (\(reports.count) files verified: "
                      + "\(sources); \(String(format: "%.1f", Date().timeIntervalSince(start))) s)")
            } catch {
                printError("error: \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-check the checksums of fetched datasets.",
        discussion: "Without names, checks every dataset that has a folder under the root.")

    @Argument(help: "Datasets to verify (default: every dataset present).")
    var names: [String] = []

    @OptionGroup var locations: Locations

    func validate() throws { _ = try parseNames(names) }

    func run() throws {
        let store = locations.store()
        var list = try parseNames(names)
        if list.isEmpty {
            list = DatasetName.allCases.filter { !store.presentFiles($0).isEmpty }
            if list.isEmpty {
                print("no dataset found under \(store.root.path); run `datasets fetch` first")
                return
            }
        }
        var failed = false
        for name in list {
            let start = Date()
            let checks = store.verify(name)
            let seconds = String(format: "%.2f", Date().timeIntervalSince(start))
            let bad = checks.filter { $0.error != nil }
            if bad.isEmpty {
                print("\(name): OK (\(checks.count) files in \(store.folder(name).path); \(seconds) s)")
            } else {
                failed = true
                print("\(name): FAILED (\(bad.count) of \(checks.count) files)")
                for check in bad { printError("error: \(check.error!)") }
            }
        }
        if failed { throw ExitCode.failure }
    }
}

struct Where: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show where each dataset lives and where it would be obtained from.")

    @Argument(help: "Datasets to show (default: all).")
    var names: [String] = []

    @OptionGroup var locations: Locations

    func validate() throws { _ = try parseNames(names) }

    func run() throws {
        let store = locations.store()
        let env = ProcessInfo.processInfo.environment
        let rootNote = (locations.root != nil) ? "--root"
            : (env["TELEPORT_DATA_DIR"].map { $0.isEmpty ? "./Datasets" : "TELEPORT_DATA_DIR" } ?? "./Datasets")
        print("root:   \(store.root.path)  (\(rootNote))")
        if let mirror = store.mirror {
            print("mirror: \(mirror.path)  (\(locations.mirror != nil ? "--mirror" : "TELEPORT_DATA_MIRROR"))")
        } else {
            print("mirror: not set (TELEPORT_DATA_MIRROR)")
        }
        let list = try parseNames(names)
        for name in list.isEmpty ? DatasetName.allCases : list {
            let entry = store.entry(name)
            let present = store.presentFiles(name)
            let state = present.count == entry.allFiles.count ? "present"
                : present.isEmpty ? "absent" : "incomplete"
            print("\n\(name): \(state) (\(present.count)/\(entry.allFiles.count) files) in \(store.folder(name).path)")
            print("  \(entry.title)")
            if let mirror = store.mirror {
                let dir = mirror.appendingPathComponent(name.rawValue)
                let n = entry.files.filter { FileManager.default.fileExists(atPath: dir.appendingPathComponent($0.name).path) }.count
                let archive = entry.archive.map { FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path) } ?? false
                print("  mirror: \(dir.path) (\(n) files\(archive ? " + \(entry.archive!)" : ""))")
            }
            for p in entry.systemPaths {
                print("  system: \(p) (\(FileManager.default.fileExists(atPath: p) ? "installed" : "not installed"))")
            }
            for base in entry.baseURLs { print("  url:    \(base)\(entry.archive ?? "")") }
            if entry.baseURLs.isEmpty { print("  url:    none (only a mirror folder provides it)") }
            for file in entry.files {
                let mark = present.contains(file.name) ? "+" : "-"
                print("  \(mark) \(file.name)  \(file.algorithm.rawValue) \(file.checksum)  (\(file.size) bytes\(file.gzipped ? " decompressed" : ""))")
            }
            for split in entry.decoded?.splits ?? [] {
                let file = split.file, mark = present.contains(file.name) ? "+" : "-"
                print("  \(mark) \(file.name)  \(file.algorithm.rawValue) \(file.checksum)  (\(file.size) bytes, "
                      + "the \(split.split) images decoded into CIFAR-10 records)")
            }
        }
        print("\n(+ present, - absent; checksums are of the decompressed bytes. `datasets verify` "
              + "re-checks them; `datasets fetch NAME` obtains a dataset.)")
    }
}

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load fetched datasets and print their sizes, class counts and load time.")

    @Argument(help: "Datasets to load (mnist, fashion-mnist, cifar-10, cifar-10-jpeg, all).")
    var names: [String]

    @OptionGroup var locations: Locations

    func validate() throws { _ = try parseNames(names) }

    func run() throws {
        let store = locations.store()
        for name in try parseNames(names) {
            let start = Date()
            let (train, test) = try load(name, root: store.root)
            let seconds = Date().timeIntervalSince(start)
            print("\(name): loaded in \(String(format: "%.3f", seconds)) s from \(store.folder(name).path)")
            for (part, set) in [("train", train), ("test", test)] {
                print("  \(part): \(set.count) images x \(set.features) features, class counts \(set.classCounts)")
            }
        }
    }
}

DatasetsCommand.main()
