import Foundation

/// Locations the test targets share: the repository root, the golden reference values and
/// the offline dataset mirror. Tests skip with a clear message when a location is absent.
public enum TestPaths {
    /// The repository root (the folder holding Package.swift).
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Sources/TestSupport/TestSupport.swift
        return url
    }()

    /// `../shared/reference/golden` beside the repository, or `$TELEPORT_GOLDEN_DIR`.
    public static var goldenDirectory: URL {
        if let env = ProcessInfo.processInfo.environment["TELEPORT_GOLDEN_DIR"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/reference/golden")
    }

    /// The offline dataset mirror: `$TELEPORT_DATA_MIRROR`, else `../shared/datasets`.
    public static var datasetMirror: URL {
        if let env = ProcessInfo.processInfo.environment["TELEPORT_DATA_MIRROR"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets")
    }

    /// The project's own dataset folder, `Datasets/`.
    public static var datasetsFolder: URL { repositoryRoot.appendingPathComponent("Datasets") }
}

/// A golden reference file (JSON computed in float64 with the authors' PyTorch code).
public struct Golden: @unchecked Sendable {
    /// The parsed top-level JSON object.
    public let root: [String: Any]
    /// The file's `note`: exactly what was computed.
    public var note: String { root["note"] as? String ?? "" }

    /// Loads `name` (for example "linalg.json") from the golden folder, or returns nil when
    /// the folder or file is absent (callers then skip with a message).
    public static func load(_ name: String) -> Golden? {
        let url = TestPaths.goldenDirectory.appendingPathComponent(name)
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return Golden(root: object)
    }

    /// Message for a skipped test whose golden file is missing.
    public static func missing(_ name: String) -> String {
        "golden file \(name) not found in \(TestPaths.goldenDirectory.path); set TELEPORT_GOLDEN_DIR"
    }

    /// Value at a slash-separated key path, e.g. "pinv/wide/A".
    public subscript(path: String) -> Any? {
        var node: Any? = root
        for key in path.split(separator: "/") {
            node = (node as? [String: Any])?[String(key)]
        }
        return node
    }

    public func double(_ path: String) -> Double? { (self[path] as? NSNumber)?.doubleValue }

    /// A 1-D array of numbers.
    public func vector(_ path: String) -> [Double]? { Golden.vector(self[path]) }

    /// A 2-D array as (rows, cols, row-major values).
    public func matrix(_ path: String) -> (rows: Int, cols: Int, values: [Double])? {
        Golden.matrix(self[path])
    }

    /// A list of 2-D arrays (for example the weight list `W`).
    public func matrices(_ path: String) -> [(rows: Int, cols: Int, values: [Double])]? {
        guard let list = self[path] as? [Any] else { return nil }
        let out = list.compactMap { Golden.matrix($0) }
        return out.count == list.count ? out : nil
    }

    public static func vector(_ any: Any?) -> [Double]? {
        guard let list = any as? [Any] else { return nil }
        let out = list.compactMap { ($0 as? NSNumber)?.doubleValue }
        return out.count == list.count ? out : nil
    }

    public static func matrix(_ any: Any?) -> (rows: Int, cols: Int, values: [Double])? {
        guard let rows = any as? [Any], !rows.isEmpty else { return nil }
        var values: [Double] = []
        var cols = -1
        for row in rows {
            guard let r = vector(row) else { return nil }
            if cols < 0 { cols = r.count } else if cols != r.count { return nil }
            values += r
        }
        return (rows.count, cols, values)
    }
}

/// Largest relative difference |a-b| / max(|b|, floor) over two equal-length arrays.
public func maxRelativeError(_ a: [Double], _ b: [Double], floor: Double = 1e-12) -> Double {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    var worst = 0.0
    for i in a.indices {
        let e = abs(a[i] - b[i]) / max(abs(b[i]), floor)
        if e.isNaN { return .infinity }
        worst = max(worst, e)
    }
    return worst
}

/// Relative error in the norm sense: ||a - b|| / max(||b||, floor).
public func normRelativeError(_ a: [Double], _ b: [Double], floor: Double = 1e-300) -> Double {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    var num = 0.0, den = 0.0
    for i in a.indices { num += (a[i] - b[i]) * (a[i] - b[i]); den += b[i] * b[i] }
    return (num.squareRoot()) / max(den.squareRoot(), floor)
}

/// Runs the project's result executables from tests (end to end, as a user would).
public enum Executables {
    /// The folder holding the built products (the test bundle's own folder).
    public static var productsDirectory: URL {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        if dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS" { dir.deleteLastPathComponent() }
        return dir
    }

    /// Whether MNIST and Fashion-MNIST are in the project's `Datasets/` folder.
    public static var imageDataPresent: Bool {
        ["mnist", "fashion-mnist"].allSatisfy {
            FileManager.default.fileExists(atPath: TestPaths.datasetsFolder
                .appendingPathComponent("\($0)/train-images-idx3-ubyte.gz").path)
        }
    }

    /// Runs `name` with `arguments` from the repository root (data from `Datasets/`); returns
    /// its exit status and combined output.
    @discardableResult
    public static func run(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try start(productsDirectory.appendingPathComponent(name), arguments).wait()
    }

    /// Starts `program` with `arguments` from the repository root (data from `Datasets/`)
    /// without waiting; several can run at once.
    public static func start(_ program: URL, _ arguments: [String]) throws -> RunningProgram {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = TestPaths.repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment["TELEPORT_DATA_DIR"] = TestPaths.datasetsFolder.path
        process.environment = environment
        // Output goes to a file, not a pipe: nothing has to drain it while the program runs,
        // and a daemon the program starts cannot hold the reader open by inheriting it.
        let log = FileManager.default.temporaryDirectory
            .appendingPathComponent("teleport-output-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: log.path])
        }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        // A child inherits the signal mask of the thread that starts it, and test threads
        // block most signals: start it with none blocked, so that it (and any daemon it
        // starts) can be stopped with SIGTERM.
        var none = sigset_t(), saved = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        do { try process.run() } catch {
            try? handle.close(); try? FileManager.default.removeItem(at: log)
            throw error
        }
        return RunningProgram(process: process, log: log, handle: handle)
    }

    /// A fresh temporary folder for a test's results.
    public static func temporaryFolder(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("teleport-\(label)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A program started by `Executables.start`.
public final class RunningProgram: @unchecked Sendable {
    let process: Process
    let log: URL
    let handle: FileHandle

    init(process: Process, log: URL, handle: FileHandle) {
        self.process = process; self.log = log; self.handle = handle
    }

    /// Waits for the program to end; returns its exit status and combined output.
    public func wait() throws -> (status: Int32, output: String) {
        process.waitUntilExit()
        try handle.close()
        defer { try? FileManager.default.removeItem(at: log) }
        return (process.terminationStatus, String(decoding: try Data(contentsOf: log), as: UTF8.self))
    }
}
