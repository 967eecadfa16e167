import ArgumentParser
import Foundation
import Testing
@testable import Experiments

/// A fresh temporary results folder, removed by `cleanup`.
struct Scratch {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("experiments-tests-\(UUID().uuidString)")
    var path: String { url.path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }

    /// Every file under the folder, relative to it.
    func files() -> [String] {
        let e = FileManager.default.enumerator(atPath: path)
        var out: [String] = []
        while let f = e?.nextObject() as? String { out.append(f) }
        return out.sorted()
    }

    func data(_ relative: String) throws -> Data {
        try Data(contentsOf: url.appendingPathComponent(relative))
    }
}

func options(_ scratch: Scratch, _ extra: [String] = []) throws -> ExperimentOptions {
    try ExperimentOptions.parse(["--profile", "quick", "--results", scratch.path, "--quiet"] + extra)
}

func runOptions(_ arguments: [String]) throws -> RunOptions { try RunOptions.parse(arguments) }

@Suite struct RunnerTests {
    @Test func parallelRunThenResumeExecutesNothing() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let toy = Toy()
        let harness = try Harness(toy, options: try options(scratch))
        #expect(harness.runs.count == 10)  // 2 datasets x 5 seeds
        let first = try harness.run(runOptions(["--jobs", "2"]))
        #expect(first.executed.count == 10 && first.skipped.isEmpty)
        #expect(toy.counter.value == 10)
        #expect(first.merge?.ok == 10 && first.merge?.missing == [])
        #expect(first.merge?.statistics.completed.count == 10)
        #expect(first.merge?.statistics.correlation.n == 10)

        let second = try harness.run(runOptions(["--jobs", "2"]))
        #expect(second.executed.isEmpty && second.skipped.count == 10)
        #expect(toy.counter.value == 10)

        let files = scratch.files()
        #expect(files.contains("toy/quick/runs/alpha/seed-000.json"))
        #expect(files.contains("toy/quick/runs/beta/seed-004.json"))
        for name in ["summary.json", "summary.md", "runs.csv", "runs.md", "final.csv", "final.md", "provenance.json",
                     "provenance/all.json"] {
            #expect(files.contains("toy/quick/" + name), "\(name) written")
        }
        #expect(!files.contains { $0.hasSuffix(".tmp") }, "no temporary files left")

