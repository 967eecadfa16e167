import Foundation
import Tensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The version of this harness and the compiler that built it.
public enum ToolVersion {
    public static let harness = "1.0"
    public static var compiler: String {
        #if compiler(>=6.3)
        return "Swift 6.3 or later"
        #elseif compiler(>=6.2)
        return "Swift 6.2"
        #elseif compiler(>=6.1)
        return "Swift 6.1"
        #else
        return "Swift 6.0"
        #endif
    }
    public static var description: String { "teleport-swift Experiments \(harness) (\(compiler))" }
}

/// The machine an invocation ran on.
public struct Machine: Codable, Sendable, Equatable {
    public var hostname: String
    public var cores: Int
    public var cpuModel: String
    public var os: String
    public var memoryGiB: Double
    /// OpenBLAS's kernel set (`pinBLASKernels` pins Haswell on x86-64); nil in files written
    /// before it was recorded.
    public var blasKernels: String? = nil

    /// The current machine.
    public static func current() -> Machine {
        let info = ProcessInfo.processInfo
        return Machine(hostname: info.hostName, cores: info.activeProcessorCount,
                       cpuModel: cpuModel(), os: operatingSystem(),
                       memoryGiB: (Double(info.physicalMemory) / 1_073_741_824 * 10).rounded() / 10,
                       blasKernels: blasKernelSet)
    }

    static func cpuModel() -> String {
        #if os(Linux)
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("model name") {
                if let colon = line.firstIndex(of: ":") {
                    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        #else
        if let brand = runCommand(["sysctl", "-n", "machdep.cpu.brand_string"]) { return brand }
        #endif
        return "unknown"
    }

    static func operatingSystem() -> String {
        var u = utsname()
        guard uname(&u) == 0 else { return ProcessInfo.processInfo.operatingSystemVersionString }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
        }
        return "\(field(u.sysname)) \(field(u.release)) \(field(u.machine))"
    }
}

/// The git state of the repository the executable was built from (else of the working
/// directory's repository).
public struct GitState: Codable, Sendable, Equatable {
    /// `git rev-parse HEAD`, or nil outside a repository or without git.
    public var commit: String?
    /// Whether tracked files differ from the commit (nil when unknown).
    public var dirty: Bool?

    public static func current() -> GitState {
        var folders: [String] = []
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            folders.append(exe.deletingLastPathComponent().path)
        }
        folders.append(FileManager.default.currentDirectoryPath)
        for folder in folders {
            guard let commit = runCommand(["git", "-C", folder, "rev-parse", "HEAD"]) else { continue }
            let status = runCommand(["git", "-C", folder, "status", "--porcelain", "--untracked-files=no"])
            return GitState(commit: commit, dirty: status.map { !$0.isEmpty })
        }
        return GitState(commit: nil, dirty: nil)
    }

    enum CodingKeys: String, CodingKey { case commit, dirty }

    public init(commit: String?, dirty: Bool?) { self.commit = commit; self.dirty = dirty }

    /// Writes absent values as null, so a missing commit is visible in the file.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(commit, forKey: .commit)
        try c.encode(dirty, forKey: .dirty)
    }
}

/// Runs a command found on PATH and returns its trimmed standard output, or nil when it
/// cannot be run or exits with a failure.
func runCommand(_ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    do { try process.run() } catch { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// What one invocation of an executable did and where: kept apart from the statistics so
/// that summaries stay byte-identical however the runs were spread over invocations.
public struct Invocation: Codable, Sendable {
    /// "run" or "merge".
    public var command: String
    public var arguments: [String]
    public var experiment: String
    public var profile: Profile
    /// "published" for the published algorithm (absent for the corrected one).
    public var algorithm: String?
    /// The `--set` overrides applied to the profile's parameters (absent when none).
    public var overrides: [String]?
    public var params: JSONValue
    /// The slice of runs this invocation executed ("0/1" for all).
    public var shard: String?
    public var jobs: Int?
    /// Dataset file checksums reported by the experiment (nil when no run executed).
    public var datasetChecksums: [String: String]?
    /// Runs executed, and runs skipped because their results already existed.
    public var executed: Int?
    public var skipped: Int?
    /// The keys of the executed runs (nil in files written before they were kept): which
    /// records a later invocation replaced, for the time table (`WallTimes`).
    public var executedKeys: [String]? = nil
    /// Sum of the executed runs' wall times (core-seconds of work).
    public var runSeconds: Double?
    /// ISO 8601 start time (UTC) and wall-clock duration of the invocation.
    public var started: String
    public var wallSeconds: Double
    public var git: GitState
    public var machine: Machine
    /// The machine's single-threaded sgemm rate before the first run and after the last
    /// (`MachineSpeed`; nil when no run executed, and in files written before it was recorded).
    public var sgemmGFLOPS: SpeedProbe? = nil
    public var tool: String

    static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }
}

/// The provenance file written beside a summary: the invocation that wrote the summary and
/// every invocation whose runs it contains (one per shard).
public struct Provenance: Codable, Sendable {
    public var summary: Invocation
    public var runs: [Invocation]
}
