import Foundation

/// One result executable of the paper, described to the harness.
///
/// The harness asks for the profile's parameters, the list of runs (one seed of one
/// configuration each), executes the runs in parallel (each writes its own JSON file, so an
/// interrupted invocation resumes), then calls `summarize` with every run's result, in the
/// declared order, to write tables and figures, and `verdicts` to decide the paper's claims
/// from the summary's statistics. An executable is one conforming type plus
/// `ExperimentCommand<MyExperiment>.main()`:
///
/// ```swift
/// struct Correlation: Experiment {
///     struct Params: Codable, Sendable { var seeds: Int; var epochs: Int }
///     struct Result: Codable, Sendable { var sharpness: Double; var validationLoss: Double }
///     struct Statistics: Encodable, Sendable { var r: [String: Stats.Correlation] }
///     static let name = "correlation"
///     static let abstract = "Correlation of sharpness with validation loss (Table 1)."
///     static let datasets = ["mnist", "fashion-mnist", "cifar10"]
///
///     func params(for profile: Profile) -> Params {
///         switch profile {
///         case .quick: Params(seeds: 6, epochs: 2)
///         case .default: Params(seeds: 30, epochs: 40)
///         case .paper: Params(seeds: 100, epochs: 40)
///         }
///     }
///     func runs(params: Params, datasets: [String]) -> [SeedRun] {
///         datasets.flatMap { d in (0..<params.seeds).map { SeedRun(d, seed: $0) } }
///     }
///     func execute(_ run: SeedRun, params: Params, shared: Void, context: RunContext) throws -> Result {
///         for epoch in 0..<params.epochs {
///             context.report("epoch", epoch + 1, of: params.epochs)
///             let loss = ...                                  // one epoch of training
///             try context.checkFinite(loss, epoch: epoch)     // NaN: recorded as diverged
///         }
///         return Result(sharpness: ..., validationLoss: ...)
///     }
///     func summarize(_ results: RunResults<Self>, params: Params, output: OutputFolder) throws -> Statistics {
///         var table = Table(columns: ["dataset", "r", "95% CI", "p"])
///         ...                                                 // Stats.pearson per dataset
///         try output.write(table, name: "table1")             // table1.csv + table1.md
///         return Statistics(r: ...)
///     }
///     func verdicts(_ s: Statistics, params: Params, datasets: [String]) -> [Verdict] {
///         [Verdict(claim: "r(phi, validation loss) > 0 with its 95% CI above 0",
///                  checks: s.r.sorted { $0.key < $1.key }.map { name, c in
///                      Check(name, passes: c.low > 0, c.description) })]
///     }
/// }
/// ExperimentCommand<Correlation>.main()
/// ```
public protocol Experiment: Sendable {
    /// Hyper-parameters of one profile (printed as a table at start, stored in the summary).
    associatedtype Params: Codable & Sendable
    /// What one run computes (a seed, a dataset, an optimizer, ...); identified by its `key`.
    associatedtype Run: RunDescriptor
    /// What one run produces; stored in the run's JSON file.
    associatedtype Result: Codable & Sendable
    /// Read-only data loaded once and shared by all runs (datasets); `Void` when none.
    associatedtype Shared: Sendable = Void
    /// The numbers the summary reports (deterministic: no times, no dates).
    associatedtype Statistics: Encodable & Sendable

    /// Creates the experiment as the executable runs it.
    init()

    /// Folder and command name, e.g. "correlation".
    static var name: String { get }
    /// One line for `--help`.
    static var abstract: String { get }
    /// Dataset names `--datasets` may select from; empty for experiments without data.
    static var datasets: [String] { get }

    /// The parameters of `profile`.
    func params(for profile: Profile) -> Params
    /// Every run of the experiment in a fixed order (the order shards and summaries use),
    /// restricted to `datasets` (the selected names; all of `Self.datasets` by default).
    func runs(params: Params, datasets: [String]) -> [Run]
    /// Loads what the runs share, with the checksums of the dataset files read (recorded in
    /// provenance). Called once per invocation, only when at least one run executes.
    func prepare(params: Params, datasets: [String]) throws -> Prepared<Shared>
    /// `prepare` for `algorithm` (the published one may read its data in another order);
    /// by default the same as `prepare(params:datasets:)`.
    func prepare(params: Params, datasets: [String], algorithm: Algorithm) throws -> Prepared<Shared>
    /// What `--algorithm published` runs; `.notImplemented` by default.
    static var publishedMode: PublishedMode { get }
    /// Executes one run. Report progress through `context`; throw `RunDiverged` (or use
    /// `context.checkFinite`) when the loss stops being finite.
    func execute(_ run: Run, params: Params, shared: Shared, context: RunContext) throws -> Result
    /// Writes tables and figures into `output` and returns the summary's statistics.
    func summarize(_ results: RunResults<Self>, params: Params, output: OutputFolder) throws -> Statistics
    /// The paper's claims this result checks, each decided by a simple rule on `statistics`
    /// (the rule is in the claim's sentence); `datasets` are the selected ones, so a dataset
    /// without data can be reported as not run. The harness writes them to `verdict.json` and
    /// `verdict.md` next to the summary. None by default.
    func verdicts(_ statistics: Statistics, params: Params, datasets: [String]) -> [Verdict]
    /// Throws, before any run starts, when data the runs need is absent or damaged: a required
    /// dataset, or one the user named with `--datasets` (`explicit`). No-op by default.
    func checkData(_ datasets: [String], explicit: Bool) throws
    /// What makes `params` unusable (for example more epochs before a teleport than in all),
    /// one phrase each; checked when `--set` changed a profile's parameters. By default
    /// `countProblems`: integers at least 1, lists not empty.
    func problems(in params: Params) -> [String]
    /// The per-dataset settings (model, learning rates, radii), printed by `<name> profiles`
    /// below the profiles' parameters; nil for experiments without data.
    static var datasetSettings: Table? { get }
    /// The revision of the numbers a run computes: raise it with any change that alters them
    /// (a reformulation that rounds differently included), so that run records kept from
    /// earlier code (`Runs/`, a resumed profile) are recomputed instead of reused. 0 by default.
    static var numericsRevision: Int { get }
    /// The numerics revision of one run: `numericsRevision` by default. An experiment raises it
    /// for the runs a change of numbers touches (one dataset's model), so that the other runs'
    /// records stay valid.
    func numericsRevision(of run: Run) -> Int
}

