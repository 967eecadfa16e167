import Foundation
import Datasets

/// The measured wall times of a profile's results, for the README's time table: per result
/// (and algorithm folder), the wall time of the `run` invocations that executed its runs (from
/// `provenance/*.json`, summed over resumed invocations and shards; a `--fresh` rerun counts
/// again), the number of run
/// records, and each dataset's share: the summed wall times of its runs divided by the jobs
/// that ran them in parallel (the invocation's `jobs`).
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
    }

    public var rows: [Row] = []

    /// Reads `<root>/<result>/<folder>/` for each result (a missing folder is left out).
    public init(results: [String], folder: String, root: URL) {
        for result in results {
            let dir = root.appendingPathComponent(result).appendingPathComponent(folder)
            let provenance = dir.appendingPathComponent("provenance")
            let invocations = ((try? FileManager.default.contentsOfDirectory(atPath: provenance.path)) ?? [])
                .filter { $0.hasSuffix(".json") }.sorted()
                .compactMap { Self.object(provenance.appendingPathComponent($0)) }
                .filter { ($0["executed"] as? Int ?? 0) > 0 }
            guard !invocations.isEmpty else { continue }
            let wall = invocations.reduce(0) { $0 + ($1["wallSeconds"] as? Double ?? 0) }
            let jobs = invocations.map { $0["jobs"] as? Int ?? 1 }.max() ?? 1
            var shares: [String: Double] = [:], runs = 0
            let runsFolder = dir.appendingPathComponent("runs")
            let files = FileManager.default.enumerator(atPath: runsFolder.path)
            while let file = files?.nextObject() as? String {
                guard file.hasSuffix(".json"), let record = Self.object(runsFolder.appendingPathComponent(file)),
                      let key = record["key"] as? String else { continue }
                runs += 1
                let group = key.contains("/") ? String(key.split(separator: "/")[0]) : ""
                shares[group, default: 0] += (record["wallSeconds"] as? Double ?? 0) / Double(jobs)
            }
            rows.append(Row(result: result, wallSeconds: wall, jobs: jobs, runs: runs, shares: shares))
        }
    }

    static func object(_ url: URL) -> [String: Any]? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// One row per result: its wall time, runs, jobs and the share of each of `datasets` that
    /// some result ran.
    public func table(datasets: [String]) -> Table {
        let datasets = datasets.filter { d in rows.contains { $0.shares[d] != nil } }
        var t = Table(columns: ["result", "wall time (s)", "runs", "jobs"]
                      + datasets.map { "of which \(DatasetName.label(of: $0)) (s)" })
        /// Whole seconds, tenths below 10 s.
        func seconds(_ s: Double) -> String { String(format: s < 10 ? "%.1f" : "%.0f", s) }
        for row in rows {
            t.append([row.result, seconds(row.wallSeconds), "\(row.runs)", "\(row.jobs)"]
                     + datasets.map { d in row.shares[d].map(seconds) ?? "-" })
        }
        if rows.count > 1 {
            t.append(["all", seconds(rows.reduce(0) { $0 + $1.wallSeconds }), "\(rows.reduce(0) { $0 + $1.runs })", ""]
                     + datasets.map { d in seconds(rows.reduce(0) { $0 + ($1.shares[d] ?? 0) }) })
        }
        return t
    }
}
