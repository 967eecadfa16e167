import Foundation

/// Runs one experiment on one profile: executes its runs (resumable, parallel, sharded),
/// merges their result files into the summary, and records provenance.
///
/// Files under `<results>/<experiment>/<profile>/`:
/// - `runs/<key>.json`: one `RunRecord` per run;
/// - `provenance/<shard>.json`: the last `run` invocation that executed runs (`all`,
///   `shard-0-of-4`), earlier ones that did as `<shard>.<k>.json`;
/// - `cache/<name>.json`: values runs share through `RunContext.cached`;
/// - `summary.json` (parameters, run counts, statistics), `summary.md` (parameters and run
///   counts), `runs.csv`/`runs.md` (status of every run), `verdict.json`/`verdict.md` (the
///   paper's claims decided from the statistics), plus the experiment's own tables and
///   figures: deterministic outputs;
/// - `provenance.json`: the merging invocation and all run invocations.
public struct Harness<E: Experiment>: Sendable {
    public let experiment: E
    public let options: ExperimentOptions
    public let params: E.Params
    /// The selected datasets (all the experiment's by default).
    public let datasets: [String]
    /// Every declared run, in declared order.
    public let runs: [E.Run]
    /// `<results>/<experiment>/<profile>/`.
    public let folder: URL
    /// The command line, for provenance.
    public var arguments: [String]

    /// Per run, in declared order: what its record must carry to be reused (`fingerprint`).
    let fingerprints: [String]
    let runPaths: [String]

    /// Resolves the profile's parameters and the run list, checking dataset names and keys.
    public init(_ experiment: E, options: ExperimentOptions,
                arguments: [String] = CommandLine.arguments) throws {
        self.experiment = experiment
        self.options = options
        self.arguments = arguments
        let selected = options.datasetNames
        for name in selected where !E.datasets.contains(name) {
            throw HarnessError.unknownDataset(name, valid: E.datasets)
        }
        datasets = selected.isEmpty ? E.datasets : E.datasets.filter(selected.contains)
        if options.algorithm == .published, E.publishedMode == .notImplemented {
            throw HarnessError.publishedNotImplemented(E.name)
        }
        params = try applying(options.overrides, to: experiment.params(for: options.profile))
        if !options.overrides.isEmpty {
            let problems = experiment.problems(in: params)
            if !problems.isEmpty {
                throw HarnessError.invalidOverride(options.overrides.map(\.description).joined(separator: " "),
                                                   reason: problems.joined(separator: "; "))
            }
        }
        runs = experiment.runs(params: params, datasets: datasets)
        var seen = Set<String>()
        var paths: [String] = []
        for run in runs {
            guard seen.insert(run.key).inserted else {
                throw HarnessError.invalidRunKey(run.key, reason: "declared twice")
            }
            paths.append(try safeRelativePath(forKey: run.key))
        }
        runPaths = paths
        let encoded = try JSON.encode(params), algorithm = options.algorithm
        fingerprints = runs.map {
            Self.fingerprint(params: encoded, algorithm: algorithm, numericsRevision: experiment.numericsRevision(of: $0))
        }
        folder = URL(fileURLWithPath: options.results)
            .appendingPathComponent(E.name).appendingPathComponent(options.profileFolder)
    }

    /// What a run record must carry to be reused: a hash of the encoded parameters, the
    /// algorithm and the run's numerics revision. The published algorithm's records never pass for
    /// corrected ones (nor back), nor do records of an earlier numerics revision (revision 0
    /// adds nothing, so records made before revisions existed still match it).
    static func fingerprint(params: Data, algorithm: Algorithm, numericsRevision: Int) -> String {
        fnv1a64(params + (algorithm == .published ? Data("published".utf8) : Data())
                + (numericsRevision > 0 ? Data("numerics revision \(numericsRevision)".utf8) : Data()))
    }

    /// "correlation/quick", or with overrides "correlation/quick+epochs=5".
    var title: String { "\(E.name)/\(options.profileFolder)" }

