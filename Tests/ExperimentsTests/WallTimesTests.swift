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
        func invocation(_ executed: Int) -> Invocation { var i = base; i.executed = executed; return i }
        let full = invocation(10), part1 = invocation(4), part2 = invocation(6)
        #expect(WallTimes.current([part1, part2], records: 10).count == 2)              // resumed
        #expect(WallTimes.current([full, part1, part2], records: 10).count == 2)        // rerun in two parts
        #expect(WallTimes.current([part1, full], records: 10).count == 1)               // fresh rerun
        #expect(WallTimes.current([full], records: 0).count == 1)
        #expect(WallTimes.current([], records: 10).isEmpty)
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

    @Test func secondsAreReadable() {
        #expect(WallTimes.seconds(3.14) == "3.1 s")
        #expect(WallTimes.seconds(159.4) == "159 s")
        #expect(WallTimes.seconds(2290) == "2290 s (38 min)")
        #expect(WallTimes.seconds(9000) == "9000 s (2.5 h)")
    }
}
