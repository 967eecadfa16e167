import Foundation

/// The table REPRODUCE.md opens with: every claim of every result on one screen, its outcome
/// under the corrected and the published algorithm (read from each `verdict.json`), with the
/// effect and its interval for a claim of one part and the tally of outcomes for a claim of
/// several, each result linked to its section of the report.
public struct ClaimsSummary: Sendable {
    /// A heading of the report a result's row links to.
    public struct Section: Sendable, Equatable {
        /// The heading's text, e.g. "Result 2 - sharpness and curvature vs validation loss".
        public var heading: String
        /// GitHub's anchor of the heading (`ClaimsSummary.anchor`).
        public var anchor: String
        /// The line of the result's first generated block in the report (rows follow its order).
        public var line: Int
        /// The text of the link: the heading up to " - " ("Result 2").
        public var label: String { heading.components(separatedBy: " - ").first ?? heading }
    }

    /// One result: its verdicts under both algorithms (nil: not run on this profile).
    public struct Entry: Sendable {
        public var name: String
        public var corrected: VerdictFile?
        public var published: VerdictFile?
    }

    public var profile: Profile
    public var entries: [Entry]
    /// The section of each result, by executable name, and of its published algorithm, by
    /// "<name>@published" (from `sections(of:)`).
    public var sections: [String: Section]

    /// Reads `<root>/<result>/<profile>/verdict.json` and `<profile>-published/verdict.json` of
    /// every result; `report` is the text of REPRODUCE.md, whose headings the rows link to and
    /// whose order they follow (results without a section last).
    public init(results: [String], profile: Profile, root: URL, report: String) {
        self.profile = profile
        let sections = Self.sections(of: report)
        self.sections = sections
        func position(_ name: String) -> Int { sections[name]?.line ?? Int.max }
        entries = results.enumerated()
            .sorted { (position($0.element), $0.offset) < (position($1.element), $1.offset) }
            .map(\.element)
            .map { name in
                Entry(name: name,
                      corrected: VerdictFile.read(root: root, result: name, folder: profile.rawValue),
                      published: VerdictFile.read(root: root, result: name,
                                                  folder: profile.rawValue + Algorithm.published.folderSuffix))
            }
    }

    /// The section of each result: the heading above the result's first generated block,
    /// `<!-- generated: <result>/... -->` (key `<result>`), and above its published algorithm's,
    /// `<!-- generated: <result>@published/... -->` (key `<result>@published`).
    public static func sections(of report: String) -> [String: Section] {
        let marker = "<!-- generated: "
        var heading: String?
        var out: [String: Section] = [:]
        for (number, line) in report.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("## ") || line.hasPrefix("### ") {
                heading = String(line.drop { $0 == "#" }).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix(marker), let h = heading,
                      let name = line.dropFirst(marker.count).split(separator: "/").first.map(String.init),
                      out[name] == nil {
                out[name] = Section(heading: h, anchor: anchor(h), line: number)
            }
        }
        return out
    }

    /// GitHub's anchor of a heading: lower case, characters other than letters, digits, spaces,
    /// hyphens and underscores removed, each space a hyphen.
    public static func anchor(_ heading: String) -> String {
        var out = ""
        for s in heading.lowercased().unicodeScalars {
            if s == " " { out.append("-") }
            else if s == "-" || s == "_" || CharacterSet.alphanumerics.contains(s) { out.unicodeScalars.append(s) }
        }
        return out
    }

    /// A claim's cell: its outcome in bold, then for one part the effect with its interval and
    /// n, for several parts how many had each outcome ("all N parts" when they agree).
    public static func cell(_ verdict: Verdict?) -> String {
        guard let verdict else { return "-" }
        let outcome = "**\(verdict.outcome.rawValue)**"
        if verdict.checks.count == 1 {
            guard let d = verdict.checks[0].decision else { return outcome }
            return outcome + ": " + d.summary
        }
        let tally = Outcome.counts(verdict.checks.map(\.outcome))
        if tally.count == 1 { return outcome + ": all \(verdict.checks.count) parts" }
        return outcome + ": " + tally.joined(separator: ", ") + " of \(verdict.checks.count) parts"
    }

    /// One row per claim, in each result's order; the result's link and run counts on its first row.
    public func table() -> Table {
        var table = Table(columns: ["result", "claim", "corrected algorithm", "published algorithm"])
        for e in entries {
            var title = e.name
            if let s = sections[e.name] { title = "[\(s.label)](#\(s.anchor)) `\(e.name)`" }
            // No published verdicts: "-" where the report has no published section for the result.
            let missing = sections[e.name + "@published"] == nil ? "-" : "not run on this profile"
            guard let corrected = e.corrected else {
                table.append([title, "-", "not run on this profile", e.published == nil ? missing : "see its section"])
                continue
            }
            var published: [String: Verdict]?
            if let file = e.published {
                published = Dictionary(file.claims.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            }
            if corrected.runsCompleted < corrected.runsDeclared {
                title += " (\(corrected.runsCompleted) of \(corrected.runsDeclared) runs)"
            }
            for (i, claim) in corrected.claims.enumerated() {
                let other = published.map { Self.cell($0[claim.id]) } ?? missing
                table.append([i == 0 ? title : "", claim.claim, Self.cell(claim), other])
            }
        }
        return table
    }

    /// The Markdown block: a sentence on how to read it, then the table.
    public func markdown() -> String {
        "All claims on the `\(profile.rawValue)` profile: the outcome of each under the corrected "
            + "and the published algorithm; for a claim of one part its effect, 95% interval and n, "
            + "for a claim of several parts (datasets, optimizers, steps) how many parts had each "
            + "outcome. Each result's section has every part's numbers and rule.\n\n" + table().markdown()
    }
}