    /// The options that select this folder, as a command line repeats them.
    var folderArguments: String {
        (["--profile \(options.profile.rawValue)"] + (options.algorithm == .published ? ["--algorithm published"] : [])
            + options.overrides.map { "--set \($0)" })
            .joined(separator: " ")
    }

    /// The output folder handed to `summarize`.
    public var output: OutputFolder { OutputFolder(folder) }

    /// The result file of the run at `position` in the declared order.
    public func resultFile(_ position: Int) -> URL {
        folder.appendingPathComponent("runs").appendingPathComponent(runPaths[position] + ".json")
    }

    /// The record in the run's file, or nil when it is absent, unreadable, of another run or
    /// made with other parameters.
    public func record(_ position: Int) -> RunRecord<E.Run, E.Result>? {
        guard let r = try? JSON.decode(RunRecord<E.Run, E.Result>.self, from: resultFile(position)),
              r.key == runs[position].key, r.paramsFingerprint == fingerprints[position]
        else { return nil }
        return r
    }

    // MARK: run

    /// What a `run` invocation did.
    public struct RunReport: Sendable {
        public var executed: [String] = []
        public var skipped: [String] = []
        public var diverged: [String] = []
        public var failed: [String] = []
        /// Runs not started because `--stop-after`'s time was up (a later invocation runs them).
        public var deferred: [String] = []
        /// Runs whose result file existed but was recomputed, with why: "unreadable" (corrupt
        /// or truncated), "another run's record", "other parameters".
        public var recomputed: [String: String] = [:]
        /// The merge that followed (nil for a shard of several).
        public var merge: MergeReport?
    }

