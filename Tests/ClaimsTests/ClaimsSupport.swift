import Foundation
import Testing
import TestSupport

/// Runs a result executable on the quick profile into a temporary folder and returns the
/// `statistics` object of its summary (the claims tests assert on it).
func quickStatistics(_ experiment: String, extra: [String] = []) throws -> [String: Any] {
    let folder = try Executables.temporaryFolder(experiment)
    defer { try? FileManager.default.removeItem(at: folder) }
    let (status, output) = try Executables.run(experiment, ["run", "--profile", "quick", "--quiet",
                                                            "--results", folder.path] + extra)
    try #require(status == 0, "\(experiment) run failed:\n\(output)")
    let url = folder.appendingPathComponent("\(experiment)/quick/summary.json")
    let data = try Data(contentsOf: url)
    let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    return try #require(summary["statistics"] as? [String: Any])
}

/// A Pearson correlation as the summaries store it.
struct Correlation: CustomStringConvertible {
    var r, low, high, p: Double
    var n: Int
    init(_ any: Any?) throws {
        let d = try #require(any as? [String: Any])
        r = try #require((d["r"] as? NSNumber)?.doubleValue)
        low = try #require((d["low"] as? NSNumber)?.doubleValue)
        high = try #require((d["high"] as? NSNumber)?.doubleValue)
        p = try #require((d["p"] as? NSNumber)?.doubleValue)
        n = try #require((d["n"] as? NSNumber)?.intValue)
    }
    var description: String { String(format: "r = %.3f [%.3f, %.3f], p = %.2g, n = %d", r, low, high, p, n) }
}
