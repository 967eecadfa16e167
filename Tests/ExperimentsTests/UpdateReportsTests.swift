import Foundation
import Testing
import TestSupport

/// scripts/update-reproduce.sh: each profile fills its own report (paper REPRODUCE.md, default
/// REPRODUCE-default.md, quick none), the benchmarks and the README's time table only on their
/// own update, and a block whose file is missing says how to make it. Run on copies in a
/// scratch folder laid out like the repository.
@Suite struct UpdateReportsTests {
    /// A scratch repository: the script, three small reports, and result files.
    struct Repo {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("update-reports-\(UUID().uuidString)")

        init() throws {
            let fm = FileManager.default
            try fm.createDirectory(at: url.appendingPathComponent("scripts"), withIntermediateDirectories: true)
            try fm.copyItem(at: TestPaths.repositoryRoot.appendingPathComponent("scripts/update-reproduce.sh"),
                            to: url.appendingPathComponent("scripts/update-reproduce.sh"))
            let report = ["# r", "<!-- generated: toy/table.md -->", "old", "<!-- end generated -->",
                          "<!-- generated: bench/bench.md -->", "old bench", "<!-- end generated -->", ""]
            for file in ["REPRODUCE.md", "REPRODUCE-default.md"] { try write(file, report.joined(separator: "\n")) }
            try write("README.md", "# readme\n<!-- generated: times/time-table.md -->\nold times\n<!-- end generated -->\n")
            for profile in ["quick", "default", "paper"] { try write("results/toy/\(profile)/table.md", "\(profile) table\n") }
            try write("results/bench/bench.md", "new bench\n")
            try write("results/times/time-table.md", "new times\n")
        }

        func write(_ path: String, _ text: String) throws {
            let file = url.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }

        func read(_ path: String) throws -> String {
            try String(contentsOf: url.appendingPathComponent(path), encoding: .utf8)
        }

        @discardableResult
        func update(_ arguments: String) throws -> (Int32, String) {
            try shell("cd '\(url.path)' && bash scripts/update-reproduce.sh \(arguments)")
        }

        func cleanup() { try? FileManager.default.removeItem(at: url) }
    }

    @Test func eachProfileFillsItsOwnReport() throws {
        let repo = try Repo(); defer { repo.cleanup() }
        #expect(try repo.update("paper").0 == 0)
        var paper = try repo.read("REPRODUCE.md")
        #expect(paper.contains("_Profile `paper`, from `results/toy/paper/table.md`:_\n\npaper table\n"))
        #expect(paper.contains("old bench") && !paper.contains("new bench"), "bench blocks wait for their own update")
        #expect(try repo.read("REPRODUCE-default.md").contains("old\n"))

        #expect(try repo.update("default").0 == 0)
        #expect(try repo.read("REPRODUCE-default.md").contains("default table"))
        #expect(try repo.read("REPRODUCE.md") == paper, "the default profile leaves REPRODUCE.md alone")

        let (status, output) = try repo.update("quick")
        #expect(status == 0 && output.contains("updates no report"))
        #expect(try repo.read("REPRODUCE.md") == paper && !(try repo.read("REPRODUCE-default.md")).contains("quick"))

        #expect(try repo.update("bench").0 == 0)
        paper = try repo.read("REPRODUCE.md")
        #expect(paper.contains("new bench") && paper.contains("paper table"))
        #expect(try repo.read("REPRODUCE-default.md").contains("old bench"))

        #expect(try repo.update("times").0 == 0)
        #expect(try repo.read("README.md").contains("_From `results/times/time-table.md`:_\n\nnew times\n"))
    }

    @Test func aMissingResultSaysHowToMakeIt() throws {
        let repo = try Repo(); defer { repo.cleanup() }
        try FileManager.default.removeItem(at: repo.url.appendingPathComponent("results/toy/paper"))
        try repo.update("paper")
        #expect(try repo.read("REPRODUCE.md").contains(
            "_Not run yet on the `paper` profile: run `make reproduce PROFILE=paper RESULTS=toy`._"))
        let (status, output) = try repo.update("fast")
        #expect(status == 2 && output.contains("unknown profile 'fast'"))
    }
}