    /// Executes this shard's runs that have no valid result yet (all of them with `fresh`),
    /// `jobs` at a time, writing each run's record as it ends. Without sharding, then
    /// merges. Failed runs are recorded and listed in the report, not thrown. `preflight`
    /// runs first unless `checked` says the caller did it.
    @discardableResult
    public func run(_ runOptions: RunOptions, checked: Bool = false) throws -> RunReport {
        guard runOptions.jobs >= 1 else { throw HarnessError.invalidJobs(runOptions.jobs) }
        if !checked { try preflight() }
        let started = Invocation.now(), t0 = monotonicSeconds()
        removeStaleTemporaries(in: folder)
        var report = RunReport()
        var todo: [Int] = []
        for position in runs.indices where runOptions.shard.contains(position: position) {
            let existing = runOptions.fresh ? nil : record(position)
            if let existing, existing.status != .failed {
                report.skipped.append(runs[position].key)
            } else {
                todo.append(position)
                if !runOptions.fresh, existing == nil, let why = whyUnusable(position) {
                    report.recomputed[runs[position].key] = why
                }
            }
        }

        let reporter = ProgressReporter(title: title,
                                        total: todo.count, enabled: !options.quiet,
                                        totalCost: todo.reduce(0) { $0 + runs[$1].cost })
        // Rule: a result file that cannot be used is recomputed (it holds derived state only),
        // and said so, by reason.
        for why in Set(report.recomputed.values).sorted() {
            let keys = report.recomputed.filter { $0.value == why }.map(\.key).sorted()
            reporter.log("\(keys.count) result file(s) under \(folder.appendingPathComponent("runs").path) "
                         + "recomputed (\(why)): \(keys.prefix(3).joined(separator: ", "))\(keys.count > 3 ? ", ..." : "")",
                         force: why != "other parameters")
        }
        if !report.skipped.isEmpty {
            reporter.log("\(report.skipped.count) run(s) already done; \(todo.count) to run"
                         + " (--fresh recomputes them)")
        }
        var checksums: [String: String]? = nil
        let outcomes = Locked([Int: (status: RunStatus, seconds: Double)]())
        // Runs whose record could not be written, with the first error; once one fails, no
        // further run starts (its work would be lost too).
        let writeFailures = Locked((keys: [String](), first: StorageError?.none))
        let notStarted = Locked(0)
        // Runs left for a later invocation once `--stop-after`'s time is up.
        let deferred = Locked([Int]())
        let deadline = runOptions.stopAfter.map { t0 + $0 }
        // The machine's speed before the first run and after the last; the probes' own time
        // is left out of the invocation's wall time.
        var speedBefore: Double? = nil, probeSeconds = 0.0
        func probe() -> Double {
            let start = monotonicSeconds()
            defer { probeSeconds += monotonicSeconds() - start }
            return MachineSpeed.sgemmGFLOPS()
        }
        if !todo.isEmpty {
            let prepared = try experiment.prepare(params: params, datasets: datasets, algorithm: options.algorithm)
            speedBefore = probe()
            checksums = prepared.checksums
            let h = self, positions = todo
            let cache = ResultCache(folder: folder.appendingPathComponent("cache"), fresh: runOptions.fresh,
                                    log: { reporter.log($0, force: true) })
            runInParallel(count: positions.count, jobs: runOptions.jobs) { index, worker in
                let position = positions[index]
                let run = h.runs[position]
                if writeFailures.withLock({ !$0.keys.isEmpty }) { notStarted.withLock { $0 += 1 }; return }
                if let deadline, monotonicSeconds() >= deadline {
                    deferred.withLock { $0.append(position) }
                    return
                }
                reporter.started(slot: worker, key: run.key, cost: run.cost)
                let record = h.execute(run, shared: prepared.shared,
                                       context: RunContext(reporter: reporter, slot: worker, cache: cache,
                                                          fingerprint: h.fingerprints[position],
                                                          algorithm: h.options.algorithm))
                do {
                    try writeAtomically(JSON.encode(record), to: h.resultFile(position))
                } catch {
                    let storage = error as? StorageError
                        ?? StorageError(path: h.resultFile(position).path, reason: humanDescription(error),
                                        underlying: String(reflecting: error))
                    writeFailures.withLock { $0.keys.append(run.key); if $0.first == nil { $0.first = storage } }
                    reporter.log("\(run.key): its result could not be written (\(storage.reason)); no further run starts",
                                 force: true)
                }
                switch record.status {
                case .ok: break
                case .diverged:
                    reporter.log("\(run.key): \(record.divergence.map { "diverged at epoch \($0.epoch): \($0.detail)" } ?? "diverged")")
                case .failed:
                    reporter.log("\(run.key): failed: \(record.message ?? "")", force: true)
                }
                outcomes.withLock { $0[position] = (record.status, record.wallSeconds) }
                reporter.finished(slot: worker)
            }
        }
        reporter.close()
        let speed = speedBefore.map { SpeedProbe(before: $0, after: probe()) }
        let done = outcomes.withLock { $0 }
        let left = Set(deferred.withLock { $0 })
        for position in todo {
            let key = runs[position].key
            if left.contains(position) { report.deferred.append(key); continue }
            report.executed.append(key)
            if done[position]?.status == .diverged { report.diverged.append(key) }
            if done[position]?.status == .failed { report.failed.append(key) }
        }
        let failures = writeFailures.withLock { $0 }
        if let first = failures.first {
            throw HarnessError.resultsNotWritten(keys: failures.keys, notStarted: notStarted.withLock { $0 },
                                                 error: first.description)
        }

        var invocation = try makeInvocation(
            command: "run", started: started, wallSeconds: monotonicSeconds() - t0 - probeSeconds,
            shard: runOptions.shard.description, jobs: runOptions.jobs, checksums: checksums,
            executed: report.executed.count, skipped: report.skipped.count,
            runSeconds: done.values.reduce(0) { $0 + $1.seconds }, speed: speed)
        invocation.executedKeys = report.executed
        try recordInvocation(invocation, label: runOptions.shard.label)
        if !report.deferred.isEmpty {
            // No summary from part of the runs: verdicts would be decided on fewer seeds.
            print("\(E.name): stopped after \(Int(runOptions.stopAfter ?? 0)) s (--stop-after): "
                  + "\(report.executed.count) run(s) executed, \(report.skipped.count) already done, "
                  + "\(report.deferred.count) left; run the same command again to continue")
        } else if runOptions.shard.count == 1 {
            report.merge = try merge()
        } else if !options.quiet {
            print("\(E.name): shard \(runOptions.shard) done (\(todo.count) executed, "
                  + "\(report.skipped.count) already done); after all shards run "
                  + "`\(E.name) merge \(folderArguments)`")
        }
        return report
    }

