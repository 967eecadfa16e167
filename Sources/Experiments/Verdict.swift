import Datasets
import Foundation

/// How a claim of the paper fared here.
public enum Outcome: String, Codable, Sendable, CaseIterable {
    /// The claimed effect's 95% interval excludes zero on the claimed side.
    case reproduced
    /// The interval excludes zero on the other side.
    case contradicted
    /// The interval contains zero: the effect is inside the noise of this profile.
    case inconclusive
    /// A claim over parts (datasets, optimizers) whose parts that ran have different outcomes.
    case mixed
    /// Not checked on this machine (no data, no completed runs); the check says why.
    case notRunHere = "not run here"

    /// Several outcomes as one (a claim over parts, a result over its claims). Only parts
    /// that ran count: all the same -> that outcome, different -> mixed; none ran -> not run here.
    public static func combining(_ parts: [Outcome]) -> Outcome {
        let ran = Set(parts.filter { $0 != .notRunHere })
        if ran.isEmpty { return .notRunHere }
        return ran.count == 1 ? ran.first! : .mixed
    }

    /// For sentences: "mixed (parts differ)" rather than "mixed".
    public var phrase: String { self == .mixed ? "mixed (parts differ)" : rawValue }

    /// How many of `outcomes` had each outcome, in `allCases` order, those with none left out:
    /// ["2 reproduced", "1 inconclusive"].
    public static func counts(_ outcomes: [Outcome]) -> [String] {
        allCases.compactMap { o in
            let n = outcomes.filter { $0 == o }.count
            return n == 0 ? nil : "\(n) \(o.rawValue)"
        }
    }
}

/// One part of a claim (a dataset, an optimizer, a step, a condition) and its decision.
public struct Check: Codable, Sendable, Equatable {
    /// The part's name, "" for a claim with a single part.
    public var name: String
    /// The statistical decision; nil when the part did not run here.
    public var decision: Decision?
    /// Numbers shown beside the decision (the two means compared), or why it did not run.
    public var note: String

    public init(_ name: String, _ decision: Decision?, note: String = "") {
        self.name = name; self.decision = decision; self.note = note
    }

    /// A part that did not run here, and why.
    public static func notRun(_ name: String, because reason: String) -> Check {
        Check(name, nil, note: reason)
    }

    public var outcome: Outcome { decision?.outcome ?? .notRunHere }

    /// `name` as tables show it: a leading dataset name ("cifar-10-jpeg/adam") by its label
    /// ("CIFAR-10 (JPEG copy)/adam"), so that results on the JPEG copy always say so.
    public var shownName: String {
        guard let first = name.split(separator: "/", maxSplits: 1).first.map(String.init) else { return name }
        return DatasetName.label(of: first) + name.dropFirst(first.count)
    }

    /// "mnist: -0.012 [-0.020, -0.004], n = 5 (paired t); 0.84 vs 0.85".
    public var measured: String {
        let numbers = decision.map { $0.summary + (note.isEmpty ? "" : "; \(note)") } ?? note
        return name.isEmpty ? numbers : "\(shownName): \(numbers)"
    }
}

/// One claim of the paper, the decisions of its parts and their combined outcome. A result's
/// verdict rule computes these from its statistics; the harness writes them to
/// `verdict.json` and `verdict.md`, and the claims tests compare their outcomes with the
/// expected ones.
public struct Verdict: Codable, Sendable, Equatable {
    /// Stable identifier, "<result>/<claim>", e.g. "optimizers/early-train-loss".
    public var id: String
    /// The claim with its criterion, in one sentence.
    public var claim: String
    public var checks: [Check]
    /// `Outcome.combining` over the checks.
    public var outcome: Outcome
    /// Figures that show the claim: file names, or patterns with `*`, in the result's folder.
    public var figures: [String]

    public init(id: String, claim: String, checks: [Check], figures: [String] = []) {
        self.id = id; self.claim = claim; self.checks = checks; self.figures = figures
        outcome = Outcome.combining(checks.map(\.outcome))
    }

    /// A claim that could not be checked here, and why.
    public static func notRun(id: String, _ claim: String, because reason: String) -> Verdict {
        Verdict(id: id, claim: claim, checks: [.notRun("", because: reason)])
    }

