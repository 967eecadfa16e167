import Foundation
import Datasets

/// The measured wall times of a profile's results, for the README's time table: per result
/// (and algorithm folder), the wall time of the `run` invocations that executed its runs (from
/// `provenance/*.json`, summed over resumed invocations and shards; a rerun that recomputed
/// records, such as `--fresh` or a new numerics revision, replaces the invocations whose records
/// it overwrote, in part when it overwrote part of them: `current`), the number of run records,
/// and each dataset's share: the summed wall times of its runs divided by the jobs that ran them
/// in parallel (the invocation's `jobs`).
public struct WallTimes {
    /// One result folder's times.
    public struct Row: Equatable, Sendable {
        public var result: String
        /// Wall seconds of the invocations that executed runs.
        public var wallSeconds: Double
        public var jobs: Int
        public var runs: Int
        /// Per dataset (the first component of a run key): summed run wall time / jobs.
        public var shares: [String: Double]
        /// Whether every run is done: the folder has the summary's provenance (a `--stop-after`
        /// invocation that left runs writes no summary).
        public var complete: Bool
        /// The invocations' machine (the last one's) and commits, in order of first use.
        public var machine: Machine
        public var commits: [String]
        /// The sgemm rates the invocations measured before and after their runs (GFLOP/s),
        /// and how many invocations predate that record.
        public var speeds: [Double] = []
        public var unmeasured = 0
    }

    public var rows: [Row] = []

    /// The two fields of a run record the table needs (the record's payload type does not matter).
    private struct Timing: Decodable {
        var key: String
        var wallSeconds: Double
    }

    /// Reads `<root>/<result>/<folder>/` for each result (a folder without an invocation that
    /// executed runs is left out; unreadable files are skipped).
    public init(results: [String], folder: String, root: URL) {
        for result in results {
            let dir = root.appendingPathComponent(result).appendingPathComponent(folder)
            let provenance = dir.appendingPathComponent("provenance")
            // In order of start; within one second, a shard's earlier invocations (`<label>.<k>.json`,
            // k rising) before its latest (`<label>.json`).
            let invocations = ((try? FileManager.default.contentsOfDirectory(atPath: provenance.path)) ?? [])
                .filter { $0.hasSuffix(".json") }
                .compactMap { name -> (invocation: Invocation, order: Int)? in
                    guard let i = try? JSON.decode(Invocation.self, from: provenance.appendingPathComponent(name))
                    else { return nil }
                    let parts = name.dropLast(5).split(separator: ".")
                    return (i, parts.count > 1 ? Int(parts[parts.count - 1]) ?? Int.max : Int.max)
                }
                .filter { ($0.invocation.executed ?? 0) > 0 }
                .sorted { ($0.invocation.started, $0.order) < ($1.invocation.started, $1.order) }
                .map(\.invocation)
            guard !invocations.isEmpty else { continue }
            var records: [Timing] = []
            let runsFolder = dir.appendingPathComponent("runs")
            let files = FileManager.default.enumerator(atPath: runsFolder.path)
            while let file = files?.nextObject() as? String {
                guard file.hasSuffix(".json"),
                      let record = try? JSON.decode(Timing.self, from: runsFolder.appendingPathComponent(file))
                else { continue }
                records.append(record)
            }
            let parts = Self.current(invocations, records: Dictionary(records.map { ($0.key, $0.wallSeconds) },
                                                                      uniquingKeysWith: { a, _ in a }))
            let counted = parts.map(\.invocation)
            let last = counted[counted.count - 1]
            let wall = parts.reduce(0) { $0 + $1.share * $1.invocation.wallSeconds }
            let jobs = counted.compactMap(\.jobs).max() ?? 1
            var commits: [String] = []
            for commit in counted.compactMap(\.git.commit) where !commits.contains(commit) { commits.append(commit) }
            var shares: [String: Double] = [:]
            for record in records {
                let group = record.key.contains("/") ? String(record.key.split(separator: "/")[0]) : ""
                shares[group, default: 0] += record.wallSeconds / Double(jobs)
            }
            let runs = records.count
            let complete = FileManager.default.fileExists(atPath: dir.appendingPathComponent("provenance.json").path)
            rows.append(Row(result: result, wallSeconds: wall, jobs: jobs, runs: runs, shares: shares,
                            complete: complete, machine: last.machine, commits: commits,
                            speeds: counted.compactMap(\.sgemmGFLOPS).flatMap { [$0.before, $0.after] },
                            unmeasured: counted.filter { $0.sgemmGFLOPS == nil }.count))
        }
    }