    /// Writes a run invocation to `provenance/<label>.json`. An earlier invocation of the same
    /// shard that executed runs (one that `--stop-after` or an interruption cut short) is kept
    /// as `<label>.<k>.json`, so every invocation that computed something stays on record; an
    /// invocation that executed nothing leaves the record as it was.
    func recordInvocation(_ invocation: Invocation, label: String) throws {
        let provenance = folder.appendingPathComponent("provenance")
        let file = provenance.appendingPathComponent(label + ".json")
        if let previous = try? JSON.decode(Invocation.self, from: file) {
            if (invocation.executed ?? 0) == 0 { return }
            if (previous.executed ?? 0) > 0 {
                var k = 1
                while FileManager.default.fileExists(atPath: provenance.appendingPathComponent("\(label).\(k).json").path) {
                    k += 1
                }
                try FileManager.default.moveItem(at: file, to: provenance.appendingPathComponent("\(label).\(k).json"))
            }
        }
        try writeAtomically(JSON.encode(invocation), to: file)
    }

    /// Why the existing result file of the run at `position` cannot be used, or nil when there
    /// is none (or it can be used).
    func whyUnusable(_ position: Int) -> String? {
        let url = resultFile(position)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let r = try? JSON.decode(RunRecord<E.Run, E.Result>.self, from: url) else {
            return "unreadable: corrupt or truncated"
        }
        if r.key != runs[position].key { return "another run's record" }
        if r.paramsFingerprint != fingerprints[position] { return "other parameters" }
        return nil
    }

    /// The checks before any work: the results folder is writable (`checkWritable`) and the
    /// data is present and verified (`Experiment.checkData`). `run` does them unless told
    /// they were done (`checked`).
    public func preflight() throws {
        try checkWritable()
        try experiment.checkData(datasets, explicit: !options.datasetNames.isEmpty)
    }

    /// Stops before any work when the results folder cannot be created or written: a file in
    /// the way, permissions, a read-only disk (`StorageError`, naming the path).
    public func checkWritable() throws {
        let probe = folder.appendingPathComponent("runs").appendingPathComponent(".write-check")
        try writeAtomically(Data("ok\n".utf8), to: probe)
        unlink(probe.path)
    }

    /// Executes one run and wraps its outcome in a record carrying the context's fingerprint
    /// (never throws).
    func execute(_ run: E.Run, shared: E.Shared, context: RunContext) -> RunRecord<E.Run, E.Result> {
        let t0 = monotonicSeconds()
        var record = RunRecord<E.Run, E.Result>(
            key: run.key, run: run, status: .ok, payload: nil, divergence: nil, message: nil,
            wallSeconds: 0, paramsFingerprint: context.fingerprint)
        do {
            record.payload = try experiment.execute(run, params: params, shared: shared, context: context)
        } catch let d as RunDiverged {
            record.status = .diverged
            record.divergence = Divergence(epoch: d.epoch, step: d.step, detail: d.detail)
            record.payload = d.partial as? E.Result
        } catch {
            record.status = .failed
            record.message = humanDescription(error)
        }
        record.wallSeconds = monotonicSeconds() - t0
        return record
    }

    // MARK: merge

    /// What a merge found, with the statistics it wrote (for tests of the paper's claims).
    public struct MergeReport: Sendable {
        public var declared = 0
        public var ok = 0
        public var diverged: [String] = []
        public var failed: [String] = []
        public var missing: [String] = []
        public var summary: URL
        public var statistics: E.Statistics
        /// The claims decided from `statistics`, as written to `verdict.json`.
        public var verdicts: VerdictFile
    }

