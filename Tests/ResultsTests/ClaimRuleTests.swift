import Foundation
import Testing
@testable import Experiments

// Each result's claim rules, fed fabricated statistics (one file per result): with the claimed
// effect present every part is reproduced, with it reversed every part is contradicted, with a
// null effect (noise around zero) every sampled part is inconclusive. Each rule's claim ids are
// listed, so a claim dropped from a rule is noticed, and a part without data is not run here.
// This file: the shared expectations and the tests of `Decision` and `Outcome` themselves.

/// The fabricated effect: as claimed (+1), reversed (-1), or none (0: noise around zero).
enum Effect: Double, CaseIterable, Sendable {
    case claimed = 1, reversed = -1, null = 0
    var sign: Double { rawValue }
    /// The outcome every part should have.
    var expected: Outcome { [.claimed: .reproduced, .reversed: .contradicted, .null: .inconclusive][self]! }
}

/// Every part of every verdict has `outcome` (and so has each verdict), none of them too close
/// to call; with `sampledOnly`, parts decided exactly (no sampling noise, hence no null effect)
/// are skipped.
func expectEveryPart(_ verdicts: [Verdict], _ outcome: Outcome, sampledOnly: Bool = false,
                     sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!verdicts.isEmpty, sourceLocation: sourceLocation)
    for v in verdicts {
        let parts = v.checks.filter { !sampledOnly || $0.decision?.method != .exact }
        if sampledOnly && parts.isEmpty { continue }
        #expect(!parts.isEmpty, "\(v.id): no parts", sourceLocation: sourceLocation)
        for c in parts {
            #expect(c.outcome == outcome, "\(v.id)/\(c.name): \(c.outcome.rawValue), \(c.measured)",
                    sourceLocation: sourceLocation)
            if let d = c.decision, outcome != .inconclusive {
                #expect(!d.isTooCloseToCall, "\(v.id)/\(c.name): too close to call, \(c.measured)",
                        sourceLocation: sourceLocation)
            }
        }
        if !sampledOnly {
            #expect(v.outcome == outcome, "\(v.id): \(v.outcome.rawValue)", sourceLocation: sourceLocation)
        }
    }
}

/// The verdict `id` of `verdicts` (a failed expectation, and nil, when absent).
func verdict(_ id: String, in verdicts: [Verdict], sourceLocation: SourceLocation = #_sourceLocation) -> Verdict? {
    let v = verdicts.first { $0.id == id }
    #expect(v != nil, "no verdict \(id) among \(verdicts.map(\.id))", sourceLocation: sourceLocation)
    return v
}

/// The outcome of part `name` of verdict `id`.
func outcome(_ id: String, _ name: String, in verdicts: [Verdict],
             sourceLocation: SourceLocation = #_sourceLocation) -> Outcome? {
    guard let v = verdict(id, in: verdicts, sourceLocation: sourceLocation) else { return nil }
    let c = v.checks.first { $0.name == name }
    #expect(c != nil, "\(id) has no part \(name) among \(v.checks.map(\.name))", sourceLocation: sourceLocation)
    return c?.outcome
}

@Suite struct DecisionTests {
    @Test func tQuantileMatchesTables() {
        #expect(abs(Decision.tQuantile975(df: 1) - 12.706) < 1e-3)
        #expect(abs(Decision.tQuantile975(df: 4) - 2.776) < 1e-3)
        #expect(abs(Decision.tQuantile975(df: 1e6) - 1.960) < 1e-3)
        #expect(Decision.tQuantile975(df: 0).isNaN)
    }

