import Experiments
import Foundation
import Testing
import TestSupport

/// One result executable run on the quick profile as a user runs it, into a temporary folder.
struct QuickRun {
    var verdicts: VerdictFile
    var output: String

    /// Runs `experiment` (on `datasets` when not empty) and reads its `verdict.json`. Fails
    /// (with the program's output) when it exits non-zero or writes no readable verdict file.
    init(_ experiment: String, datasets: [String] = [], algorithm: Algorithm = .corrected) throws {
        let folder = try Executables.temporaryFolder(experiment)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, output) = try Executables.run(experiment, ["run", "--profile", "quick", "--quiet",
                                                                "--results", folder.path, "--algorithm", algorithm.rawValue]
                                                   + (datasets.isEmpty ? [] : ["--datasets", datasets.joined(separator: ",")]))
        try #require(status == 0, "\(experiment) exited with status \(status):\n\(output)")
        let url = folder.appendingPathComponent("\(experiment)/quick\(algorithm.folderSuffix)/verdict.json")
        verdicts = try #require(try? JSON.decode(VerdictFile.self, from: url),
                                "\(experiment) wrote no readable \(url.lastPathComponent):\n\(output)")
        self.output = output
    }
}

/// The expected outcome of every claim and part on the quick profile
/// (Tests/ClaimsTests/expected-quick.json: "<result>/<claim>[/<part>]" -> outcome).
enum ExpectedOutcomes {
    static let url = TestPaths.repositoryRoot.appendingPathComponent("Tests/ClaimsTests/expected-quick.json")

    /// With `TELEPORT_UPDATE_EXPECTED=1` the claims tests rewrite the file from what they
    /// measured (and fail, so the change is reviewed in the diff).
    static var updating: Bool { ProcessInfo.processInfo.environment["TELEPORT_UPDATE_EXPECTED"] == "1" }

    static func load() throws -> [String: Outcome] {
        let data = try Data(contentsOf: url)
        return try JSONDecoder().decode([String: Outcome].self, from: data)
    }

    /// Replaces the entries of `experiment` with `outcomes` (sorted keys, one per line).
    static func update(_ experiment: String, _ outcomes: [String: Outcome]) throws {
        var all = (try? load()) ?? [:]
        all = all.filter { !$0.key.hasPrefix("\(experiment)/") }.merging(outcomes) { _, new in new }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Foundation's pretty printer writes `"key" : value`; written as `"key": value`, the
        // file's diff shows only the outcomes that changed.
        let text = String(decoding: try encoder.encode(all), as: UTF8.self)
            .replacingOccurrences(of: "\" : \"", with: "\": \"")
        try Data((text + "\n").utf8).write(to: url, options: .atomic)
    }
}