    /// Every declared run with its record (nil when missing, corrupt or stale).
    public func loadResults() -> RunResults<E> {
        RunResults(entries: runs.indices.map { (runs[$0], record($0)) })
    }

    /// Combines whatever run files exist into the summary (statistics from `summarize`,
    /// run counts, the list of missing runs) and the provenance file.
    @discardableResult
    public func merge() throws -> MergeReport {
        let started = Invocation.now(), t0 = monotonicSeconds()
        let results = loadResults()
        let statistics = try experiment.summarize(results, params: params, output: output)

        var block = RunsBlock(declared: runs.count, ok: 0)
        var table = Table(columns: ["run", "status", "detail"])
        for (run, record) in results.entries {
            switch record?.status {
            case .ok?:
                block.ok += 1
                table.append([run.key, "ok", ""])
            case .diverged?:
                let d = record?.divergence ?? Divergence(epoch: -1, step: nil, detail: "")
                block.diverged.append(DivergedRun(key: run.key, epoch: d.epoch, step: d.step, detail: d.detail))
                table.append([run.key, "diverged", "epoch \(d.epoch): \(d.detail)"])
            case .failed?:
                block.failed.append(FailedRun(key: run.key, message: record?.message ?? ""))
                table.append([run.key, "failed", record?.message ?? ""])
            case nil:
                block.missing.append(run.key)
                table.append([run.key, "missing", ""])
            }
        }
        let summary = Summary(experiment: E.name, profile: options.profile, algorithm: algorithmText,
                              overrides: overrideTexts,
                              params: params, datasets: datasets, runs: block, statistics: statistics)
        try output.write(json: summary, name: "summary")
        try output.write(table, name: "runs")
        try output.write(text: """
            # \(E.name), profile \(options.profile.rawValue)\(options.algorithm == .published ? ", published algorithm" : "")\(options.overrides.map { " --set \($0)" }.joined())

            \(runs.count) runs: \(block.ok) ok, \(block.diverged.count) diverged, \
            \(block.failed.count) failed, \(block.missing.count) missing. Each run's status: \
            runs.md; statistics: summary.json; where and how the runs were computed: \
            provenance.json.

            ## Parameters

            \(try parameterTable().markdown())
            """, name: "summary.md")
        let verdicts = VerdictFile(experiment: E.name, profile: options.profile, runsDeclared: runs.count,
                                   runsCompleted: block.ok, runsDiverged: block.diverged.count,
                                   claims: experiment.verdicts(statistics, params: params, datasets: datasets))
        try output.write(json: verdicts, name: "verdict")
        try output.write(text: verdicts.markdown(), name: "verdict.md")
        if options.algorithm == .published { try writeComparison(verdicts) }

        let provenanceFolder = folder.appendingPathComponent("provenance")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: provenanceFolder.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
        let runInvocations = files.compactMap {
            try? JSON.decode(Invocation.self, from: provenanceFolder.appendingPathComponent($0))
        }
        let mergeInvocation = try makeInvocation(command: "merge", started: started,
                                                 wallSeconds: monotonicSeconds() - t0)
        try output.write(json: Provenance(summary: mergeInvocation, runs: runInvocations),
                         name: "provenance")

        let report = MergeReport(declared: runs.count, ok: block.ok,
                                 diverged: block.diverged.map(\.key), failed: block.failed.map(\.key),
                                 missing: block.missing, summary: output.file("summary.json"),
                                 statistics: statistics, verdicts: verdicts)
        if !report.missing.isEmpty {
            let shown = report.missing.prefix(10).joined(separator: ", ")
            FileHandle.standardError.write(Data((
                "\(E.name): \(report.missing.count) of \(runs.count) runs missing from the summary: "
                + shown + (report.missing.count > 10 ? ", ..." : "") + "\n").utf8))
        }
        if !options.quiet {
            print("\(title): \(block.ok) ok, \(block.diverged.count) diverged, "
                  + "\(block.failed.count) failed, \(block.missing.count) missing of \(runs.count); "
                  + "summary in \(folder.path)"
                  + (verdicts.claims.isEmpty ? "" : "; verdict: \(verdicts.outcome.phrase) (verdict.md)"))
        }
        return report
    }

