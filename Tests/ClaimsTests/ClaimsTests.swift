import Experiments
import Foundation
import Testing
import TestSupport

/// The paper's claims on the quick profile. Each result executable runs end to end as a user
/// runs it; its `verdict.json` holds every claim's decision (effect, 95% interval, n, outcome:
/// reproduced, contradicted or inconclusive), made by the rule in the Results library. The
/// test fails when:
/// - the executable exits non-zero, or a declared run failed or is missing (diverged runs are
///   results of the method: recorded and counted apart);
/// - a decision's numbers are not finite, or an interval end lies within 1e-4 (relative) of
///   its boundary (too close to call: another CPU's rounding could land on the other side);
/// - any claim's or part's outcome differs from `expected-quick.json`, in either direction
///   (a claim that starts to hold is as much a change as one that stops).
@Suite(.serialized) struct Claims {
    static let withoutData = ["displacement", "convergence", "metalearning"]
    static let withData = ["correlation", "generalization", "optimizers"]
    /// The datasets of the expected outcomes: CIFAR-10 is its JPEG copy, even on a machine that
    /// also has the official files (which the experiments would otherwise prefer).
    static let datasets = ["mnist", "fashion-mnist", "cifar-10-jpeg"]

    @Test(arguments: withoutData)
    func outcomesAsExpected(result: String) throws { try check(result) }

    @Test(.requires(.imageData), arguments: withData)
    func outcomesAsExpectedOnImageData(result: String) throws { try check(result, datasets: Self.datasets) }

    /// The published algorithm where it is implemented; its expected outcomes are keyed
    /// "<result>@published/...". Optimizers on MNIST only: on the quick profile two of its
    /// Fashion-MNIST parts (adagrad's early and whole-curve train loss) end within 1e-4 of
    /// their boundary, too close to call.
    @Test(.requires(.imageData), arguments: [("correlation", ["mnist", "fashion-mnist"]),
                                             ("generalization", ["mnist", "fashion-mnist"]), ("optimizers", ["mnist"])])
    func publishedOutcomesAsExpected(result: String, datasets: [String]) throws {
        try check(result, datasets: datasets, algorithm: .published)
    }

    /// The published algorithm of the results without data.
    @Test(arguments: ["displacement", "metalearning"])
    func publishedOutcomesAsExpectedWithoutData(result: String) throws { try check(result, algorithm: .published) }

    func check(_ result: String, datasets: [String] = [], algorithm: Algorithm = .corrected) throws {
        let run = try QuickRun(result, datasets: datasets, algorithm: algorithm)
        let prefix = algorithm == .published ? "\(result)@published" : result
        let v = run.verdicts
        // Every declared run ended: completed, or diverged (a recorded result of the method).
        #expect(v.runsCompleted + v.runsDiverged == v.runsDeclared, Comment(rawValue:
                "\(result): only \(v.runsCompleted) of \(v.runsDeclared) declared runs completed "
                + "(\(v.runsDiverged) diverged; the rest failed or are missing)"))
        #expect(!v.claims.isEmpty, "\(result): no claims in verdict.json")

        for claim in v.claims {
            for c in claim.checks {
                let where_ = "\(claim.id)\(c.name.isEmpty ? "" : "/\(c.name)")"
                guard let d = c.decision else { continue }
                #expect(d.isFinite, "\(where_): a number is not finite: \(c.measured)")
                #expect(!d.isTooCloseToCall, Comment(rawValue:
                        "\(where_): too close to call (margin \(d.margin) < \(Decision.tooCloseToCall) of \(d.rule)): "
                        + "\(c.measured); change the quick profile's size or seeds, not the boundary"))
            }
        }

        // Keys as the expected file has them: "<result>@published/..." for the published algorithm.
        let measured = Dictionary(uniqueKeysWithValues: v.outcomes.map { (prefix + $0.key.dropFirst(result.count), $0.value) })
        if ExpectedOutcomes.updating {
            try ExpectedOutcomes.update(prefix, measured)
            Issue.record("\(result): expected-quick.json rewritten from this run (TELEPORT_UPDATE_EXPECTED=1); review the diff")
            return
        }
        let expected = try ExpectedOutcomes.load().filter { $0.key.hasPrefix("\(prefix)/") }
        #expect(!expected.isEmpty, "\(result): no expected outcomes in \(ExpectedOutcomes.url.lastPathComponent)")
        var changes: [String] = []
        for key in Set(expected.keys).union(measured.keys).sorted() where expected[key] != measured[key] {
            let numbers = numbersFor(result + key.dropFirst(prefix.count), in: v)
            changes.append("\(key): expected \(expected[key]?.rawValue ?? "(none)"), measured "
                           + "\(measured[key]?.rawValue ?? "(none)")\(numbers.isEmpty ? "" : ": \(numbers)")")
        }
        #expect(changes.isEmpty, Comment(rawValue:
            "\(result): outcomes changed on the quick profile:\n" + changes.joined(separator: "\n")))
    }

    /// The numbers behind the claim or part `key`.
    func numbersFor(_ key: String, in v: VerdictFile) -> String {
        for claim in v.claims {
            if key == claim.id { return claim.measured }
            if let c = claim.checks.first(where: { "\(claim.id)/\($0.name)" == key }) { return c.measured }
        }
        return ""
    }
}
