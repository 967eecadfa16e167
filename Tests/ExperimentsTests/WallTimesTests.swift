import Foundation
import Testing
@testable import Experiments

/// The time table reads what the harness writes: invocation wall times from provenance and
/// each dataset's share from the run records.
@Suite struct WallTimesTests {
    @Test func sharesAndWallTimeFromTheRecords() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let toy = Toy()
        let harness = try Harness(toy, options: try options(scratch))
        try harness.run(runOptions(["--jobs", "2"]))
        let times = WallTimes(results: ["toy", "absent"], folder: "quick", root: scratch.url)
        let row = try #require(times.rows.first)
        #expect(times.rows.count == 1 && row.result == "toy" && row.runs == 10 && row.jobs == 2)
        // Each dataset's share is its runs' summed wall time over the 2 jobs.
        for dataset in ["alpha", "beta"] {
            let seconds = (0..<10).compactMap { harness.record($0) }.filter { $0.key.hasPrefix(dataset + "/") }
                .reduce(0) { $0 + $1.wallSeconds }
            #expect(abs(row.shares[dataset, default: -1] - seconds / 2) < 1e-12)
        }
        #expect(row.wallSeconds > 0)
        let table = times.table(datasets: ["alpha", "gamma"]).markdown()
        #expect(table.contains("of which alpha") && !table.contains("gamma"))
        // A resumed invocation that executed nothing adds no time.
        try harness.run(runOptions(["--jobs", "2"]))
        #expect(WallTimes(results: ["toy"], folder: "quick", root: scratch.url).rows.first?.wallSeconds == row.wallSeconds)
        // A rerun that recomputes every record replaces the first invocation's time; it does not add to it.
        try harness.run(runOptions(["--jobs", "2", "--fresh"]))
        let provenance = scratch.url.appendingPathComponent("toy/quick/provenance")
        let latest = try JSON.decode(Invocation.self, from: provenance.appendingPathComponent("all.json"))
        let earlier = try JSON.decode(Invocation.self, from: provenance.appendingPathComponent("all.1.json"))
        #expect(latest.executed == 10 && earlier.executed == 10)
        let rerun = try #require(WallTimes(results: ["toy"], folder: "quick", root: scratch.url).rows.first)
        #expect(rerun.wallSeconds == latest.wallSeconds && rerun.runs == 10)
    }

    /// Resumed invocations and shards add up; invocations whose records were recomputed later drop out.
    @Test func currentInvocations() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        try Harness(Toy(), options: try options(scratch)).run(runOptions(["--jobs", "2"]))
        let base = try JSON.decode(Invocation.self, from: scratch.url.appendingPathComponent("toy/quick/provenance/all.json"))
        func invocation(_ executed: Int) -> Invocation {
            var i = base; i.executed = executed; i.executedKeys = nil; i.runSeconds = Double(executed); return i
        }
        let keys = (0..<10).map { "k\($0)" }
        let records = Dictionary(uniqueKeysWithValues: keys.map { ($0, 1.0) })
        func count(_ list: [Invocation], _ records: [String: Double]) -> Int { WallTimes.current(list, records: records).count }
        // Invocations that kept only a count.
        let full = invocation(10), part1 = invocation(4), part2 = invocation(6)
        #expect(count([part1, part2], records) == 2)              // resumed
        #expect(count([full, part1, part2], records) == 2)        // rerun in two parts
        #expect(count([part1, full], records) == 1)               // fresh rerun
        #expect(count([full], [:]) == 1)
        #expect(WallTimes.current([], records: records).isEmpty)
        // Invocations that kept their keys: a later rerun of four of the ten runs replaces
        // them in the earlier invocation, which then counts for the six runs' seconds.
        func keyed(_ executed: [String]) -> Invocation {
            var i = invocation(executed.count); i.executedKeys = executed; return i
        }
        var rerun = keyed(Array(keys.prefix(4)))
        let shares = WallTimes.current([keyed(keys), rerun], records: records)
        #expect(shares.map(\.share) == [0.6, 1])
        // A legacy invocation of all ten before it counts the same way.
        #expect(WallTimes.current([full, rerun], records: records).map(\.share) == [0.6, 1])
        // Replaced in full: left out.
        rerun = keyed(keys)
        #expect(WallTimes.current([full, keyed(keys), rerun], records: records).map(\.share) == [1])
    }

    /// The README's table: one column pair per profile, the slow datasets' share, run counts per
    /// profile, and "so far" for a profile whose runs are not all done (no summary yet).
    @Test func tableOfEveryProfile() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        try Harness(Toy(), options: try options(scratch)).run(runOptions(["--jobs", "2"]))
        let times = WallTimes(results: ["toy"], folder: "quick", root: scratch.url)
        let row = try #require(times.rows.first)
        #expect(row.complete && row.commits.count <= 1)
        var text = WallTimes.markdown(results: ["toy"], root: scratch.url, slow: ["beta"], slowLabel: "Beta")
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("| toy") })
        let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        // result, quick and its beta share, default and paper not run, the run counts.
        #expect(cells == ["toy", WallTimes.seconds(row.wallSeconds), WallTimes.seconds(row.shares["beta"]!),
                          "-", "-", "-", "-", "10 / - / -"])
        #expect(text.hasPrefix("The corrected algorithm, on ") && !text.contains("published algorithm"))
        // Without the summary's provenance the profile is unfinished.
        try FileManager.default.removeItem(at: scratch.url.appendingPathComponent("toy/quick/provenance.json"))
        text = WallTimes.markdown(results: ["toy"], root: scratch.url, slow: ["beta"], slowLabel: "Beta")
        #expect(text.contains(WallTimes.seconds(row.wallSeconds) + " so far"))
        #expect(WallTimes.markdown(results: ["absent"], root: scratch.url) == "No profile has been run yet.\n")
    }

    /// A run invocation records the machine's sgemm rate before and after its runs; one that
    /// executed nothing records none; the table's line gives the range and counts the
    /// invocations without a record.
    @Test func machineSpeedAroundTheRuns() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let harness = try Harness(Toy(), options: try options(scratch))
        try harness.run(runOptions(["--jobs", "2"]))
        let file = scratch.url.appendingPathComponent("toy/quick/provenance/all.json")
        let probe = try #require(try JSON.decode(Invocation.self, from: file).sgemmGFLOPS)
        // Any machine that runs the tests multiplies at more than 0.1 and less than 10^4 GFLOP/s.
        for rate in [probe.before, probe.after] { #expect(rate > 0.1 && rate < 1e4) }
        var row = try #require(WallTimes(results: ["toy"], folder: "quick", root: scratch.url).rows.first)
        #expect(row.speeds == [probe.before, probe.after] && row.unmeasured == 0)
        row.speeds = [81.4, 92.6]
        #expect(WallTimes.speedText([row]) == "single-threaded sgemm 81-93 GFLOP/s around the runs")
        row.speeds = [90.1, 90.2]
        #expect(WallTimes.speedText([row]) == "single-threaded sgemm 90 GFLOP/s around the runs")
        row.unmeasured = 2
        #expect(WallTimes.speedText([row]) == "single-threaded sgemm 90 GFLOP/s around the runs "
                + "(1 of 3 invocations; the others predate the record)")
        row.speeds = []
        #expect(WallTimes.speedText([row]) == "machine speed not recorded (runs before it was)")
        // Resuming with nothing left to run measures nothing and keeps the record.
        try harness.run(runOptions(["--jobs", "2"]))
        #expect(try JSON.decode(Invocation.self, from: file).sgemmGFLOPS == probe)
    }

    @Test func secondsAreReadable() {
        #expect(WallTimes.seconds(3.14) == "3.1 s")
        #expect(WallTimes.seconds(159.4) == "159 s")
        #expect(WallTimes.seconds(2290) == "2290 s (38 min)")
        #expect(WallTimes.seconds(9000) == "9000 s (2.5 h)")
    }
}
