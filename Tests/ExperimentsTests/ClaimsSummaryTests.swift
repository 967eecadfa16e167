import Foundation
import Testing
import TestSupport
@testable import Experiments

/// The claims summary REPRODUCE.md opens with: sections found, anchors, cells, both algorithms.
@Suite struct ClaimsSummaryTests {
    static let report = """
        # Reproduction report

        ## Summary
        <!-- generated: summary/claims.md -->
        <!-- end generated -->

        ## Result 1 - the first (Section 3)
        <!-- generated: first/table.md -->
        <!-- end generated -->
        <!-- generated: first/verdict.md -->
        <!-- end generated -->

        ## Result 2 - the second, with a comma
        <!-- generated: second/verdict.md -->
        <!-- end generated -->

        ### Result 2 with the published algorithm
        <!-- generated: second@published/comparison.md -->
        <!-- end generated -->
        """

    @Test func anchorsAreGitHubs() {
        #expect(ClaimsSummary.anchor("Result 2 - sharpness and curvature vs validation loss (Table 1, Figs 9-10)")
                == "result-2---sharpness-and-curvature-vs-validation-loss-table-1-figs-9-10")
        #expect(ClaimsSummary.anchor("Result 4 with the published algorithm") == "result-4-with-the-published-algorithm")
        #expect(ClaimsSummary.anchor("a_b: c.d") == "a_b-cd")
    }

    @Test func sectionsAreTheHeadingsAboveEachResultsFirstBlock() {
        let s = ClaimsSummary.sections(of: Self.report)
        #expect(s["first"] == .init(heading: "Result 1 - the first (Section 3)",
                                    anchor: "result-1---the-first-section-3", line: 7))
        #expect(s["first"]?.label == "Result 1")
        #expect(s["second"]?.heading == "Result 2 - the second, with a comma")
        #expect(s["second@published"]?.heading == "Result 2 with the published algorithm")
        #expect(s["first@published"] == nil && s["summary"]?.heading == "Summary")
    }

    @Test func cellsGiveTheOutcomeThenTheEffectOrTheTally() {
        let up = Decision.exact("r", value: 0.7, claim: .above, boundary: 0, scale: 1)
        let down = Decision.exact("r", value: -0.1, claim: .above, boundary: 0, scale: 1)
        #expect(ClaimsSummary.cell(nil) == "-")
        #expect(ClaimsSummary.cell(Verdict(id: "x/a", claim: "a.", checks: [Check("", up)]))
                == "**reproduced**: 0.7, n = 1 (exact)")
        #expect(ClaimsSummary.cell(.notRun(id: "x/b", "b.", because: "no data")) == "**not run here**")
        let parts = Verdict(id: "x/c", claim: "c.", checks: [Check("p", up), Check("q", up), Check("r", down),
                                                              .notRun("s", because: "no data")])
        #expect(ClaimsSummary.cell(parts) == "**mixed**: 2 reproduced, 1 contradicted, 1 not run here of 4 parts")
        let agreeing = Verdict(id: "x/d", claim: "d.", checks: [Check("p", up), Check("q", up)])
        #expect(ClaimsSummary.cell(agreeing) == "**reproduced**: all 2 parts")
    }

    @Test func rowsSetBothAlgorithmsSideBySideInTheReportsOrder() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let up = Decision.exact("r", value: 0.7, claim: .above, boundary: 0, scale: 1)
        let down = Decision.exact("r", value: -0.1, claim: .above, boundary: 0, scale: 1)
        func write(_ file: VerdictFile, _ folder: String) throws {
            try writeAtomically(try JSON.encode(file),
                                to: scratch.url.appendingPathComponent("\(folder)/verdict.json"))
        }
        let claimA = Verdict(id: "second/a", claim: "A holds.", checks: [Check("", up)])
        let claimB = Verdict(id: "second/b", claim: "B holds.", checks: [Check("m", up), Check("n", down)])
        try write(VerdictFile(experiment: "second", profile: .quick, runsDeclared: 4, runsCompleted: 3,
                              claims: [claimA, claimB]), "second/quick")
        try write(VerdictFile(experiment: "second", profile: .quick, runsDeclared: 4, runsCompleted: 4,
                              claims: [Verdict(id: "second/a", claim: "A holds.", checks: [Check("", down)])]),
                  "second/quick-published")
        try write(VerdictFile(experiment: "first", profile: .quick, runsDeclared: 1, runsCompleted: 1,
                              claims: [Verdict(id: "first/a", claim: "F holds.", checks: [Check("", up)])]),
                  "first/quick")
        let summary = ClaimsSummary(results: ["second", "first", "third"], profile: .quick, root: scratch.url,
                                    report: Self.report)
        #expect(summary.entries.map(\.name) == ["first", "second", "third"], "the report's order, unknown last")
        let rows = summary.table().rows
        let expected: [[String]] = [
            ["[Result 1](#result-1---the-first-section-3) `first`", "F holds.", "**reproduced**: 0.7, n = 1 (exact)", "-"],
            ["[Result 2](#result-2---the-second-with-a-comma) `second` (3 of 4 runs)", "A holds.",
             "**reproduced**: 0.7, n = 1 (exact)", "**contradicted**: -0.1, n = 1 (exact)"],
            ["", "B holds.", "**mixed**: 1 reproduced, 1 contradicted of 2 parts", "-"],
            ["third", "-", "not run on this profile", "-"],
        ]
        #expect(rows == expected)
        #expect(summary.markdown().hasPrefix("All claims on the `quick` profile"))
    }

    /// Both reports (REPRODUCE.md for the paper profile, REPRODUCE-default.md for the default
    /// one) open with the summary, and every result's rows link to a section of the same file.
    @Test(arguments: ["REPRODUCE.md", "REPRODUCE-default.md"])
    func theReportOpensWithTheSummaryAndLinksEveryResult(file: String) throws {
        let url = TestPaths.repositoryRoot.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        let sections = ClaimsSummary.sections(of: text)
        for name in ReproductionReport.results { #expect(sections[name] != nil, "no section for \(name)") }
        let summary = try #require(text.range(of: "<!-- generated: summary/claims.md -->"))
        let first = try #require(text.range(of: "\n## Result 1 "))
        #expect(summary.lowerBound < first.lowerBound, "the summary comes before the results")
        // The summary's links point at this file's own headings.
        let end = try #require(text.range(of: "<!-- end generated -->", range: summary.upperBound..<text.endIndex))
        let links = text[summary.upperBound..<end.lowerBound].components(separatedBy: "](#").dropFirst()
            .map { String($0.prefix { $0 != ")" }) }
        #expect(links.count == ReproductionReport.results.count)
        let anchors = Set(sections.values.map(\.anchor))
        for link in links { #expect(anchors.contains(link), "\(file): no heading #\(link)") }
    }
}
