import Foundation
import Testing
@testable import Experiments

/// The verdict rules' building blocks, the harness's verdict files and the reproduction report.
@Suite struct VerdictTests {
    @Test func outcomesCombineOverThePartsThatRan() {
        #expect(Outcome.combining([.reproduced, .reproduced]) == .reproduced)
        #expect(Outcome.combining([.reproduced, .notRunHere]) == .reproduced, "a part not run does not count")
        #expect(Outcome.combining([.contradicted, .contradicted, .notRunHere]) == .contradicted)
        #expect(Outcome.combining([.inconclusive, .inconclusive]) == .inconclusive)
        #expect(Outcome.combining([.reproduced, .inconclusive]) == .mixed)
        #expect(Outcome.combining([.reproduced, .contradicted]) == .mixed)
        #expect(Outcome.combining([.notRunHere]) == .notRunHere && Outcome.combining([]) == .notRunHere)
        #expect(Outcome.mixed.phrase == "mixed (parts differ)" && Outcome.notRunHere.rawValue == "not run here")
    }

    @Test func aClaimOverPartsListsTheirNumbersAndNamesThemByOutcome() {
        let up = Decision.exact("r", value: 0.7, claim: .above, boundary: 0, scale: 1)
        let down = Decision.exact("r", value: -0.1, claim: .above, boundary: 0, scale: 1)
        let mixed = Verdict(id: "x/r", claim: "r > 0.", checks: [Check("a", up), Check("b", down, note: "weak"),
                                                                  .notRun("c", because: "data unavailable")])
        #expect(mixed.measured == "a: 0.7, n = 1 (exact); b: -0.1, n = 1 (exact); weak")
        #expect(mixed.outcome == .mixed)
        #expect(mixed.why == "reproduced: a; contradicted: b; not run here: c: data unavailable")
        #expect(mixed.outcomes == ["x/r": .mixed, "x/r/a": .reproduced, "x/r/b": .contradicted, "x/r/c": .notRunHere])

        let uniform = Verdict(id: "x/u", claim: "r > 0.", checks: [Check("a", up), Check("b", up)])
        #expect(uniform.outcome == .reproduced && uniform.why == "" && uniform.verdictText == "reproduced")
        let none = Verdict(id: "x/n", claim: "x.", checks: [.notRun("", because: "no completed runs")])
        #expect(none.measured == "-" && none.verdictText == "not run here (no completed runs)")
        #expect(none.outcomes == ["x/n": .notRunHere], "unnamed parts have no key of their own")
    }

