import Foundation
import Testing
import TestSupport

/// The comparison the cluster tests rely on must see every kind of difference it claims to.
@Suite struct ResultFolderTests {
    /// Writes a small result folder: a summary, a figure, two run records, a provenance file.
    func make(_ root: URL, wall: Double = 1, loss: Double = 0.5, figure: [UInt8] = [1, 2, 3],
              provenance: String = "a") throws -> ResultFolder {
        let folder = ResultFolder(results: root, result: "toy", profile: "quick")
        let fm = FileManager.default
        try fm.createDirectory(at: folder.url.appendingPathComponent("runs/alpha"), withIntermediateDirectories: true)
        try Data(#"{"runs": {"declared": 2, "ok": 2, "diverged": [], "failed": [], "missing": []}}"#.utf8)
            .write(to: folder.url.appendingPathComponent("summary.json"))
        try Data(figure).write(to: folder.url.appendingPathComponent("toy.png"))
        try Data(provenance.utf8).write(to: folder.url.appendingPathComponent("provenance.json"))
        for seed in 0..<2 {
            try Data(#"{"key": "alpha/seed-\#(seed)", "payload": {"loss": \#(loss)}, "wallSeconds": \#(wall)}"#.utf8)
                .write(to: folder.url.appendingPathComponent("runs/alpha/seed-\(seed).json"))
        }
        return folder
    }

    @Test func equalFoldersAndTheIgnoredFieldsGiveNoDifference() throws {
        let root = try Executables.temporaryFolder("result-folder")
        defer { try? FileManager.default.removeItem(at: root) }
        let a = try make(root.appendingPathComponent("a"))
        let b = try make(root.appendingPathComponent("b"), wall: 7, provenance: "b")
        #expect(try a.differences(from: b) == [])
        let counts = try a.runCounts()
        #expect(counts.declared == 2 && counts.ok == 2 && counts.diverged == 0 && counts.failed == 0
                && counts.missing == 0)
    }

    @Test func everyKindOfDifferenceIsReported() throws {
        let root = try Executables.temporaryFolder("result-folder")
        defer { try? FileManager.default.removeItem(at: root) }
        let a = try make(root.appendingPathComponent("a"))
        let payload = try make(root.appendingPathComponent("payload"), loss: 0.25)
        #expect(try a.differences(from: payload) == ["run record differs: runs/alpha/seed-0.json",
                                                     "run record differs: runs/alpha/seed-1.json"])
        let figure = try make(root.appendingPathComponent("figure"), figure: [1, 2, 4])
        #expect(try a.differences(from: figure) == ["differs: toy.png"])

        let extra = try make(root.appendingPathComponent("extra"))
        try Data().write(to: extra.url.appendingPathComponent("more.csv"))
        #expect(try a.differences(from: extra).first?.hasPrefix("top-level files differ") == true)

        let missingRun = try make(root.appendingPathComponent("missing-run"))
        try FileManager.default.removeItem(at: missingRun.url.appendingPathComponent("runs/alpha/seed-1.json"))
        #expect(try a.differences(from: missingRun).first?.hasPrefix("run files differ") == true)

        let empty = ResultFolder(results: root.appendingPathComponent("nothing"), result: "toy", profile: "quick")
        #expect(try empty.differences(from: empty).count == 2, "two empty folders are not equal outputs")
    }
}