extension Experiment {
    public static var datasets: [String] { [] }
    public static var datasetSettings: Table? { nil }
    public func checkData(_ datasets: [String], explicit: Bool) throws {}
    public static var publishedMode: PublishedMode { .notImplemented }
    public static var numericsRevision: Int { 0 }
    public func numericsRevision(of run: Run) -> Int { Self.numericsRevision }
    public func prepare(params: Params, datasets: [String], algorithm: Algorithm) throws -> Prepared<Shared> {
        try prepare(params: params, datasets: datasets)
    }
    public func problems(in params: Params) -> [String] { countProblems(in: params) }
    public func verdicts(_ statistics: Statistics, params: Params, datasets: [String]) -> [Verdict] { [] }
}

extension Experiment where Shared == Void {
    public func prepare(params: Params, datasets: [String]) throws -> Prepared<Void> { Prepared(()) }
}

/// Describes one run; `key` identifies it (stable across invocations, unique in the
/// experiment, '/'-separated, e.g. "mnist/seed-003") and names its result file.
public protocol RunDescriptor: Codable, Sendable {
    var key: String { get }
    /// The run's share of the work relative to the others (weights the progress line's ETA
    /// when runs differ widely in size); 1 by default.
    var cost: Double { get }
}

extension RunDescriptor {
    public var cost: Double { 1 }
}

/// The common run: a seed within a named group (a dataset, a configuration).
public struct SeedRun: RunDescriptor, Equatable {
    public var group: String
    public var seed: Int
    public init(_ group: String, seed: Int) { self.group = group; self.seed = seed }
    /// "<group>/seed-007".
    public var key: String { runKey(group, seed: seed) }
}

/// A run key from parts and a seed: `runKey("mnist", "sgd", seed: 3)` is "mnist/sgd/seed-003".
public func runKey(_ parts: String..., seed: Int) -> String {
    (parts + [String(format: "seed-%03d", seed)]).joined(separator: "/")
}

/// What `prepare` returns: the shared data and the checksums of the files it was read from.
public struct Prepared<Shared: Sendable>: Sendable {
    public var shared: Shared
    /// File or dataset name -> checksum (as the Datasets catalog reports it).
    public var checksums: [String: String]
    public init(_ shared: Shared, checksums: [String: String] = [:]) {
        self.shared = shared; self.checksums = checksums
    }
}

/// How a run ended.
public enum RunStatus: String, Codable, Sendable {
    /// Completed; `payload` is its result.
    case ok
    /// Its loss stopped being finite; `divergence` says where. Not retried on resume.
    case diverged
    /// It threw an error; `message` says which. Retried on the next invocation.
    case failed
}

/// Where a run diverged.
public struct Divergence: Codable, Sendable, Equatable {
    public var epoch: Int
    public var step: Int?
    public var detail: String
}

/// The content of one run's result file: the run, how it ended, its result.
public struct RunRecord<Run: RunDescriptor, Result: Codable & Sendable>: Codable, Sendable {
    public var key: String
    public var run: Run
    public var status: RunStatus
    /// The run's result (absent for failed runs; a partial result or absent when diverged).
    public var payload: Result?
    public var divergence: Divergence?
    /// The error of a failed run.
    public var message: String?
    /// Wall-clock seconds the run took.
    public var wallSeconds: Double
    /// Fingerprint of the profile's parameters; a record made with other parameters is stale.
    public var paramsFingerprint: String
}

/// The results handed to `summarize`: one entry per declared run, in declared order.
public struct RunResults<E: Experiment> {
    /// Every declared run with its record (nil when its file is missing or stale).
    public let entries: [(run: E.Run, record: RunRecord<E.Run, E.Result>?)]

    /// Runs that completed, with their results.
    public var completed: [(run: E.Run, result: E.Result)] {
        entries.compactMap { e in
            guard let r = e.record, r.status == .ok, let p = r.payload else { return nil }
            return (e.run, p)
        }
    }
    /// Runs that diverged, with where and the partial result if any.
    public var diverged: [(run: E.Run, divergence: Divergence, partial: E.Result?)] {
        entries.compactMap { e in
            guard let r = e.record, r.status == .diverged else { return nil }
            return (e.run, r.divergence ?? Divergence(epoch: -1, step: nil, detail: ""), r.payload)
        }
    }
    /// Runs that failed.
    public var failed: [E.Run] { entries.filter { $0.record?.status == .failed }.map(\.run) }
    /// Runs with no (usable) result file.
    public var missing: [E.Run] { entries.filter { $0.record == nil }.map(\.run) }
}