    /// One invocation's part of a result's time: its whole wall time (`share` 1), or the part
    /// in proportion to the run time of its records that a later invocation did not replace.
    struct Counted {
        var invocation: Invocation
        var share: Double
    }

    /// The invocations whose runs the records (key -> run seconds) are, in order of start, each
    /// with its share. From the latest back, an invocation that kept its executed keys counts in
    /// full when none of its records was replaced later, in proportion to the run seconds of
    /// those that remain when some were (a rerun of one dataset's runs), and not at all when all
    /// were (`--fresh`, a new numerics revision of every run). Older invocations, which kept only
    /// a count, make up the records left: the latest ones whose counts add up to them, counted
    /// in proportion to the records' run seconds when their counts add up to more.
    static func current(_ invocations: [Invocation], records: [String: Double]) -> [Counted] {
        guard let latest = invocations.last else { return [] }
        func fraction(_ part: Double, of whole: Double?) -> Double {
            guard let whole, whole > 0 else { return 1 }
            return min(1, part / whole)
        }
        var left = records
        var counted: [Counted] = []
        var index = invocations.count - 1
        while index >= 0, !left.isEmpty, let keys = invocations[index].executedKeys {
            let live = keys.filter { left[$0] != nil }
            if !live.isEmpty {
                let share = live.count == keys.count
                    ? 1 : fraction(live.reduce(0) { $0 + left[$1]! }, of: invocations[index].runSeconds)
                counted.append(Counted(invocation: invocations[index], share: share))
                for key in live { left[key] = nil }
            }
            index -= 1
        }
        var legacy: [Invocation] = [], executed = 0
        while index >= 0, executed < left.count {
            legacy.append(invocations[index])
            executed += invocations[index].executed ?? 0
            index -= 1
        }
        if !legacy.isEmpty {
            let share = executed == left.count
                ? 1 : fraction(left.values.reduce(0, +), of: legacy.reduce(0) { $0 + ($1.runSeconds ?? 0) })
            counted += legacy.map { Counted(invocation: $0, share: share) }
        }
        return counted.isEmpty ? [Counted(invocation: latest, share: 1)] : counted.reversed()
    }

    /// The range of the sgemm rates measured around the rows' runs, and how many invocations
    /// have none: times measured at different speeds compare only up to that ratio.
    static func speedText(_ rows: [Row]) -> String {
        let speeds = rows.flatMap(\.speeds), unmeasured = rows.reduce(0) { $0 + $1.unmeasured }
        let invocations = unmeasured + speeds.count / 2
        guard let low = speeds.min(), let high = speeds.max() else {
            return "machine speed not recorded (runs before it was)"
        }
        let range = high - low < 0.5 ? String(format: "%.0f", low) : String(format: "%.0f-%.0f", low, high)
        return "single-threaded sgemm \(range) GFLOP/s around the runs"
            + (unmeasured > 0 ? " (\(speeds.count / 2) of \(invocations) invocations; the others predate the record)" : "")
    }

    /// Whole seconds, tenths below 10 s, and minutes or hours beside longer times.
    static func seconds(_ s: Double) -> String {
        let text = String(format: s < 10 ? "%.1f s" : "%.0f s", s)
        if s >= 5400 { return text + String(format: " (%.1f h)", s / 3600) }
        if s >= 600 { return text + String(format: " (%.0f min)", s / 60) }
        return text
    }