    @Test func mergeWritesDeterministicVerdictFiles() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let harness = try Harness(Toy(divergingSeed: 2), options: try options(scratch))
        let report = try harness.run(runOptions(["--jobs", "2"]))
        let json = try scratch.data("toy/quick/verdict.json"), md = try scratch.data("toy/quick/verdict.md")
        let file = try JSON.decode(VerdictFile.self, from: scratch.url.appendingPathComponent("toy/quick/verdict.json"))
        #expect(file == report.merge?.verdicts)
        #expect(file.experiment == "toy" && file.profile == .quick)
        #expect(file.runsDeclared == 10 && file.runsCompleted == 8)
        #expect(file.runsDiverged == 2)
        #expect(file.claims.map(\.outcome) == [.contradicted, .reproduced] && file.outcome == .mixed)
        #expect(file.claims[0].measured == "alpha: 0.8, n = 1 (exact); 4/5 runs; beta: 0.8, n = 1 (exact); 4/5 runs")
        let text = String(decoding: md, as: UTF8.self)
        #expect(text.hasPrefix("**Verdict: mixed (parts differ).** Claims: 1 reproduced, 1 contradicted; "
                               + "only 8 of 10 runs completed (2 diverged)."))
        #expect(text.contains("| **Every run completes.** (contradicted)"))

        try harness.merge()
        #expect(try scratch.data("toy/quick/verdict.json") == json, "same runs, same bytes")
        #expect(try scratch.data("toy/quick/verdict.md") == md)
        #expect(!scratch.files().contains { $0.hasSuffix(".tmp") })
    }

    @Test func reportListsClaimsFiguresAndTimes() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        try Harness(Toy(), options: try options(scratch)).run(runOptions(["--jobs", "2"]))
        try writeAtomically(Data([0x89]), to: scratch.url.appendingPathComponent("toy/quick/final.png"))
        let report = ReproductionReport(results: ["toy", "broken"], profile: .quick, root: scratch.url,
                                        seconds: ["toy": 12.4, "broken": 3], failed: ["broken"])
        let rows = report.table().rows
        #expect(rows.count == 3)
        #expect(rows[0] == ["toy: reproduced", "Every run completes.",
                            "alpha: 1, n = 1 (exact); 5/5 runs; beta: 1, n = 1 (exact); 5/5 runs", "reproduced",
                            "Figures/toy/final.png", "12 s"], "only figures that exist")
        #expect(rows[1][0] == "" && rows[1][1] == "The mean final loss is below 2." && rows[1][5] == "")
        #expect(rows[2][0] == "broken" && rows[2][3].hasPrefix("failed: no verdict.json") && rows[2][5] == "3 s")
        #expect(report.text().hasSuffix("Total wall time: 15 s.\n"))
        #expect(report.markdown().hasPrefix("# Reproduction summary, profile quick\n\n| result"))
    }

    @Test func wrappedTableBreaksCellsAtSpaces() {
        var table = Table(columns: ["name", "text"])
        table.append(["a", "one two three four five six"])
        table.append(["b", "unbreakable-word-longer-than-the-column"])
        let lines = table.wrapped(widths: [4, 10]).split(separator: "\n").map(String.init)
        #expect(lines[0] == "name | text")
        #expect(lines[2] == "a    | one two" && lines[3] == "     | three four" && lines[4] == "     | five six")
        #expect(lines.contains("b    | unbreakable-word-longer-than-the-column"), "a long word stays whole")
        #expect(lines[1].allSatisfy { $0 == "-" || $0 == "+" })
    }
}

/// Which image datasets an experiment runs on: the JPEG copy of CIFAR-10 only in place of the
/// official files, and one "not run here" line when neither is present.
@Suite("Image datasets chosen")
struct DatasetChoiceTests {
    static let all = ImageData.experimentDatasets

    @Test func jpegCopyStandsInOnlyWithoutTheOfficialFiles() {
        let both: Set = ["mnist", "fashion-mnist", "cifar-10", "cifar-10-jpeg"]
        #expect(ImageData.usable(Self.all) { both.contains($0) } == ["mnist", "fashion-mnist", "cifar-10"])
        #expect(ImageData.unavailable(Self.all) { both.contains($0) }.isEmpty)
        let copy: Set = ["mnist", "fashion-mnist", "cifar-10-jpeg"]
        #expect(ImageData.usable(Self.all) { copy.contains($0) } == ["mnist", "fashion-mnist", "cifar-10-jpeg"])
        #expect(ImageData.unavailable(Self.all) { copy.contains($0) }.isEmpty)
        // Asked for explicitly, the copy runs even beside the official files.
        #expect(ImageData.usable(["cifar-10-jpeg"]) { both.contains($0) } == ["cifar-10-jpeg"])
        let neither: Set = ["mnist"]
        #expect(ImageData.usable(Self.all) { neither.contains($0) } == ["mnist"])
        #expect(ImageData.unavailable(Self.all) { neither.contains($0) } == ["fashion-mnist", "cifar-10"])
    }

    @Test func partsOnTheCopySayJPEGCopy() {
        #expect(Check("cifar-10-jpeg/adam", nil).shownName == "CIFAR-10 (JPEG copy)/adam")
        #expect(Check("cifar-10-jpeg", nil, note: "why").measured == "CIFAR-10 (JPEG copy): why")
        #expect(Check("mnist", nil).shownName == "MNIST" && Check("quadratic T=10", nil).shownName == "quadratic T=10")
    }
}
