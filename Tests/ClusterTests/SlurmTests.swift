import Foundation
import Testing
import TestSupport

/// The cluster path on a real Slurm: scripts/slurm/test-single-node.sh brings up a one-node
/// cluster (munged, slurmctld, slurmd), submits a result with scripts/slurm/submit.sh as an
/// array of shards plus the dependent merge job, and stops everything it started. Needs root;
/// `make test` installs Debian's slurm-wlm and munge (scripts/setup.sh).
@Suite struct SlurmTests {
    static let result = "displacement", tasks = 3

    @Test(.requires(.root("the Slurm test starts slurmd and munged")),
          .timeLimit(.minutes(10)))
    func arrayJobAndMergeOnOneNodeClusterEqualOneProcess() throws {
        let folder = try Executables.temporaryFolder("slurm")
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/slurm/test-single-node.sh")
        let started = Date()
        let (status, output) = try Executables.start(
            URL(fileURLWithPath: "/bin/bash"),
            [script.path, "--result", Self.result, "--profile", "quick", "--tasks", "\(Self.tasks)",
             "--timeout", "240", "--bin", Executables.productsDirectory.path, "--keep", folder.path]).wait()
        try #require(status == 0, "test-single-node.sh failed (exit \(status)):\n\(output)")
        print("Slurm cluster test: \(Int(Date().timeIntervalSince(started))) s")

        // The script compared the top-level outputs; compare the run records too.
        let whole = ResultFolder(results: folder.appendingPathComponent("whole"), result: Self.result, profile: "quick")
        let sharded = ResultFolder(results: folder.appendingPathComponent("sharded"), result: Self.result, profile: "quick")
        let counts = try sharded.runCounts()
        #expect(counts.declared >= Self.tasks && counts.missing == 0 && counts.failed == 0,
                "every run merged: \(counts)")
        for i in 0..<Self.tasks {
            #expect(FileManager.default.fileExists(
                atPath: sharded.url.appendingPathComponent("provenance/shard-\(i)-of-\(Self.tasks).json").path),
                "array task \(i) ran shard \(i)/\(Self.tasks)")
        }
        let differences = try whole.differences(from: sharded)
        #expect(differences.isEmpty, "Slurm array + merge vs one process:\n\(differences.joined(separator: "\n"))")
    }
}
