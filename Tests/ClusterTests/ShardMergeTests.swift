import Foundation
import Testing
import TestSupport

/// `--shard i/n` and `merge` end to end, as a cluster uses them: separate processes, each
/// running its share of the runs into one results folder, then a merge.
@Suite struct ShardMergeTests {
    /// A cheap result whose quick profile has several runs (about a second in all).
    static let result = "displacement"

    @Test func twoShardProcessesAndMergeEqualOneProcess() throws {
        let folder = try Executables.temporaryFolder("shard-merge")
        defer { try? FileManager.default.removeItem(at: folder) }
        let whole = folder.appendingPathComponent("whole"), sharded = folder.appendingPathComponent("sharded")
        let common = ["--profile", "quick", "--quiet"]

        let reference = try Executables.run(Self.result, ["run", "--results", whole.path] + common)
        try #require(reference.status == 0, "unsharded run failed:\n\(reference.output)")

        // Both shards at once, into the same folder, as array tasks on a shared file system do.
        let exe = Executables.productsDirectory.appendingPathComponent(Self.result)
        let shards = try (0..<2).map {
            try Executables.start(exe, ["run", "--results", sharded.path, "--shard", "\($0)/2", "--jobs", "1"] + common)
        }
        for (i, shard) in shards.enumerated() {
            let (status, output) = try shard.wait()
            #expect(status == 0, "shard \(i)/2 failed:\n\(output)")
        }
        let a = ResultFolder(results: whole, result: Self.result, profile: "quick")
        let b = ResultFolder(results: sharded, result: Self.result, profile: "quick")
        #expect(!FileManager.default.fileExists(atPath: b.url.appendingPathComponent("summary.json").path),
                "a shard of several writes no summary")

        // Each shard did its share: run i of the declared order belongs to shard i mod 2.
        let declared = try a.runCounts().declared
        try #require(declared >= 4, "the test needs several runs per shard; \(Self.result) quick declares \(declared)")
        for i in 0..<2 {
            let invocation = try b.json("provenance/shard-\(i)-of-2.json")
            #expect(invocation["executed"] as? Int == (declared + 1 - i) / 2, "runs executed by shard \(i)/2")
        }

        let merge = try Executables.run(Self.result, ["merge", "--results", sharded.path, "--require-complete"] + common)
        try #require(merge.status == 0, "merge failed:\n\(merge.output)")
        let counts = try b.runCounts()
        #expect(counts.missing == 0 && counts.failed == 0 && counts.ok + counts.diverged == declared,
                "every run in the merged summary: \(counts)")
        let differences = try a.differences(from: b)
        #expect(differences.isEmpty, "sharded + merge vs one process:\n\(differences.joined(separator: "\n"))")
    }

    @Test func mergeOfAnIncompleteShardSetFailsWhenAskedForCompleteness() throws {
        let folder = try Executables.temporaryFolder("shard-incomplete")
        defer { try? FileManager.default.removeItem(at: folder) }
        let common = ["--profile", "quick", "--results", folder.path, "--quiet"]
        let shard = try Executables.run(Self.result, ["run", "--shard", "1/3", "--jobs", "1"] + common)
        try #require(shard.status == 0, "shard 1/3 failed:\n\(shard.output)")
        let merge = try Executables.run(Self.result, ["merge", "--require-complete"] + common)
        #expect(merge.status != 0)
        #expect(merge.output.contains("incomplete summary"), "says why:\n\(merge.output)")
    }
}