    /// One row per result: its wall time, runs, jobs and the share of each of `datasets` that
    /// some result ran.
    public func table(datasets: [String]) -> Table {
        let datasets = datasets.filter { d in rows.contains { $0.shares[d] != nil } }
        var t = Table(columns: ["result", "wall time", "runs", "jobs"]
                      + datasets.map { "of which \(DatasetName.label(of: $0))" })
        for row in rows {
            t.append([row.result, Self.seconds(row.wallSeconds), "\(row.runs)", "\(row.jobs)"]
                     + datasets.map { d in row.shares[d].map(Self.seconds) ?? "-" })
        }
        if rows.count > 1 {
            t.append(["all", Self.seconds(rows.reduce(0) { $0 + $1.wallSeconds }), "\(rows.reduce(0) { $0 + $1.runs })", ""]
                     + datasets.map { d in Self.seconds(rows.reduce(0) { $0 + ($1.shares[d] ?? 0) }) })
        }
        return t
    }

    /// The README's time table: for each algorithm with runs, one row per result and a column
    /// pair per profile (its wall time, and the share of `slow` datasets, the CIFAR-10 copies),
    /// then the run counts; an unfinished profile's cell says "so far". A line above each table
    /// names the machines, jobs and commits the times come from. Reads
    /// `<root>/<result>/<profile>[-published]/`.
    public static func markdown(results: [String], profiles: [Profile] = Profile.allCases, root: URL,
                                slow: [String] = ["cifar-10-jpeg", "cifar-10"], slowLabel: String = "CIFAR-10") -> String {
        var text = ""
        for (algorithm, suffix) in [("corrected", ""), ("published", "-published")] {
            let measured = profiles.map { WallTimes(results: results, folder: $0.rawValue + suffix, root: root) }
            let all = measured.flatMap(\.rows)
            if all.isEmpty { continue }
            var t = Table(columns: ["result"] + profiles.flatMap { ["`\($0.rawValue)`", "of which \(slowLabel)"] }
                          + ["runs " + profiles.map(\.rawValue).joined(separator: " / ")],
                          alignments: [.left] + Array(repeating: .right, count: 2 * profiles.count + 1))
            func cells(_ row: WallTimes.Row?) -> [String] {
                guard let row else { return ["-", "-"] }
                let share = slow.compactMap { row.shares[$0] }
                return [seconds(row.wallSeconds) + (row.complete ? "" : " so far"),
                        share.isEmpty ? "-" : seconds(share.reduce(0, +))]
            }
            var shown: [String] = []
            for result in results {
                let rows = measured.map { m in m.rows.first { $0.result == result } }
                if rows.allSatisfy({ $0 == nil }) { continue }
                shown.append(result)
                t.append([result] + rows.flatMap(cells) + [rows.map { $0.map { "\($0.runs)" } ?? "-" }.joined(separator: " / ")])
            }
            if shown.count > 1 {
                let totals = measured.map { m -> [String] in
                    guard !m.rows.isEmpty else { return ["-", "-"] }
                    let share = m.rows.reduce(0.0) { s, row in s + slow.compactMap { row.shares[$0] }.reduce(0, +) }
                    let partial = m.rows.count < shown.count || m.rows.contains { !$0.complete }
                    return [seconds(m.rows.reduce(0) { $0 + $1.wallSeconds }) + (partial ? " so far" : ""),
                            share > 0 ? seconds(share) : "-"]
                }
                t.append(["all \(shown.count)"] + totals.flatMap { $0 } + [""])
            }
            let machines = Set(all.map { "\($0.machine.cpuModel), \($0.machine.cores) cores" }).sorted()
            let jobs = Set(all.map(\.jobs)).sorted().map(String.init).joined(separator: " or ")
            var commits: [String] = []
            for c in all.flatMap(\.commits) where !commits.contains(String(c.prefix(7))) { commits.append(String(c.prefix(7))) }
            text += "The \(algorithm) algorithm, on \(machines.joined(separator: "; ")), \(jobs) jobs"
                + (commits.isEmpty ? "" : "; code at commit\(commits.count > 1 ? "s" : "") \(commits.joined(separator: ", "))")
                + "; " + speedText(all) + ":\n\n" + t.markdown() + "\n"
        }
        return text.isEmpty ? "No profile has been run yet.\n" : text
    }
}
