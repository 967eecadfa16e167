import Theory
import MetaLearning
import Model
import Foundation
import Testing
@testable import Experiments
@testable import Results
import Teleport

/// Result 1 (Section 3): the SGD+teleport bound, the Newton alignment at teleport targets, the
/// quadratic term of the error recursion, and fewer iterations to the tolerance.
@Suite struct ConvergenceRuleTests {
    static let ids = ["convergence/sgd-teleport-bound", "convergence/newton-alignment", "convergence/quadratic-term",
                      "convergence/fewer-iterations-exact-teleport", "convergence/fewer-iterations-leaky-relu"]
    static let params = ConvergenceSettings.quick
    static let newtonProblems: [TheoryProblem] = [.booth, .quadratic, .rosenbrock]

    /// `TheoremCheck` has no memberwise initialiser (only one from Monte Carlo chunks): this
    /// mirror of its coded form builds one.
    struct TheoremFields: Encodable {
        var steps: Int
        var learningRate = 0.01
        var constants = TheoremConstants(beta: 10, initialGap: 5, sigmaSquared: 1)
        var bound: Double
        var teleportMin: Double
        var teleportStandardError: Double
        var teleportArgmin = 3
        var sgdGradientMin = 1.0
        var sgdOrbitMaxMin = 1.0
        var trajectories = 400
        var visitedSmoothness: Double?

        var check: TheoremCheck {
            get throws { try JSONDecoder().decode(TheoremCheck.self, from: JSONEncoder().encode(self)) }
        }
    }

    /// Horizons 10 and 100 with bounds 10 and 3 (beta 10). Claimed: the minimum 2 then 0.5
    /// (s.e. 0.05), the linear problem's visited eigenvalues 0.9 beta. Reversed: 20 then 30,
    /// eigenvalues 1.5 beta. None: bounds 4 and 3.5, minima 3.8 and 3.7 (s.e. 0.5: each within
    /// one s.e. of its bound, and of the other), and the eigenvalues (exact) are 0.9 beta.
    static func theorem(_ effect: Effect, linear: Bool) throws -> [TheoremCheck] {
        let (bounds, minima): ([Double], [Double]) = switch effect {
        case .claimed: ([10, 3], [2, 0.5])
        case .reversed: ([10, 3], [20, 30])
        case .null: ([4, 3.5], [3.8, 3.7])
        }
        return try zip([10, 100], zip(bounds, minima)).map { T, pair in
            try TheoremFields(steps: T, bound: pair.0, teleportMin: pair.1,
                              teleportStandardError: effect == .null ? 0.5 : 0.05,
                              visitedSmoothness: linear ? (effect == .reversed ? 15 : 9) : nil).check
        }
    }

    /// Claimed: residual 1e-10 and |cos - 1| 1e-12 at the worst target, median residual 1e-2
    /// before and 1e-12 at the targets. Reversed: 1e-3, 1e-4, and 1e-6 before, 1e-3 at the targets.
    static func newton(_ effect: Effect) -> NewtonSummary {
        let good = effect != .reversed
        return NewtonSummary(points: 5, residualBefore: good ? 1e-2 : 1e-6, residualTeleported: good ? 1e-12 : 1e-3,
                             residualAscent: nil, cosineBefore: 0.9, cosineTeleported: 1, stepGapRatioBefore: 0.5,
                             stepGapRatioTeleported: 0, worstResidualTeleported: good ? 1e-10 : 1e-3,
                             worstCosineTeleported: good ? 1 - 1e-12 : 1 - 1e-4)
    }

    static func fit(a: Double, b: Double) -> QuadraticLinearFit {
        var f = QuadraticLinearFit(ErrorPairMoments())
        f.a = a; f.b = b; f.relativeResidual = 0.01; f.pairs = 50
        return f
    }

    /// Claimed: GD b = 0.999, a = 0.001 (|a| r / b = 3e-4); GD+teleport a = 0.5, b = 0.05.
    /// Reversed: GD b = 0.9, a = 0.5 (|a| r / b = 0.167); GD+teleport a = 0.01, b = 0.8.
    static func fits(_ effect: Effect) -> [String: QuadraticLinearFit] {
        let good = effect != .reversed
        let gd = good ? fit(a: 0.001, b: 0.999) : fit(a: 0.5, b: 0.9)
        let tp = good ? fit(a: 0.5, b: 0.05) : fit(a: 0.01, b: 0.8)
        return ["GD (local)": gd, "GD+teleport (local)": tp, "GD loss (local)": gd, "GD+teleport loss (local)": tp]
    }

    /// Four seeds (the quick profile's): claimed, GD about ten times the iterations of
    /// GD+teleport; reversed, the two swapped; none, log ratios +-0.1 of mean about zero.
    static func iterations(_ effect: Effect) -> [String: [Int?]] {
        let gd = [1000, 1200, 900, 1100], fast = [100, 150, 80, 120], same = [1100, 1080, 990, 1000]
        switch effect {
        case .claimed: return ["GD": gd, "GD+teleport": fast]
        case .reversed: return ["GD": fast, "GD+teleport": gd]
        case .null: return ["GD": gd, "GD+teleport": same]
        }
    }