        let record = try JSON.decode(RunRecord<SeedRun, Toy.Result>.self,
                                     from: harness.resultFile(3))
        #expect(record.key == "alpha/seed-003" && record.status == .ok)
        #expect(record.payload?.curve.count == 4)
    }

    @Test func freshRecomputesEverything() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let toy = Toy()
        let harness = try Harness(toy, options: try options(scratch))
        try harness.run(runOptions(["--jobs", "2"]))
        let before = try scratch.data("toy/quick/summary.json")
        let report = try harness.run(runOptions(["--jobs", "2", "--fresh"]))
        #expect(report.executed.count == 10 && toy.counter.value == 20)
        #expect(try scratch.data("toy/quick/summary.json") == before, "same results, same summary")
    }

    @Test func corruptOrStaleRunFilesAreRecomputed() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let toy = Toy()
        let harness = try Harness(toy, options: try options(scratch))
        try harness.run(runOptions(["--jobs", "2"]))
        try Data("{\"key\": \"alpha/seed-001\", trunc".utf8).write(to: harness.resultFile(1))
        #expect(harness.record(1) == nil)
        #expect(harness.loadResults().missing.map(\.key) == ["alpha/seed-001"])
        let report = try harness.run(runOptions(["--jobs", "2"]))
        #expect(report.executed == ["alpha/seed-001"] && toy.counter.value == 11)
        #expect(report.recomputed == ["alpha/seed-001": "unreadable: corrupt or truncated"])
        #expect(harness.record(1)?.status == .ok)

        // Other parameters for the same profile: every record is stale.
        let changed = Toy(epochsOverride: 6)
        let report2 = try Harness(changed, options: try options(scratch)).run(runOptions(["--jobs", "2"]))
        #expect(report2.executed.count == 10 && changed.counter.value == 10)
        #expect(report2.recomputed.count == 10 && Set(report2.recomputed.values) == ["other parameters"])
        #expect(!scratch.files().contains { $0.hasSuffix(".tmp") })
    }

    @Test func recordsOfAnotherNumericsRevisionAreNotReused() throws {
        let params = Data("{\"epochs\":4}".utf8)
        let base = Harness<Toy>.fingerprint(params: params, algorithm: .corrected, numericsRevision: 0)
        // Revision 0 is the fingerprint records had before revisions existed.
        #expect(base == fnv1a64(params))
        #expect(Harness<Toy>.fingerprint(params: params, algorithm: .corrected, numericsRevision: 1) != base)
        #expect(Harness<Toy>.fingerprint(params: params, algorithm: .corrected, numericsRevision: 2)
                != Harness<Toy>.fingerprint(params: params, algorithm: .corrected, numericsRevision: 1))
        #expect(Harness<Toy>.fingerprint(params: params, algorithm: .published, numericsRevision: 0) != base)
    }

    /// A new revision of one dataset's runs recomputes those runs and their cached value only;
    /// the time table then counts the first invocation for the runs it still holds.
    @Test func aRevisionOfSomeRunsRecomputesThoseOnly() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        try Harness(Toy(), options: try options(scratch)).run(runOptions(["--jobs", "2"]))
        var revised = Toy(); revised.betaRevision = 1
        let report = try Harness(revised, options: try options(scratch)).run(runOptions(["--jobs", "2"]))
        #expect(report.executed.sorted() == (0..<5).map { "beta/seed-00\($0)" })
        #expect(Set(report.recomputed.values) == ["other parameters"] && report.skipped.count == 5)
        #expect(revised.baselineCounter.value == 1, "beta's cached value recomputed, alpha's reused")
        // Both revisions run again: nothing to do.
        let again = try Harness(revised, options: try options(scratch)).run(runOptions(["--jobs", "2"]))
        #expect(again.executed.isEmpty && again.skipped.count == 10)

        let provenance = scratch.url.appendingPathComponent("toy/quick/provenance")
        let latest = try JSON.decode(Invocation.self, from: provenance.appendingPathComponent("all.json"))
        let first = try JSON.decode(Invocation.self, from: provenance.appendingPathComponent("all.1.json"))
        #expect(latest.executedKeys == report.executed)
        let alphaSeconds = try (0..<5).map { s in
            try JSON.decode(RunRecord<SeedRun, Toy.Result>.self,
                            from: scratch.url.appendingPathComponent("toy/quick/runs/alpha/seed-00\(s).json")).wallSeconds
        }.reduce(0, +)
        let row = try #require(WallTimes(results: ["toy"], folder: "quick", root: scratch.url).rows.first)
        let expected = latest.wallSeconds + first.wallSeconds * min(1, alphaSeconds / (first.runSeconds ?? 1))
        #expect(abs(row.wallSeconds - expected) < 1e-9 * expected, "\(row.wallSeconds) against \(expected)")
        #expect(row.runs == 10)
    }

    @Test func shardsMergedEqualTheUnshardedSummary() throws {
        let whole = Scratch(), sharded = Scratch()
        defer { whole.cleanup(); sharded.cleanup() }
        try Harness(Toy(divergingSeed: 2), options: try options(whole)).run(runOptions(["--jobs", "2"]))

        // Shard 0 alone: merge reports the other shard's runs as missing.
        let zero = Toy(divergingSeed: 2)
        let h0 = try Harness(zero, options: try options(sharded))
        let r0 = try h0.run(runOptions(["--jobs", "1", "--shard", "0/2"]))
        #expect(r0.executed == ["alpha/seed-000", "alpha/seed-002", "alpha/seed-004",
                                "beta/seed-001", "beta/seed-003"])
        #expect(r0.merge == nil)
        #expect(!sharded.files().contains("toy/quick/summary.json"), "a shard writes no summary")
        let partial = try h0.merge()
        #expect(partial.missing == ["alpha/seed-001", "alpha/seed-003", "beta/seed-000",
                                    "beta/seed-002", "beta/seed-004"])

        // Shard 1 by another harness on another thread while a third re-runs shard 0.
        let one = Toy(divergingSeed: 2)
        let h1 = try Harness(one, options: try options(sharded))
        let again = try Harness(zero, options: try options(sharded))
        runInParallel(count: 2, jobs: 2) { index, _ in
            _ = try? (index == 0 ? h1 : again).run(try! runOptions(["--jobs", "1", "--shard", "\(1 - index)/2"]))
        }
        #expect(one.counter.value == 5 && zero.counter.value == 5)
        let merged = try Harness(Toy(), options: try options(sharded)).merge()
        #expect(merged.missing.isEmpty && merged.ok == 8 && merged.diverged == ["alpha/seed-002", "beta/seed-002"])

        for name in ["summary.json", "summary.md", "runs.csv", "runs.md", "final.csv", "final.md", "verdict.json",
                     "verdict.md"] {
            let a = try whole.data("toy/quick/" + name), b = try sharded.data("toy/quick/" + name)
            #expect(a == b, "\(name) identical")
        }
        let provenance = try JSON.decode(Provenance.self, from: sharded.url.appendingPathComponent("toy/quick/provenance.json"))
        #expect(provenance.runs.map(\.shard) == ["0/2", "1/2"])
        #expect(provenance.summary.command == "merge")
        #expect(provenance.runs.allSatisfy { $0.machine.cores >= 1 && $0.command == "run" })
        // Shard 0's second invocation executed nothing: the record of the one that computed its
        // runs stays.
        #expect(provenance.runs.map(\.executed) == [5, 5])
    }

    @Test func divergenceIsRecordedWithItsEpoch() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let toy = Toy(divergingSeed: 3)
        let harness = try Harness(toy, options: try options(scratch, ["--datasets", "beta"]))
        #expect(harness.runs.map(\.key) == (0..<5).map { "beta/seed-00\($0)" })
        let report = try harness.run(runOptions(["--jobs", "2"]))
        #expect(report.diverged == ["beta/seed-003"] && report.failed.isEmpty)
        let record = try #require(harness.record(3))
        #expect(record.status == .diverged)
        #expect(record.divergence == Divergence(epoch: 2, step: nil, detail: "loss = nan"))
        #expect(record.payload?.curve.count == 2, "the partial curve is kept")
        let results = harness.loadResults()
        #expect(results.completed.count == 4 && results.diverged.map(\.run.key) == ["beta/seed-003"])

        let summary = try JSONSerialization.jsonObject(with: scratch.data("toy/quick/summary.json")) as? [String: Any]
        let runs = summary?["runs"] as? [String: Any]
        let diverged = runs?["diverged"] as? [[String: Any]]
        #expect(diverged?.first?["key"] as? String == "beta/seed-003")
        #expect(diverged?.first?["epoch"] as? Int == 2)
        #expect(runs?["ok"] as? Int == 4)

        _ = try harness.run(runOptions(["--jobs", "2"]))
        #expect(toy.counter.value == 5, "a diverged run is a result: not retried")
    }

    @Test func failedRunsAreRecordedAndRetried() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let toy = Toy(failingSeed: 1)
        let harness = try Harness(toy, options: try options(scratch, ["--datasets", "alpha"]))
        let report = try harness.run(runOptions(["--jobs", "2"]))
        #expect(report.failed == ["alpha/seed-001"])
        #expect(harness.record(1)?.status == .failed)
        #expect(harness.record(1)?.message?.isEmpty == false)
        #expect(report.merge?.failed == ["alpha/seed-001"])
        _ = try harness.run(runOptions(["--jobs", "2"]))
        #expect(toy.counter.value == 6, "only the failed run is retried")
    }

    @Test func commandLineRunAndMerge() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        for arguments in [["run", "--shard", "1/2"], ["run", "--shard", "0/2"], ["merge"]] {
            var command = try ExperimentCommand<Toy>.parseAsRoot(
                arguments + ["--profile", "quick", "--results", scratch.path, "--quiet"])
            try command.run()
        }
        let files = scratch.files()
        #expect(files.filter { $0.hasPrefix("toy/quick/runs/") && $0.hasSuffix(".json") }.count == 10)
        #expect(files.contains("toy/quick/summary.json"))
        #expect(files.contains("toy/quick/provenance/shard-0-of-2.json"))
        #expect(ExperimentCommand<Toy>.helpMessage(for: RunCommand<Toy>.self).contains("--shard"))
    }

    @Test func mergeRequireCompleteFailsOnMissingRuns() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        func command(_ arguments: [String]) throws -> ParsableCommand {
            try ExperimentCommand<Toy>.parseAsRoot(arguments + ["--profile", "quick", "--results", scratch.path, "--quiet"])
        }
        var shard = try command(["run", "--shard", "0/2"])
        try shard.run()
        var strict = try command(["merge", "--require-complete"])
        #expect(throws: HarnessError.incomplete(
            missing: ["alpha/seed-001", "alpha/seed-003", "beta/seed-000", "beta/seed-002", "beta/seed-004"],
            failed: [])) { try strict.run() }
        var lenient = try command(["merge"])
        try lenient.run()  // without the flag a partial summary is fine

        shard = try command(["run", "--shard", "1/2"])
        try shard.run()
        strict = try command(["merge", "--require-complete"])
        try strict.run()
    }

    @Test func sharedValuesAreComputedOnceAndCached() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let toy = Toy()
        let harness = try Harness(toy, options: try options(scratch))
        try harness.run(runOptions(["--jobs", "2"]))
        #expect(toy.baselineCounter.value == 2, "one baseline per dataset, not per run")
        #expect(scratch.files().contains("toy/quick/cache/baseline/alpha.json"))

        // A later invocation reads the cache; --fresh recomputes it once.
        try FileManager.default.removeItem(at: harness.resultFile(0))
        let later = Toy()
        try Harness(later, options: try options(scratch)).run(runOptions(["--jobs", "2"]))
        #expect(later.counter.value == 1 && later.baselineCounter.value == 0)
        let fresh = Toy()
        try Harness(fresh, options: try options(scratch)).run(runOptions(["--jobs", "2", "--fresh"]))
        #expect(fresh.counter.value == 10 && fresh.baselineCounter.value == 2)

        // Called directly, a run computes without caching.
        let direct = Toy()
        let result = try direct.execute(SeedRun("beta", seed: 1), params: direct.params(for: .quick),
                                        shared: (), context: .silent)
        #expect(direct.baselineCounter.value == 1)
        #expect(result == harness.record(6)?.payload)
    }

    @Test func parallelRunnerVisitsEveryIndexOnce() {
        let seen = Locked([Int](repeating: 0, count: 200))
        let workers = Locked(Set<Int>())
        runInParallel(count: 200, jobs: 3) { i, w in
            seen.withLock { $0[i] += 1 }
            workers.withLock { _ = $0.insert(w) }
        }
        #expect(seen.withLock { $0 } == [Int](repeating: 1, count: 200))
        #expect(workers.withLock { $0 }.isSubset(of: [0, 1, 2]))
    }
}

