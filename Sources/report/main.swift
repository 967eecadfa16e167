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

    @Argument(help: "The results to report, in order (executable names).")
    var names: [String] = ["displacement", "convergence", "correlation", "generalization", "optimizers", "metalearning"]

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
    }
}

Report.main()
