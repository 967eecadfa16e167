import ArgumentParser
import Foundation

/// The three scales every experiment runs at, all on the same code path.
public enum Profile: String, CaseIterable, Codable, Sendable {
    /// Small scale (about two minutes on two cores); the claims tests use it.
    case quick
    /// What `make reproduce` runs.
    case `default`
    /// Exactly the published protocol.
    case paper

    /// Parses a profile name, or throws an error listing the valid names.
    public static func parse(_ name: String) throws -> Profile {
        guard let p = Profile(rawValue: name) else {
            throw HarnessError.unknownProfile(name, valid: allCases.map(\.rawValue))
        }
        return p
    }
}

/// A slice of the declared runs: shard `index` of `count` runs every run whose position in
/// the declared order is `index` modulo `count`.
public struct Shard: Codable, Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// The whole set of runs (shard 0/1).
    public static let all = Shard(validIndex: 0, count: 1)

    private init(validIndex: Int, count: Int) { self.index = validIndex; self.count = count }

    /// Shard `index` of `count`; throws unless 0 <= index < count.
    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 0, index < count else {
            throw HarnessError.invalidShard("\(index)/\(count)")
        }
        self.index = index; self.count = count
    }

    /// Parses "i/n".
    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let i = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let n = Int(parts[1].trimmingCharacters(in: .whitespaces)),
              n >= 1, i >= 0, i < n
        else { throw HarnessError.invalidShard(text) }
        return try Shard(index: i, count: n)
    }

    /// Whether the run at `position` in the declared order belongs to this shard.
    public func contains(position: Int) -> Bool { position % count == index }

    public var description: String { "\(index)/\(count)" }
    /// A file-name form: "all" or "shard-1-of-4".
    public var label: String { count == 1 ? "all" : "shard-\(index)-of-\(count)" }
}

/// Options every subcommand shares: which profile, where results live, which datasets.
public struct ExperimentOptions: ParsableArguments, Sendable {
    @Option(help: ArgumentHelp("Scale of the experiment: quick, default or paper (default: default).",
                               valueName: "profile"),
            transform: { try Profile.parse($0) })
    public var profile: Profile = .default

    @Option(help: ArgumentHelp("corrected (PROTOCOL.md's corrections, the default) or published (the published code's "
                               + "algorithm, its defects included); published results go to <profile>-published/.",
                               valueName: "algorithm"))
    public var algorithm: Algorithm = .corrected

    @Option(help: ArgumentHelp("Root folder of all results; outputs go to <results>/<experiment>/<profile>/.",
                               valueName: "folder"))
    public var results: String = "results"

    @Option(help: ArgumentHelp("Only these datasets (comma-separated or repeated); default: all the experiment uses.",
                               valueName: "names"))
    public var datasets: [String] = []

    @Option(name: .customLong("set"),
            help: ArgumentHelp("Replace a parameter of the profile (repeatable; names as `profiles` prints them, "
                               + "lists comma-separated). Results go to <profile>+<name>=<value>/, apart from the "
                               + "profile's own.", valueName: "name=value"),
            transform: { try Override.parse($0) })
    public var overrides: [Override] = []

    @Flag(help: "No progress line and no informational messages (errors are still printed).")
    public var quiet = false

    @Flag(help: "On an error, also print the underlying system or library error after the one-line message.")
    public var verbose = false

    public init() {}

    /// The name of the results folder of this profile: the profile's name, "-published" for
    /// the published algorithm, then the overrides (`Array<Override>.folderSuffix`), e.g.
    /// "quick-published+epochs=5".
    public var profileFolder: String { profile.rawValue + algorithm.folderSuffix + overrides.folderSuffix }

    /// The dataset names given, split at commas.
    public var datasetNames: [String] {
        datasets.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            .filter { !$0.isEmpty }
    }
}

/// Options of the `run` subcommand: how to compute.
public struct RunOptions: ParsableArguments, Sendable {
    @Option(help: ArgumentHelp("Runs executed in parallel.", valueName: "n"))
    public var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("Run only every n-th run, starting at i (0 <= i < n); combine shards with `merge`.",
                               valueName: "i/n"),
            transform: { try Shard.parse($0) })
    public var shard: Shard = .all

    @Flag(help: "Recompute runs whose result files already exist.")
    public var fresh = false

    @Option(help: ArgumentHelp("Start no run after this much wall time (seconds, or with s, m or h: 90m, 2h); "
                               + "finished runs are kept, the summary is written once every run is done: "
                               + "run the same command again to continue.", valueName: "duration"),
            transform: { try parseDuration($0) })
    public var stopAfter: Double? = nil

    public init() {}

    public mutating func validate() throws {
        guard jobs >= 1 else { throw ValidationError(HarnessError.invalidJobs(jobs).description) }
    }
}

/// Seconds from "3600", "3600s", "90m" or "2h" (a positive number of them).
public func parseDuration(_ text: String) throws -> Double {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
    let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
    let unit = trimmed.last.flatMap { units[$0] }
    let number = unit == nil ? trimmed : String(trimmed.dropLast())
    guard let value = Double(number), value.isFinite, value > 0 else {
        throw ValidationError("'\(text)' is not a duration: give seconds, or a number with s, m or h (90m, 2h)")
    }
    return value * (unit ?? 1)
}