    /// Every check's numbers, "; "-separated ("-" when none ran).
    public var measured: String {
        let ran = checks.filter { $0.decision != nil }.map(\.measured)
        return ran.isEmpty ? "-" : ran.joined(separator: "; ")
    }

    /// Which parts had which outcome when they differ, and why parts did not run.
    public var why: String {
        let ran = checks.filter { $0.decision != nil }
        if ran.isEmpty { return checks.map(\.measured).joined(separator: "; ") }
        let groups = Outcome.allCases.compactMap { o -> String? in
            let these = checks.filter { $0.outcome == o }
            guard !these.isEmpty else { return nil }
            let names = these.map { o == .notRunHere ? $0.measured : ($0.name.isEmpty ? "-" : $0.shownName) }
            return "\(o.rawValue): \(names.joined(separator: ", "))"
        }
        return groups.count == 1 ? "" : groups.joined(separator: "; ")
    }

    /// "reproduced", or "mixed (reproduced: a; inconclusive: b)".
    public var verdictText: String { why.isEmpty ? outcome.rawValue : "\(outcome.rawValue) (\(why))" }

    /// The outcome of the claim (key `id`) and of each named part (key `id/part`).
    public var outcomes: [String: Outcome] {
        var out = [id: outcome]
        for c in checks where !c.name.isEmpty { out["\(id)/\(c.name)"] = c.outcome }
        return out
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
    /// Runs whose loss stopped being finite: a result of the method, recorded, not in the means.
    public var runsDiverged: Int
    public var claims: [Verdict]

    /// `<root>/<result>/<folder>/verdict.json`, nil when it is missing or unreadable.
    public static func read(root: URL, result: String, folder: String) -> VerdictFile? {
        let url = root.appendingPathComponent(result).appendingPathComponent(folder)
            .appendingPathComponent("verdict.json")
        return try? JSON.decode(VerdictFile.self, from: url)
    }

    public init(experiment: String, profile: Profile, runsDeclared: Int, runsCompleted: Int, runsDiverged: Int = 0,
                claims: [Verdict]) {
        self.experiment = experiment; self.profile = profile
        self.runsDeclared = runsDeclared; self.runsCompleted = runsCompleted; self.runsDiverged = runsDiverged
        self.claims = claims
        outcome = Outcome.combining(claims.map(\.outcome))
    }

    /// Every claim's and part's outcome by id (see `Verdict.outcomes`).
    public var outcomes: [String: Outcome] {
        claims.reduce(into: [:]) { all, v in all.merge(v.outcomes) { a, _ in a } }
    }

    /// `verdict.md`: the combined verdict in a sentence, the decision rule, then one table row
    /// per part of each claim: its rule, effect, 95% interval, n and outcome.
    public func markdown() -> String {
        guard !claims.isEmpty else { return "_No verdict rules for \(experiment)._\n" }
        let counts = Outcome.counts(claims.map(\.outcome))
        var text = "**Verdict: \(outcome.phrase).** Claims: \(counts.joined(separator: ", "))"
        if runsCompleted < runsDeclared {
            text += "; only \(runsCompleted) of \(runsDeclared) runs completed"
                + (runsDiverged > 0 ? " (\(runsDiverged) diverged)" : "")
        }
        text += ".\n\nEach part is decided by the 95% interval of its effect: it excludes the boundary on the "
            + "claimed side (reproduced), on the other side (contradicted), or contains it (inconclusive).\n\n"
        var table = Table(columns: ["claim", "part", "rule", "effect", "95% interval", "n", "outcome", "note"])
        for v in claims {
            for (i, c) in v.checks.enumerated() {
                let first = i == 0 ? "**\(v.claim)** (\(v.outcome.rawValue))" : ""
                guard let d = c.decision else {
                    table.append([first, c.shownName, "-", "-", "-", "-", c.outcome.rawValue, c.note])
                    continue
                }
                let interval = d.method == .exact ? "exact"
                    : "[\(Table.number(d.low, digits: 3)), \(Table.number(d.high, digits: 3))]"
                table.append([first, c.shownName, d.rule, Table.number(d.effect, digits: 3), interval, "\(d.n)",
                              c.outcome.rawValue, c.note])
            }
        }
        return text + table.markdown()
    }
}
