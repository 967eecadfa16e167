import ArgumentParser
import Foundation

/// The command line of a result executable: `<name> run`, `<name> merge`, `<name> profiles`.
/// An executable's `main.swift` ends with `ExperimentCommand<MyExperiment>.main()`.
public struct ExperimentCommand<E: Experiment>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: E.name, abstract: E.abstract,
            discussion: "Outputs go to <results>/\(E.name)/<profile>/: runs/ (one JSON file per run), "
                + "summary.json, runs.csv/.md, provenance.json, and the experiment's tables and figures.",
            subcommands: [RunCommand<E>.self, MergeCommand<E>.self, ProfilesCommand<E>.self])
    }
    public init() {}
}

/// `<name> run`: execute the runs not done yet, then write the summary.
public struct RunCommand<E: Experiment>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "run",
            abstract: "Execute the runs that have no result yet (in parallel), then write the summary.",
            discussion: "Each run writes results/\(E.name)/<profile>/runs/<key>.json as it ends, so an "
                + "interrupted invocation resumes where it stopped. With --shard i/n only every n-th "
                + "run executes and no summary is written: run `\(E.name) merge` after all shards. "
                + "With --stop-after, runs not started in time are left for the next invocation, "
                + "no summary is written and the exit status is 75.")
    }

    @OptionGroup public var options: ExperimentOptions
    @OptionGroup public var runOptions: RunOptions

    public init() {}

    public func run() throws { try humanized(verbose: options.verbose, body) }

    private func body() throws {
        let harness = try Harness(E(), options: options)
        try harness.preflight()   // before any output or work
        Interruption.install(resume: CommandLine.arguments.joined(separator: " "))
        if !options.quiet {
            print("\(E.name), profile \(options.profile.rawValue): \(harness.runs.count) runs, "
                  + "\(runOptions.jobs) in parallel"
                  + (runOptions.shard.count > 1 ? ", shard \(runOptions.shard)" : ""))
            print(try harness.parameterTable().markdown())
            fflush(nil)  // the table before the progress line when both go to one log
        }
        let report = try harness.run(runOptions, checked: true)
        if !report.failed.isEmpty { throw HarnessError.runsFailed(report.failed) }
        if !report.deferred.isEmpty { throw ExitCode(Self.incomplete) }
    }

    /// The exit status when `--stop-after` left runs for a later invocation (sysexits'
    /// EX_TEMPFAIL: run the same command again).
    public static var incomplete: Int32 { 75 }
}

/// `<name> merge`: combine the run files present into the summary.
public struct MergeCommand<E: Experiment>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "merge",
            abstract: "Combine the run result files present (e.g. from shards) into the summary; list missing runs.")
    }

    @OptionGroup public var options: ExperimentOptions

    @Flag(help: "Exit with an error when a declared run has no result or failed (for example after a cluster's shards).")
    public var requireComplete = false

    public init() {}

    public func run() throws { try humanized(verbose: options.verbose, body) }

    private func body() throws {
        let harness = try Harness(E(), options: options)
        try harness.checkWritable()
        Interruption.install(resume: CommandLine.arguments.joined(separator: " "))
        let report = try harness.merge()
        if requireComplete && !(report.missing.isEmpty && report.failed.isEmpty) {
            throw HarnessError.incomplete(missing: report.missing, failed: report.failed)
        }
    }
}

/// `<name> profiles`: print every profile's parameters side by side.
public struct ProfilesCommand<E: Experiment>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "profiles",
                             abstract: "Print the parameters of every profile and their run counts.")
    }

    public init() {}

    public func run() throws {
        print(try profilesTable(E()).markdown())
        if let settings = E.datasetSettings {
            print("\nPer dataset, in every profile (CIFAR-10 is the official files when present, else the JPEG copy):\n")
            print(settings.markdown())
        }
    }
}

/// A table of every profile's parameters (one column per profile), with the run count.
public func profilesTable<E: Experiment>(_ experiment: E) throws -> Table {
    let profiles = Profile.allCases
    var values: [[String: String]] = []
    var names: [String] = []
    for profile in profiles {
        let params = experiment.params(for: profile)
        var column: [String: String] = [:]
        for (name, value) in try JSONValue(encoding: params).flattened() {
            if !names.contains(name) { names.append(name) }
            column[name] = value
        }
        column["(runs)"] = String(experiment.runs(params: params, datasets: E.datasets).count)
        values.append(column)
    }
    var table = Table(columns: ["parameter"] + profiles.map(\.rawValue))
    for name in names.sorted() + ["(runs)"] {
        table.append([name] + values.map { $0[name] ?? "-" })
    }
    return table
}

/// Runs `body`, turning any error that is not the project's own or the argument parser's into
/// one sentence (`humanDescription`), so the command line never prints a raw error dump. With
/// `verbose`, the underlying system or library error follows on a second line.
func humanized(verbose: Bool = false, _ body: () throws -> Void) throws {
    do { try body() }
    catch let e as ExitCode { throw e } catch let e as CleanExit { throw e } catch let e as ValidationError { throw e }
    catch {
        let line = humanDescription(error)
        let detail: String?
        switch error {
        case let e as StorageError: detail = e.underlying
        case is HarnessError: detail = nil   // nothing underneath: the message is the whole story
        default: detail = String(reflecting: error)
        }
        guard verbose, let detail else {
            if error is HarnessError || error is StorageError { throw error }
            throw ReportedError(description: line)
        }
        throw ReportedError(description: line + "\nunderlying error: " + detail)
    }
}
