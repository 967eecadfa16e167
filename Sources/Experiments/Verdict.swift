import Foundation

/// How a claim of the paper fared here.
public enum Outcome: String, Codable, Sendable, CaseIterable {
    case reproduced
    case partly
    case notReproduced = "not reproduced"
    /// Not checked on this machine (no data, no completed runs); `Verdict.why` says why.
    case notRunHere = "not run here"

    /// Several outcomes as one (a claim over datasets, a result over its claims). Only parts
    /// that ran count: all reproduced -> reproduced, all not reproduced -> not reproduced,
    /// anything else -> partly; no part ran -> not run here.
    public static func combining(_ parts: [Outcome]) -> Outcome {
        let ran = parts.filter { $0 != .notRunHere }
        if ran.isEmpty { return .notRunHere }
        if ran.allSatisfy({ $0 == .reproduced }) { return .reproduced }
        if ran.allSatisfy({ $0 == .notReproduced }) { return .notReproduced }
        return .partly
    }

    /// The outcome of a claim that holds in `passed` of `total` cases (datasets, seeds,
    /// optimizers): all -> reproduced, none -> not reproduced, some -> partly; no case -> not
    /// run here.
    public static func fraction(_ passed: Int, of total: Int) -> Outcome {
        total == 0 ? .notRunHere : passed == total ? .reproduced : passed == 0 ? .notReproduced : .partly
    }

    /// For sentences: "partly reproduced" rather than "partly".
    public var phrase: String { self == .partly ? "partly reproduced" : rawValue }
}

/// One claim of the paper, the numbers measured for it, and the outcome of the rule that
/// checks it. An experiment's `verdicts` computes these from its statistics; the harness
/// writes them to `verdict.json` and `verdict.md`.
public struct Verdict: Codable, Sendable, Equatable {
    /// The claim with its criterion, in one sentence.
    public var claim: String
    /// The key numbers the rule looked at.
    public var measured: String
    public var outcome: Outcome
    /// What decided beyond the outcome itself: which parts passed, or why it did not run.
    public var why: String
    /// Figures that show the claim: file names, or patterns with `*`, in the result's folder.
    public var figures: [String]

    public init(claim: String, measured: String, outcome: Outcome, why: String = "", figures: [String] = []) {
        self.claim = claim; self.measured = measured; self.outcome = outcome
        self.why = why; self.figures = figures
    }

    /// A claim checked part by part (per dataset, problem or optimizer): `measured` lists each
    /// part's numbers, the outcome combines the parts' outcomes (`Outcome.combining`), and
    /// `why` names the parts by outcome when they differ, and why parts did not run.
    public init(claim: String, checks: [Check], figures: [String] = []) {
        let ran = checks.filter { $0.outcome != .notRunHere }
        let measured = ran.map { $0.name.isEmpty ? $0.measured : "\($0.name): \($0.measured)" }
        let groups = Outcome.allCases.compactMap { outcome -> (outcome: Outcome, names: String)? in
            let names = checks.filter { $0.outcome == outcome }.map { check in
                outcome != .notRunHere ? check.name
                    : check.name.isEmpty ? check.measured : "\(check.name) (\(check.measured))"
            }
            return names.isEmpty ? nil : (outcome, names.joined(separator: ", "))
        }
        // Nothing ran: why, part by part. One outcome for every part: the outcome says it all.
        let why = ran.isEmpty ? checks.map { $0.name.isEmpty ? $0.measured : "\($0.name): \($0.measured)" }
                                      .joined(separator: "; ")
            : groups.count == 1 ? ""
            : groups.map { "\($0.outcome.rawValue): \($0.names)" }.joined(separator: "; ")
        self.init(claim: claim, measured: measured.isEmpty ? "-" : measured.joined(separator: "; "),
                  outcome: Outcome.combining(checks.map(\.outcome)), why: why, figures: figures)
    }

    /// A claim that could not be checked here, and why.
    public static func notRun(_ claim: String, because reason: String) -> Verdict {
        Verdict(claim: claim, measured: "-", outcome: .notRunHere, why: reason)
    }

    /// "reproduced", or "partly (why)".
    public var verdictText: String { why.isEmpty ? outcome.rawValue : "\(outcome.rawValue) (\(why))" }
}

/// One part of a claim: a dataset, a problem or an optimizer, with its own outcome.
public struct Check: Sendable, Equatable {
    public var name: String
    public var outcome: Outcome
    /// Its numbers; for a part that did not run, the reason.
    public var measured: String

    public init(_ name: String, _ outcome: Outcome, _ measured: String) {
        self.name = name; self.outcome = outcome; self.measured = measured
    }

    /// Reproduced when `passes`, else not reproduced.
    public init(_ name: String, passes: Bool, _ measured: String) {
        self.init(name, passes ? .reproduced : .notReproduced, measured)
    }

    /// A part that did not run here, and why.
    public static func notRun(_ name: String, because reason: String) -> Check {
        Check(name, .notRunHere, reason)
    }
}

/// The content of `verdict.json`: a result's verdicts and their combined outcome.
public struct VerdictFile: Codable, Sendable, Equatable {
    public var experiment: String
    public var profile: Profile
    /// `Outcome.combining` over the claims.
    public var outcome: Outcome
    /// Runs declared and completed: verdicts over fewer completed runs rest on less data.
    public var runsDeclared: Int
    public var runsCompleted: Int
    public var claims: [Verdict]

    public init(experiment: String, profile: Profile, runsDeclared: Int, runsCompleted: Int, claims: [Verdict]) {
        self.experiment = experiment; self.profile = profile
        self.runsDeclared = runsDeclared; self.runsCompleted = runsCompleted
        self.claims = claims
        outcome = Outcome.combining(claims.map(\.outcome))
    }

    /// `verdict.md`: the combined verdict in a sentence, then one table row per claim.
    public func markdown() -> String {
        guard !claims.isEmpty else { return "_No verdict rules for \(experiment)._\n" }
        let counts = Outcome.allCases.compactMap { o -> String? in
            let n = claims.filter { $0.outcome == o }.count
            return n == 0 ? nil : "\(n) \(o.rawValue)"
        }
        var text = "**Verdict: \(outcome.phrase).** Claims: \(counts.joined(separator: ", "))"
        if runsCompleted < runsDeclared {
            text += "; only \(runsCompleted) of \(runsDeclared) runs completed"
        }
        text += ".\n\n"
        var table = Table(columns: ["claim", "measured", "verdict"])
        for c in claims { table.append([c.claim, c.measured, c.verdictText]) }
        return text + table.markdown()
    }
}