@Suite struct OptionTests {
    @Test func unknownProfileListsTheValidOnes() throws {
        #expect(throws: HarnessError.unknownProfile("huge", valid: ["quick", "default", "paper"])) {
            try Profile.parse("huge")
        }
        do {
            _ = try ExperimentOptions.parse(["--profile", "huge"])
            Issue.record("parsed an unknown profile")
        } catch {
            let message = ExperimentOptions.message(for: error)
            #expect(message.contains("unknown profile 'huge'"))
            #expect(message.contains("quick, default, paper"))
        }
        #expect(try ExperimentOptions.parse([]).profile == .default)
    }

    @Test func stopAfterDefersRunsAndWritesNoSummaryUntilAllAreDone() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let toy = Toy()
        let harness = try Harness(toy, options: try options(scratch))
        // The time is up before the first run can start: nothing runs, nothing is merged.
        let stopped = try harness.run(runOptions(["--jobs", "2", "--stop-after", "1e-9"]))
        #expect(stopped.executed.isEmpty && stopped.deferred.count == 10 && stopped.merge == nil)
        #expect(toy.counter.value == 0)
        #expect(!scratch.files().contains("toy/quick/summary.json"))
        #expect(scratch.files().contains("toy/quick/provenance/all.json"))
        // The same command without the limit runs the rest and merges.
        let resumed = try harness.run(runOptions(["--jobs", "2"]))
        #expect(resumed.executed.count == 10 && resumed.deferred.isEmpty && resumed.merge?.ok == 10)
        // An invocation that computes runs again keeps the earlier one's record beside its own.
        try harness.run(runOptions(["--jobs", "2", "--fresh"]))
        #expect(scratch.files().contains("toy/quick/provenance/all.1.json"))
        let merged = try JSON.decode(Provenance.self, from: scratch.url.appendingPathComponent("toy/quick/provenance.json"))
        #expect(merged.runs.map(\.executed) == [10, 10])
    }

    @Test func durationsAreParsed() throws {
        #expect(try parseDuration("90") == 90)
        #expect(try parseDuration("90s") == 90)
        #expect(try parseDuration("90m") == 5400)
        #expect(try parseDuration("1.5h") == 5400)
        for bad in ["", "m", "-5", "0", "5d", "abc", "inf"] {
            #expect(throws: (any Error).self) { try parseDuration(bad) }
        }
        #expect(try RunOptions.parse(["--stop-after", "2h"]).stopAfter == 7200)
        #expect(try RunOptions.parse([]).stopAfter == nil)
    }

    @Test func shardsAreValidated() throws {
        #expect(try Shard.parse("1/4") == Shard(index: 1, count: 4))
        for bad in ["2/2", "-1/2", "1/0", "a/b", "3", "1/2/3", ""] {
            #expect(throws: HarnessError.invalidShard(bad)) { try Shard.parse(bad) }
        }
        #expect(throws: (any Error).self) { try RunOptions.parse(["--shard", "5/2"]) }
        #expect(throws: (any Error).self) { try RunOptions.parse(["--jobs", "0"]) }
        #expect(try RunOptions.parse([]).jobs == ProcessInfo.processInfo.activeProcessorCount)
        #expect(Shard.all.label == "all")
        #expect(try Shard.parse("0/3").label == "shard-0-of-3")
        let s = try Shard.parse("1/3")
        #expect((0..<7).filter { s.contains(position: $0) } == [1, 4])
    }

    @Test func datasetsAreValidated() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        #expect(throws: HarnessError.unknownDataset("gamma", valid: ["alpha", "beta"])) {
            try Harness(Toy(), options: try options(scratch, ["--datasets", "alpha,gamma"]))
        }
        let both = try Harness(Toy(), options: try options(scratch, ["--datasets", "beta", "--datasets", "alpha"]))
        #expect(both.datasets == ["alpha", "beta"])
        let missing = HarnessError.missingData(dataset: "mnist", path: "Datasets/mnist")
        #expect(missing.description.contains("datasets fetch mnist"))
        #expect(throws: HarnessError.missingData(dataset: "mnist", path: scratch.path + "/nope")) {
            try requireData(scratch.url.appendingPathComponent("nope"), dataset: "mnist")
        }
    }

    @Test func runKeysBecomeSafePaths() throws {
        #expect(try safeRelativePath(forKey: "mnist/seed-003") == "mnist/seed-003")
        #expect(try safeRelativePath(forKey: "a b/../x:y") == "a%20b/%2E./x%3Ay")
        #expect(try safeRelativePath(forKey: "lr=0.1") == "lr%3D0.1")
        #expect(throws: (any Error).self) { try safeRelativePath(forKey: "a//b") }
        #expect(throws: (any Error).self) { try safeRelativePath(forKey: "") }
        #expect(runKey("mnist", "sgd", seed: 7) == "mnist/sgd/seed-007")
    }

    @Test func parameterTables() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let table = try Harness(Toy(), options: try options(scratch)).parameterTable()
        #expect(table.rows == [["epochs", "4"], ["layers", "[4, 3, 2]"], ["learningRate", "0.1"], ["seeds", "5"]])
        let profiles = try profilesTable(Toy())
        #expect(profiles.columns == ["parameter", "quick", "default", "paper"])
        #expect(profiles.rows.last == ["(runs)", "10", "20", "200"])
    }
}

