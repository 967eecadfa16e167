import Foundation
import Testing

/// Locations the test targets share: the repository root, the golden reference values and
/// the offline dataset mirror. A test that needs one declares it with `.requires(...)`.
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

    /// PyTorch's random streams as the published code uses them: `torch-rng` beside the golden
    /// folder (`../shared/reference/torch-rng`).
    public static var torchReferenceDirectory: URL {
        goldenDirectory.deletingLastPathComponent().appendingPathComponent("torch-rng")
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

/// Whether missing prerequisites fail or skip. `.ci/run` sets `TELEPORT_REQUIRE_REFERENCE=1`, so
/// a CI run cannot pass with its parity tests skipped; without it (a developer without
/// ../shared) they skip with the same message.
public enum Reference {
    /// `TELEPORT_REQUIRE_REFERENCE` is set to anything but "" or "0".
    public static var required: Bool {
        let value = ProcessInfo.processInfo.environment["TELEPORT_REQUIRE_REFERENCE"] ?? ""
        return !value.isEmpty && value != "0"
    }
}

/// Something a test needs from outside the repository: a golden file, a dataset, a tool, root.
public struct Prerequisite: Sendable {
    /// One line: what is missing and how to provide it.
    public let missing: String
    public let isPresent: @Sendable () -> Bool

    public init(_ isPresent: @autoclosure @escaping @Sendable () -> Bool, missing: String) {
        self.isPresent = isPresent
        self.missing = missing
    }

    /// The golden file `name` exists (whether it parses is `Golden.load`'s error to report).
    public static func golden(_ name: String) -> Prerequisite {
        let url = TestPaths.goldenDirectory.appendingPathComponent(name)
        return Prerequisite(FileManager.default.fileExists(atPath: url.path),
                            missing: GoldenError.missing(url).description)
    }

    /// The file `name` of PyTorch's random streams exists (`TestPaths.torchReferenceDirectory`).
    public static func torchReference(_ name: String) -> Prerequisite {
        let url = TestPaths.torchReferenceDirectory.appendingPathComponent(name)
        return Prerequisite(FileManager.default.fileExists(atPath: url.path),
                            missing: "reference file \(name) not found in \(url.deletingLastPathComponent().path): "
                                + "put the reference folder at ../shared/reference beside the repository or set TELEPORT_GOLDEN_DIR")
    }

    /// MNIST, Fashion-MNIST and the JPEG copy of CIFAR-10 are in `Datasets/`
    /// (`Executables.imageDataPresent`).
    public static var imageData: Prerequisite {
        Prerequisite(Executables.imageDataPresent,
                     missing: "MNIST, Fashion-MNIST or cifar-10-jpeg not in \(TestPaths.datasetsFolder.path): run `make datasets` "
                         + "(offline: set TELEPORT_DATA_MIRROR to the dataset mirror first)")
    }

    /// The tests run as root.
    public static func root(_ why: String) -> Prerequisite {
        Prerequisite(geteuid() == 0, missing: "not root: \(why); run make test as root")
    }
}

/// The error of a test whose prerequisite is missing under `TELEPORT_REQUIRE_REFERENCE=1`.
public struct MissingPrerequisite: Error, CustomStringConvertible {
    public let description: String
}

/// Runs a test or suite when its prerequisites are present; otherwise fails with the first
/// missing one's message under `Reference.required`, or skips with it.
public struct RequiresTrait: TestTrait, SuiteTrait {
    public let prerequisites: [Prerequisite]
    let sourceLocation: SourceLocation

    public var isRecursive: Bool { true }

    public func prepare(for test: Test) async throws {
        guard let absent = prerequisites.first(where: { !$0.isPresent() }) else { return }
        if Reference.required {
            throw MissingPrerequisite(description: "missing (TELEPORT_REQUIRE_REFERENCE=1): \(absent.missing)")
        }
        try await ConditionTrait.disabled(Comment(rawValue: absent.missing), sourceLocation: sourceLocation)
            .prepare(for: test)
    }
}

extension Trait where Self == RequiresTrait {
    /// `@Test(.requires(.golden("linalg.json")))`: see `RequiresTrait`.
    public static func requires(_ prerequisites: Prerequisite...,
                                sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        RequiresTrait(prerequisites: prerequisites, sourceLocation: sourceLocation)
    }
}

/// Whether a golden file can be used: absent, or present but unusable (never the same thing).
public enum GoldenError: Error, Equatable, CustomStringConvertible {
    /// No file at this location.
    case missing(URL)
    /// The file exists but is unreadable, not JSON, or not of the expected shape.
    case corrupt(URL, String)

    public var description: String {
        switch self {
        case .missing(let url):
            "golden file \(url.lastPathComponent) not found in \(url.deletingLastPathComponent().path): "
                + "put the reference folder at ../shared/reference/golden beside the repository or set TELEPORT_GOLDEN_DIR"
        case .corrupt(let url, let reason):
            "golden file \(url.path) is corrupt: \(reason)"
        }
    }
}

/// A golden reference file (JSON computed in float64 with the authors' PyTorch code). Every
/// accessor throws `GoldenError.corrupt` naming the file and key when the value is absent or of
/// the wrong shape.
public struct Golden: @unchecked Sendable {
    /// Where the file was read from.
    public let url: URL
    /// The parsed top-level JSON object.
    public let root: [String: Any]
    /// The file's `note`: exactly what was computed.
    public var note: String { root["note"] as? String ?? "" }

    /// Loads `name` (for example "linalg.json") from `TestPaths.goldenDirectory`.
    public static func load(_ name: String) throws -> Golden {
        try load(contentsOf: TestPaths.goldenDirectory.appendingPathComponent(name))
    }

    /// Loads `name` (for example "torch_rng.json") from `TestPaths.torchReferenceDirectory`.
    public static func loadTorchReference(_ name: String) throws -> Golden {
        try load(contentsOf: TestPaths.torchReferenceDirectory.appendingPathComponent(name))
    }

    /// Loads the golden file at `url`: `GoldenError.missing` when there is no file,
    /// `.corrupt` when it cannot be read, is not JSON, or is not an object with a `note`.
    public static func load(contentsOf url: URL) throws -> Golden {
        guard FileManager.default.fileExists(atPath: url.path) else { throw GoldenError.missing(url) }
        let data: Data, object: Any
        do { data = try Data(contentsOf: url) } catch {
            throw GoldenError.corrupt(url, "unreadable (\(error.localizedDescription))")
        }
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw GoldenError.corrupt(url, "not valid JSON")
        }
        guard let root = object as? [String: Any] else {
            throw GoldenError.corrupt(url, "the top level is not a JSON object")
        }
        guard root["note"] is String else { throw GoldenError.corrupt(url, "no \"note\" string") }
        return Golden(url: url, root: root)
    }

    /// Value at a slash-separated key path, e.g. "pinv/wide/A"; a number indexes a list ("steps/0/W").
    public subscript(path: String) -> Any? {
        var node: Any? = root
        for key in path.split(separator: "/").map(String.init) {
            if let list = node as? [Any], let i = Int(key) {
                node = list.indices.contains(i) ? list[i] : nil
            } else {
                node = (node as? [String: Any])?[key]
            }
        }
        return node
    }

    public func double(_ path: String) throws -> Double {
        try parse(path, "a number") { $0 as? NSNumber }.doubleValue
    }

    public func list(_ path: String) throws -> [Any] { try parse(path, "a list") { $0 as? [Any] } }

    /// A 1-D array of numbers.
    public func vector(_ path: String) throws -> [Double] { try parse(path, "a vector", Golden.vector) }

    /// A list of 1-D arrays (for example the gradient sequence).
    public func vectors(_ path: String) throws -> [[Double]] {
        try parse(path, "a list of vectors") { Golden.all(of: $0, Golden.vector) }
    }

    /// A 2-D array as (rows, cols, row-major values).
    public func matrix(_ path: String) throws -> (rows: Int, cols: Int, values: [Double]) {
        try parse(path, "a matrix", Golden.matrix)
    }

    /// A list of 2-D arrays (for example the weight list `W`).
    public func matrices(_ path: String) throws -> [(rows: Int, cols: Int, values: [Double])] {
        try parse(path, "a list of matrices") { Golden.all(of: $0, Golden.matrix) }
    }

    /// The value at `path` converted by `convert`, or `.corrupt` saying it is not `what`.
    private func parse<T>(_ path: String, _ what: String, _ convert: (Any) -> T?) throws -> T {
        guard let value = self[path] else { throw GoldenError.corrupt(url, "no \"\(path)\"") }
        guard let out = convert(value) else { throw GoldenError.corrupt(url, "\"\(path)\" is not \(what)") }
        return out
    }

    private static func all<T>(of any: Any, _ convert: (Any) -> T?) -> [T]? {
        guard let list = any as? [Any] else { return nil }
        let out = list.compactMap(convert)
        return out.count == list.count ? out : nil
    }

    private static func vector(_ any: Any) -> [Double]? { all(of: any) { ($0 as? NSNumber)?.doubleValue } }

    private static func matrix(_ any: Any) -> (rows: Int, cols: Int, values: [Double])? {
        guard let rows = all(of: any, vector), let cols = rows.first?.count,
              rows.allSatisfy({ $0.count == cols }) else { return nil }
        return (rows.count, cols, rows.flatMap { $0 })
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

    /// Whether MNIST, Fashion-MNIST and the decoded JPEG copy of CIFAR-10 are in the project's
    /// `Datasets/` folder (the claims tests' expected outcomes include all three).
    public static var imageDataPresent: Bool {
        ["mnist/train-images-idx3-ubyte.gz", "fashion-mnist/train-images-idx3-ubyte.gz",
         "cifar-10-jpeg/train.bin", "cifar-10-jpeg/test.bin"].allSatisfy {
            FileManager.default.fileExists(atPath: TestPaths.datasetsFolder.appendingPathComponent($0).path)
        }
    }

    /// Runs `name` with `arguments` from the repository root (data from `Datasets/`, unless
    /// `environment` sets other variables); returns its exit status and combined output.
    @discardableResult
    public static func run(_ name: String, _ arguments: [String],
                           environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        try start(productsDirectory.appendingPathComponent(name), arguments, environment: environment).wait()
    }

    /// Starts `program` with `arguments` from the repository root (data from `Datasets/`;
    /// `environment` overrides variables) without waiting; several can run at once.
    public static func start(_ program: URL, _ arguments: [String],
                             environment overrides: [String: String] = [:]) throws -> RunningProgram {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = TestPaths.repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment["TELEPORT_DATA_DIR"] = TestPaths.datasetsFolder.path
        environment.merge(overrides) { _, new in new }
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

    /// The program's process id (to send it signals).
    public var pid: Int32 { process.processIdentifier }

    /// True when it ended by an uncaught signal rather than by exiting (valid after `wait`).
    public var killedBySignal: Bool { process.terminationReason == .uncaughtSignal }

    /// Waits for the program to end; returns its exit status (or the signal that ended it)
    /// and combined output.
    public func wait() throws -> (status: Int32, output: String) {
        process.waitUntilExit()
        try handle.close()
        defer { try? FileManager.default.removeItem(at: log) }
        return (process.terminationStatus, String(decoding: try Data(contentsOf: log), as: UTF8.self))
    }
}
