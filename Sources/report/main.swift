// `report`: the summary table printed at the end of `make reproduce`: per result, each claim
// of the paper with the measured numbers, the verdict its rule gives (from the result's
// verdict.json, written when its summary is), the figures and the result's wall time.
import ArgumentParser
import Experiments
import Foundation

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the claims, measured numbers, verdicts, figures and wall times of a profile's results.",
        discussion: "Reads <results>/<result>/<profile>/verdict.json of each RESULT (the result executables "
            + "write it with their summary). scripts/reproduce.sh calls this with the wall times it measured.")

    @Option(help: ArgumentHelp("Profile whose results to report: quick, default or paper.", valueName: "profile"),
            transform: { try Profile.parse($0) })
    var profile: Profile = .default

    @Option(help: ArgumentHelp("Root folder of all results.", valueName: "folder"))
    var results = "results"

    @Option(help: ArgumentHelp("Wall time of a result in this invocation (repeatable).", valueName: "result=seconds"))
    var seconds: [String] = []

    @Option(help: ArgumentHelp("A result whose executable exited with an error (repeatable).", valueName: "result"))
    var failed: [String] = []

    @Option(help: ArgumentHelp("Also write the table as Markdown to this file (atomically).", valueName: "file"))
    var markdown: String?

    @Option(help: ArgumentHelp("Also write the claims summary REPRODUCE.md opens with (every result's claims, "
                               + "both algorithms) as Markdown to this file (atomically).", valueName: "file"))
    var summary: String?

    @Option(help: ArgumentHelp("The report whose section headings the summary links to.", valueName: "file"))
    var reproduce = "REPRODUCE.md"

    @Option(help: ArgumentHelp("Also write the wall times of every profile's runs found under the results "
                               + "folder (per algorithm, result and profile: the wall time of the invocations "
                               + "that executed runs, the CIFAR-10 share, the run counts) as Markdown to this "
                               + "file (atomically); the README's time table.", valueName: "file"))
    var timeTable: String?

    @Argument(help: "The results to report, in order (executable names).")
    var names: [String] = ReproductionReport.results

    func run() throws {
        var times: [String: Double] = [:]
        for item in seconds {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]) else {
                throw ValidationError("--seconds expects result=seconds, got '\(item)'")
            }
            times[parts[0]] = value
        }
        let report = ReproductionReport(results: names, profile: profile, root: URL(fileURLWithPath: results),
                                        seconds: times, failed: Set(failed))
        print(report.text(), terminator: "")
        if let markdown { try writeAtomically(report.markdown(), to: URL(fileURLWithPath: markdown)) }
        if let timeTable {
            let text = WallTimes.markdown(results: names, root: URL(fileURLWithPath: results))
            try writeAtomically(Data(text.utf8), to: URL(fileURLWithPath: timeTable))
        }
        if let summary {
            guard let text = try? String(contentsOfFile: reproduce, encoding: .utf8) else {
                throw ValidationError("cannot read \(reproduce), whose sections the summary links to; "
                                      + "run from the repository's root or pass --reproduce FILE")
            }
            // Every result, whichever were run in this invocation.
            let claims = ClaimsSummary(results: ReproductionReport.results, profile: profile,
                                       root: URL(fileURLWithPath: results), report: text)
            try writeAtomically(claims.markdown(), to: URL(fileURLWithPath: summary))
        }
    }
}

Report.main()