    /// With the published algorithm: `differences.md` (what it does differently) and, when the
    /// corrected algorithm's verdicts of the same profile and overrides exist beside it,
    /// `comparison.md` (both verdicts part by part).
    func writeComparison(_ published: VerdictFile) throws {
        guard case .implemented(let differences) = E.publishedMode else { return }
        try output.write(text: "The published algorithm of \(E.name) differs from the corrected one in:\n\n"
                         + differences.map { "- \($0)\n" }.joined(), name: "differences.md")
        let correctedFolder = folder.deletingLastPathComponent()
            .appendingPathComponent(options.profile.rawValue + options.overrides.folderSuffix)
        guard let corrected = try? JSON.decode(VerdictFile.self, from: correctedFolder.appendingPathComponent("verdict.json"))
        else { return }
        let comparison = AlgorithmComparison(corrected: corrected, published: published, differences: differences)
        try output.write(text: "_Corrected: `\(correctedFolder.lastPathComponent)/verdict.json`; published: "
                         + "`\(folder.lastPathComponent)/verdict.json`._\n\n" + comparison.markdown(), name: "comparison.md")
    }

    // MARK: parameters

    /// "published" for the published algorithm, nil for the corrected one (so that corrected
    /// summaries stay as they were).
    var algorithmText: String? { options.algorithm == .published ? Algorithm.published.rawValue : nil }

    /// The overrides as "name=value" texts, nil when there are none (so that a standard
    /// profile's files do not change).
    var overrideTexts: [String]? {
        options.overrides.isEmpty ? nil : options.overrides.sorted { $0.name < $1.name }.map(\.description)
    }

    /// The profile's parameters as a two-column table (nested names dotted).
    public func parameterTable() throws -> Table {
        var table = Table(columns: ["parameter", "value"])
        for (name, value) in try JSONValue(encoding: params).flattened() { table.append([name, value]) }
        return table
    }

    func makeInvocation(command: String, started: String, wallSeconds: Double,
                        shard: String? = nil, jobs: Int? = nil, checksums: [String: String]? = nil,
                        executed: Int? = nil, skipped: Int? = nil, runSeconds: Double? = nil,
                        speed: SpeedProbe? = nil) throws -> Invocation {
        Invocation(command: command, arguments: arguments, experiment: E.name,
                   profile: options.profile, algorithm: algorithmText, overrides: overrideTexts,
                   params: try JSONValue(encoding: params), shard: shard,
                   jobs: jobs, datasetChecksums: checksums, executed: executed, skipped: skipped,
                   runSeconds: runSeconds, started: started, wallSeconds: wallSeconds,
                   git: .current(), machine: .current(), sgemmGFLOPS: speed, tool: ToolVersion.description)
    }
}

/// The summary file: everything in it is a function of the run files and the parameters.
struct Summary<Params: Encodable, Statistics: Encodable>: Encodable {
    var experiment: String
    var profile: Profile
    /// "published" for the published algorithm (absent for the corrected one).
    var algorithm: String?
    /// `--set` overrides applied to the profile's parameters (absent when none).
    var overrides: [String]?
    var params: Params
    var datasets: [String]
    var runs: RunsBlock
    var statistics: Statistics
}

/// Run counts of a summary, with the runs that did not complete.
struct RunsBlock: Codable {
    var declared: Int
    var ok: Int
    var diverged: [DivergedRun] = []
    var failed: [FailedRun] = []
    var missing: [String] = []
}

struct DivergedRun: Codable { var key: String; var epoch: Int; var step: Int?; var detail: String }
struct FailedRun: Codable { var key: String; var message: String }

/// 64-bit FNV-1a hash of `data` as 16 hex digits (a fingerprint, not a security hash).
func fnv1a64(_ data: Data) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    return String(format: "%016llx", h)
}