@Suite struct OutputTests {
    @Test func tableRendersMarkdownAndCSV() {
        var t = Table(columns: ["dataset", "r", "note"], alignments: [.left, .right, .left])
        t.append(["mnist", Table.number(0.123456), "a|b"])
        t.append(["cifar10", Table.number(-0.5), "x, \"y\""])
        #expect(t.markdown() == """
            | dataset |      r | note   |
            |---------|-------:|--------|
            | mnist   | 0.1235 | a\\|b   |
            | cifar10 |   -0.5 | x, "y" |

            """)
        #expect(t.csv() == "dataset,r,note\nmnist,0.1235,a|b\ncifar10,-0.5,\"x, \"\"y\"\"\"\n")
        #expect(Table.number(.nan) == "nan" && Table.number(-.infinity) == "-inf")
        #expect(Table.meanStd(1.23456, 0.01) == "1.23 ± 0.01")
    }

    @Test func atomicWritesReplaceAndLeaveNoTemporaries() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let file = scratch.url.appendingPathComponent("a/b/c.json")
        try writeAtomically("one", to: file)
        try writeAtomically("two", to: file)
        #expect(try String(contentsOf: file, encoding: .utf8) == "two")
        #expect(scratch.files() == ["a", "a/b", "a/b/c.json"])
    }

    @Test func staleTemporariesAreRemoved() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let old = scratch.url.appendingPathComponent("runs/a/.seed-000.json.X.tmp")
        let young = scratch.url.appendingPathComponent("runs/.seed-001.json.Y.tmp")
        try writeAtomically("partial", to: old)
        try writeAtomically("partial", to: young)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)],
                                              ofItemAtPath: old.path)
        #expect(removeStaleTemporaries(in: scratch.url) == 1)
        #expect(scratch.files() == ["runs", "runs/.seed-001.json.Y.tmp", "runs/a"])
    }

    @Test func nonFiniteNumbersRoundTrip() throws {
        let values = [1.5, .nan, .infinity, -.infinity]
        let back = try JSON.decoder().decode([Double].self, from: JSON.encode(values))
        #expect(back[0] == 1.5 && back[1].isNaN && back[2] == .infinity && back[3] == -.infinity)
    }

    @Test func progressLine() {
        let lines = Locked([String]())
        let p = ProgressReporter(title: "toy/quick", total: 4, isTerminal: false, interval: 0,
                                 write: { text in lines.withLock { $0.append(text) } })
        p.started(slot: 0, key: "alpha/seed-000")
        RunContext(reporter: p, slot: 0, cache: nil, fingerprint: "").report("epoch", 12, of: 40)
        let line = p.line()
        #expect(line.hasPrefix("[toy/quick] 0/4 runs | ") && line.contains(" elapsed, ETA "))  // any elapsed time
        #expect(line.hasSuffix(" | alpha/seed-000 epoch 12/40"))
        p.finished(slot: 0)
        #expect(p.line().hasPrefix("[toy/quick] 1/4 runs | "))
        #expect(lines.withLock { $0 }.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })

        let quiet = Locked([String]())
        let q = ProgressReporter(title: "t", total: 1, enabled: false, isTerminal: true,
                                 write: { text in quiet.withLock { $0.append(text) } })
        q.started(slot: 0, key: "k"); q.finished(slot: 0); q.log("hidden"); q.close()
        q.log("shown", force: true)
        #expect(quiet.withLock { $0 } == ["shown\n"])
        #expect(formatDuration(5) == "5s" && formatDuration(187) == "3m07s" && formatDuration(7500) == "2h05m")
    }

    /// Runs of different sizes weight the ETA by their cost: a big run half done counts for
    /// more than a small run finished.
    @Test func progressWeightsRunsByCost() {
        let p = ProgressReporter(title: "t", total: 2, enabled: false, totalCost: 10)
        p.started(slot: 0, key: "small", cost: 1)
        p.started(slot: 1, key: "big", cost: 9)
        RunContext(reporter: p, slot: 1, cache: nil, fingerprint: "").report("trajectory", 5, of: 10)
        #expect(abs(p.fractionDone - 0.45) < 1e-12)
        p.finished(slot: 0)
        #expect(abs(p.fractionDone - 0.55) < 1e-12)
        p.finished(slot: 1)
        #expect(abs(p.fractionDone - 1) < 1e-12)
    }

    @Test func correlationDescription() {
        let c = Stats.pearson([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])
        #expect(c.description == "r = 0.832 [-0.189, 0.989], p = 0.0805, n = 5")
    }

    @Test func provenanceDescribesTheMachine() {
        let machine = Machine.current()
        #expect(machine.cores >= 1 && !machine.os.isEmpty && !machine.cpuModel.isEmpty)
        // The kernel set OpenBLAS runs, the one OPENBLAS_CORETYPE asks for when it is set
        // (make test sets it to the kernels the executables pin).
        let kernels = try? #require(machine.blasKernels)
        #expect(!(kernels ?? "").isEmpty)
        if let asked = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] {
            #expect(kernels?.lowercased() == asked.lowercased())
        }
        let git = GitState.current()
        if let commit = git.commit { #expect(commit.count == 40) }
    }
}

/// Expected values computed with scipy 1.17 (scipy.stats.pearsonr with
/// confidence_interval(0.95), scipy.stats.linregress, scipy.special.betainc, numpy).
@Suite struct StatisticsTests {
    func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(b))
    }

    struct Case { var x: [Double]; var y: [Double]; var r, p, low, high, slope, intercept: Double }

    let cases: [Case] = [
        Case(x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], y: [2.1, 3.9, 6.2, 8.1, 9.8, 12.5, 13.7, 16.1, 18.3, 19.9],
             r: 0.9992070048663093, p: 1.72841017410683e-12, low: 0.9965155571851383,
             high: 0.9998197166091575, slope: 1.9999999999999996, intercept: 0.0600000000000005),
        Case(x: [0.5, 1.7, 2.2, 3.9, 4.1, 5.6, 6.3, 7.8], y: [3.1, 1.2, 4.4, 2.0, 5.9, 2.7, 4.8, 3.3],
             r: 0.23999119113908451, p: 0.566996070364234, low: -0.5592613930153381,
             high: 0.8080162181132806, slope: 0.14893678744451855, intercept: 2.82739114037887),
        Case(x: [1, 2, 3, 4, 5, 6], y: [10, 8, 9, 5, 4, 1],
             r: -0.950537133290682, p: 0.003609355463567543, low: -0.9947382755441695,
             high: -0.6079942538020694, slope: -1.7428571428571429, intercept: 12.266666666666666),
        Case(x: [1, 2, 3, 4, 5], y: [5, 6, 7, 8, 7],
             r: 0.8320502943378436, p: 0.0805095732984986, low: -0.18884637201382123,
             high: 0.9885972938541849, slope: 0.6000000000000001, intercept: 4.799999999999999),
    ]

    @Test func pearsonMatchesScipy() {
        for c in cases {
            let s = Stats.pearson(c.x, c.y)
            #expect(s.n == c.x.count)
            #expect(close(s.r, c.r), "r \(s.r) vs \(c.r)")
            #expect(close(s.p, c.p, 1e-10), "p \(s.p) vs \(c.p)")
            #expect(close(s.low, c.low) && close(s.high, c.high), "CI \(s.low)...\(s.high)")
            let fit = Stats.lineFit(c.x, c.y)
            #expect(close(fit.slope, c.slope) && close(fit.intercept, c.intercept, 1e-10))
            #expect(close(fit.r2, c.r * c.r))
        }
    }

    @Test func pearsonOnHundredSamplesMatchesScipy() {
        let x = (0..<100).map { (Double($0) * 0.618034).truncatingRemainder(dividingBy: 1) }
        let y = (0..<100).map { x[$0] + 0.3 * cos(Double($0) * 1.3) }
        let s = Stats.pearson(x, y)
        #expect(close(s.r, 0.7979678780878601, 1e-10))
        #expect(close(s.p, 2.822962859040055e-23, 1e-8))
        #expect(close(s.low, 0.7133582077657717, 1e-10) && close(s.high, 0.8596486629258151, 1e-10))
        let y2 = (0..<100).map { 0.05 * x[$0] + cos(Double($0) * 1.3) }
        let w = Stats.pearson(x, y2)
        #expect(close(w.r, -0.017421773528204693, 1e-9))
        #expect(close(w.p, 0.8634057461858791, 1e-9))
        #expect(close(w.low, -0.21311063684814552, 1e-9) && close(w.high, 0.17961096424554776, 1e-9))
    }

    @Test func incompleteBetaMatchesScipy() {
        let expected: [(Double, Double, Double, Double)] = [
            (0.5, 0.5, 0.3, 0.36901011956554536), (2, 3, 0.4, 0.5247999999999999),
            (10, 0.5, 0.9, 0.15164090963470994), (0.1, 10, 0.01, 0.8244896709066988),
            (50, 50, 0.5, 0.5000000000000007), (4.5, 0.5, 0.95, 0.5086464915963441),
            (1, 1, 0.7, 0.7),
        ]
        for (a, b, x, v) in expected {
            let got = Stats.regularizedIncompleteBeta(a: a, b: b, x: x)
            #expect(close(got, v, 1e-12), "I_\(x)(\(a), \(b)) = \(got), expected \(v)")
        }
        #expect(Stats.regularizedIncompleteBeta(a: 2, b: 3, x: 0) == 0)
        #expect(Stats.regularizedIncompleteBeta(a: 2, b: 3, x: 1) == 1)
        #expect(Stats.regularizedIncompleteBeta(a: 2, b: 3, x: 1.5).isNaN)
        for (t, df, p) in [(2.0, 8.0, 0.08051623795726262), (0.5, 3.0, 0.651447964848151),
                           (5.0, 98.0, 2.51357798323805e-06), (1.0, 1.0, 0.5000000000000001)] {
            #expect(close(Stats.studentTTwoSided(t: t, df: df), p, 1e-11))
        }
        #expect(close(Stats.logGamma(0.5), 0.5723649429247, 1e-13))
        #expect(close(Stats.logGamma(10.3), 13.482036786138359, 1e-13))
        #expect(close(Stats.logGamma(100), 359.1342053695754, 1e-13))
    }

    @Test func meanStdMedian() {
        let y = [2.1, 3.9, 6.2, 8.1, 9.8, 12.5, 13.7, 16.1, 18.3, 19.9]
        #expect(close(Stats.mean(y), 11.059999999999999))
        #expect(close(Stats.std(y), 6.060106343034658))
        #expect(Stats.median(y) == 11.15 && Stats.median([5, 6, 7, 8, 7]) == 7)
        #expect(Stats.mean([]).isNaN && Stats.std([1]).isNaN && Stats.median([]).isNaN)
        let (m, s) = Stats.meanStd(curves: [[1, 2, 3], [3, 4, 5]])
        #expect(m == [2, 3, 4] && s.allSatisfy { close($0, 2.0.squareRoot()) })
        let degenerate = Stats.pearson([1, 2, 3], [4, 4, 4])
        #expect(degenerate.r.isNaN && degenerate.p.isNaN)
        let perfect = Stats.pearson([1, 2, 3, 4], [2, 4, 6, 8])
        #expect(close(perfect.r, 1) && perfect.p < 1e-12)
    }
}
