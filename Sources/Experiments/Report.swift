import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The table `make reproduce` prints at the end: for each result run, every claim with its
/// measured numbers, verdict and figures (read from `<results>/<result>/<profile>/verdict.json`),
/// and the result's wall time in this invocation.
public struct ReproductionReport: Sendable {
    /// One result of the invocation.
    public struct Entry: Sendable {
        public var name: String
        /// Its verdicts, nil when `verdict.json` is missing or unreadable.
        public var verdicts: VerdictFile?
        /// Wall-clock seconds of the result in this invocation, when measured.
        public var seconds: Double?
        /// Whether its executable exited with an error.
        public var failed: Bool
        /// Figure file names present in the result's folder (for `Verdict.figures` patterns).
        public var figureFiles: [String]
    }

    /// The six result executables.
    public static let results = ["displacement", "convergence", "correlation", "generalization", "optimizers",
                                 "metalearning"]

    public var profile: Profile
    public var entries: [Entry]

    /// Reads the verdicts and figure names of `results` (executable names) under `root`.
    public init(results: [String], profile: Profile, root: URL, seconds: [String: Double] = [:],
                failed: Set<String> = []) {
        self.profile = profile
        entries = results.map { name in
            let folder = root.appendingPathComponent(name).appendingPathComponent(profile.rawValue)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return Entry(name: name,
                         verdicts: VerdictFile.read(root: root, result: name, folder: profile.rawValue),
                         seconds: seconds[name], failed: failed.contains(name),
                         figureFiles: files.filter { $0.hasSuffix(".png") }.sorted())
        }
    }

    /// One row per claim; the result's name, combined outcome and wall time on its first row.
    /// Figures are given where `make reproduce` copies them: `Figures/<result>/`, each once.
    public func table() -> Table {
        var table = Table(columns: ["result", "claim", "measured", "verdict", "figures", "wall time"])
        for e in entries {
            let time = e.seconds.map { String(format: "%.0f s", $0) } ?? "-"
            guard let v = e.verdicts else {
                table.append([e.name, "-", "-", e.failed ? "failed: no verdict.json (see the log above)"
                              : "no verdict.json: run it on this profile", "-", time])
                continue
            }
            var title = "\(e.name): \(v.outcome.phrase)"
            if v.runsCompleted < v.runsDeclared { title += " (\(v.runsCompleted) of \(v.runsDeclared) runs)" }
            if e.failed { title += " (exited with an error)" }
            if v.claims.isEmpty { table.append([title, "-", "-", "no verdict rules", "-", time]) }
            var shown = Set<String>()
            for (i, c) in v.claims.enumerated() {
                // Each figure once per result, on the first claim it shows; only figures present.
                let figures = c.figures.filter { pattern in
                    e.figureFiles.contains { matches($0, pattern) } && shown.insert(pattern).inserted
                }.map { "Figures/\(e.name)/\($0)" }
                table.append([i == 0 ? title : "", c.claim, c.measured, c.verdictText,
                              figures.joined(separator: " "), i == 0 ? time : ""])
            }
        }
        return table
    }

    /// "Total wall time: ..." when any time was measured.
    public var totalLine: String {
        let times = entries.compactMap(\.seconds)
        return times.isEmpty ? "" : String(format: "Total wall time: %.0f s.\n", times.reduce(0, +))
    }

    /// For a terminal: the table with cells wrapped to fixed widths, then the total.
    public func text() -> String {
        "Reproduction summary, profile \(profile.rawValue) (rules: each result's verdict.md):\n\n"
            + table().wrapped(widths: [16, 40, 40, 26, 22, 9]) + "\n" + totalLine
    }

    /// As a Markdown file: a heading, the table, the total.
    public func markdown() -> String {
        "# Reproduction summary, profile \(profile.rawValue)\n\n" + table().markdown() + "\n" + totalLine
    }
}

/// Whether `name` matches the shell pattern `pattern` (`*`, `?`).
func matches(_ name: String, _ pattern: String) -> Bool { fnmatch(pattern, name, 0) == 0 }