    static func statistics(_ effect: Effect) throws -> Convergence.Statistics {
        try Convergence.Statistics(
            theorem: ["quadratic": theorem(effect, linear: false), "linear": theorem(effect, linear: true)],
            newton: Dictionary(uniqueKeysWithValues: newtonProblems.map { ($0.rawValue, newton(effect)) }),
            fits: ["rosenbrock": fits(effect)],
            iterationsToTolerance: Dictionary(uniqueKeysWithValues: TheoryProblem.allCases.map {
                ($0.rawValue, iterations(effect))
            }))
    }

    static let empty = Convergence.Statistics(theorem: [:], newton: [:], fits: [:], iterationsToTolerance: [:])

    @Test func claimIdsAndParts() throws {
        let v = Convergence.verdicts(try Self.statistics(.claimed), params: Self.params)
        #expect(v.map(\.id) == Self.ids)
        #expect(v[0].checks.map(\.name) == ["quadratic T=10", "quadratic T=100", "quadratic T=10->100",
                                            "linear T=10", "linear T=100", "linear T=10->100", "linear beta"])
        let newton: [String] = Self.newtonProblems.flatMap { p in
            ["residual", "cosine", "improves"].map { "\(p.rawValue) \($0)" }
        }
        let quadratic: [String] = ["|w - w*|", "sqrt(f - f*)"].flatMap { e in
            ["GD b", "GD a", "teleport a", "teleport b"].map { "\(e) \($0)" }
        }
        #expect(v[1].checks.map(\.name) == newton)
        #expect(v[2].checks.map(\.name) == quadratic)
        #expect(v[3].checks.map(\.name) == ["booth", "quadratic", "rosenbrock"])
        #expect(v[4].checks.map(\.name) == ["leaky-relu"])
        let parts = Convergence.boundVerdict(try Self.statistics(.claimed))
        #expect(parts == v[0])
    }

    @Test(arguments: Effect.allCases)
    func everyPartFollowsTheEffect(_ effect: Effect) throws {
        let s = try Self.statistics(effect), p = Self.params
        // The null effect has no meaning for the exact parts (linear algebra, fits, beta).
        expectEveryPart(Convergence.verdicts(s, params: p), effect.expected, sampledOnly: effect == .null)
        // Each part function on its own agrees with the combined rule.
        let parts = [Convergence.boundVerdict(s), Convergence.newtonVerdict(s),
                     Convergence.quadraticTermVerdict(s, params: p)] + Convergence.iterationVerdicts(s, params: p)
        #expect(parts == Convergence.verdicts(s, params: p))
    }

    @Test func nullEffectCoversTheSampledClaims() throws {
        let v = Convergence.verdicts(try Self.statistics(.null), params: Self.params)
        #expect(v[0].checks.filter { $0.outcome == .inconclusive }.count == 6, "the bound and its fall with T")
        #expect(v[3].outcome == .inconclusive && v[4].outcome == .inconclusive)
    }

    @Test func runsThatNeverReachTheToleranceCountTheirBudget() throws {
        // GD never reaches it (censored at 5000 iterations), GD+teleport does: fewer iterations.
        var s = try Self.statistics(.claimed)
        s.iterationsToTolerance["booth"] = ["GD": [nil, nil, nil, nil], "GD+teleport": [100, 150, 80, 120]]
        #expect(outcome("convergence/fewer-iterations-exact-teleport", "booth",
                        in: Convergence.iterationVerdicts(s, params: Self.params)) == .reproduced)
        // GD+teleport never reaches it while GD does: more iterations.
        s.iterationsToTolerance["booth"] = ["GD": [1000, 1200, 900, 1100], "GD+teleport": [nil, nil, nil, nil]]
        #expect(outcome("convergence/fewer-iterations-exact-teleport", "booth",
                        in: Convergence.iterationVerdicts(s, params: Self.params)) == .contradicted)
    }

    @Test func partsWithoutRunsAreNotRunHere() throws {
        let v = Convergence.verdicts(Self.empty, params: Self.params)
        #expect(v.map(\.id) == Self.ids)
        #expect(v.map(\.outcome) == Array(repeating: .notRunHere, count: 5))
        // Only the quadratic problem's SGD runs, no Rosenbrock fits, no leaky-relu seeds.
        var s = try Self.statistics(.claimed)
        s.theorem["linear"] = nil
        s.fits["rosenbrock"] = nil
        s.iterationsToTolerance["leaky-relu"] = nil
        s.iterationsToTolerance["quadratic"] = ["GD": [1000], "GD+teleport": []]
        let w = Convergence.verdicts(s, params: Self.params)
        #expect(outcome("convergence/sgd-teleport-bound", "linear", in: w) == .notRunHere)
        #expect(w[0].outcome == .reproduced)
        #expect(w[2].checks.map(\.outcome) == [.notRunHere, .notRunHere])
        #expect(outcome("convergence/fewer-iterations-exact-teleport", "quadratic", in: w) == .notRunHere,
                "unpaired seeds")
        #expect(w[3].outcome == .reproduced && w[4].outcome == .notRunHere)
    }
}