    @Test func pairedIntervalOfAKnownSample() {
        // Differences 1, 2, 3, 4, 5: mean 3, sample std sqrt(10 / 4) = 1.58114, standard error
        // 1.58114 / sqrt(5) = 0.707107, t(0.975, df 4) = 2.776445, half-width 1.963243:
        // the interval is [1.036757, 4.963243].
        let up = Decision.paired("d", differences: [1, 2, 3, 4, 5], claim: .above, scale: 1)
        #expect(up.method == .pairedT && up.n == 5 && up.effect == 3 && up.boundary == 0)
        #expect(abs(up.low - 1.036757) < 1e-5 && abs(up.high - 4.963243) < 1e-5)
        #expect(up.outcome == .reproduced)
        let down = Decision.paired("d", differences: [1, 2, 3, 4, 5], claim: .below, scale: 1)
        #expect(down.outcome == .contradicted)
        // Straddling 0: inconclusive whichever side is claimed.
        let around = Decision.paired("d", differences: [-2, -1, 0, 1, 2], claim: .below, scale: 1)
        #expect(around.low < 0 && around.high > 0 && around.outcome == .inconclusive)
        // One value: no interval, not finite, inconclusive.
        let one = Decision.paired("d", differences: [1], claim: .above, scale: 1)
        #expect(!one.isFinite && one.outcome == .inconclusive && one.isTooCloseToCall)
    }

    @Test func welchFisherNormalAndExactIntervals() {
        // Two samples with equal spread: Welch's interval is centred on the difference of means.
        let w = Decision.welch("w", [1, 2, 3], [11, 12, 13], claim: .below, scale: 1)
        #expect(w.effect == -10 && abs((w.low + w.high) / 2 + 10) < 1e-12 && w.outcome == .reproduced)
        let r = Decision.correlation("r", Stats.pearson([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5]), claim: .above)
        #expect(r.method == .fisher && r.low < r.effect && r.effect < r.high)
        let mc = Decision.monteCarlo("mc", mean: 1, standardError: 0.1, n: 100, claim: .below, boundary: 2, scale: 2)
        #expect(abs(mc.high - 1.195996) < 1e-6 && mc.outcome == .reproduced)
        let exact = Decision.exact("x", value: 3, claim: .below, boundary: 2, scale: 1)
        #expect(exact.low == 3 && exact.high == 3 && exact.outcome == .contradicted)
    }

    @Test func tooCloseToCallWithinOneTenThousandthOfTheScale() {
        // Boundary 1, scale 2: an interval end closer than 2e-4 to the boundary is too close.
        func d(_ low: Double, _ high: Double) -> Decision {
            Decision(statistic: "x", method: .t, direction: .above, boundary: 1, effect: (low + high) / 2,
                     low: low, high: high, n: 5, scale: 2)
        }
        #expect(d(1.0001, 3).isTooCloseToCall)                    // margin 0.5e-4
        #expect(!d(1.0003, 3).isTooCloseToCall)                   // margin 1.5e-4
        #expect(d(-3, 0.99999).isTooCloseToCall, "the upper end counts too")
        #expect(!d(-3, 0.999).isTooCloseToCall)
        #expect(abs(d(1.0003, 3).margin - 1.5e-4) < 1e-12)
        #expect(Decision.exact("x", value: 1.00005, claim: .above, boundary: 1, scale: 1).isTooCloseToCall)
        #expect(!Decision.exact("x", value: 1.001, claim: .above, boundary: 1, scale: 1).isTooCloseToCall)
    }

    @Test func outcomesCombineOverThePartsThatRan() {
        #expect(Outcome.combining([.reproduced, .reproduced]) == .reproduced)
        #expect(Outcome.combining([.reproduced, .notRunHere]) == .reproduced, "a part not run does not count")
        #expect(Outcome.combining([.contradicted, .contradicted, .notRunHere]) == .contradicted)
        #expect(Outcome.combining([.inconclusive]) == .inconclusive)
        #expect(Outcome.combining([.reproduced, .contradicted]) == .mixed)
        #expect(Outcome.combining([.reproduced, .inconclusive, .notRunHere]) == .mixed)
        #expect(Outcome.combining([.mixed, .mixed]) == .mixed)
        #expect(Outcome.combining([.notRunHere]) == .notRunHere && Outcome.combining([]) == .notRunHere)
        let v = Verdict(id: "x/y", claim: "c", checks: [.notRun("a", because: "no data"),
                                                        Check("b", .exact("x", value: 1, claim: .above, boundary: 0, scale: 1))])
        #expect(v.outcome == .reproduced && v.outcomes == ["x/y": .reproduced, "x/y/a": .notRunHere, "x/y/b": .reproduced])
    }
}
