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
        #expect(table.contains("of which alpha (s)") && !table.contains("gamma"))
        // A resumed invocation that executed nothing adds no time.
        try harness.run(runOptions(["--jobs", "2"]))
        #expect(WallTimes(results: ["toy"], folder: "quick", root: scratch.url).rows.first?.wallSeconds == row.wallSeconds)
    }
}
