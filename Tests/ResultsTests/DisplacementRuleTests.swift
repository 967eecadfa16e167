import Foundation
import Testing
@testable import Experiments
@testable import Results

/// Result 6 (Fig 7): deterministic quadratures, each part an exact comparison with its
/// threshold (so there is no null effect: a reversed effect is a value clearly on the wrong side).
@Suite struct DisplacementRuleTests {
    typealias D = DisplacementExperiment
    static let ids = ["displacement/flat-minimum", "displacement/parabola", "displacement/circle"]
    static let line = 2 / Double.pi
    static let tolerance = 1e-7
    static let parabolaRadii = [2.0, 1, 0.5], circleRadii = [0.1, 0.05]

    /// Claimed: the smallest curvature gives 2/pi within a tenth of its limit (1e-6 parabola,
    /// 1e-3 circle); parabolas dip 0.03 below 2/pi and end 0.1 above it; circles fall strictly
    /// (largest step -1e-4) by 0.05. Reversed: ten times the limit off 2/pi; parabolas dip only
    /// 0.001 and end 0.005 above; circles rise (largest step +0.01) by 0.05.
    static func statistics(_ effect: Effect) -> D.Statistics {
        let s = effect.sign
        let parabolas = parabolaRadii.map { r in
            D.Trend(curve: "parabola", radius: r, atZeroCurvature: line + (s > 0 ? 1e-7 : 1e-5),
                    atMaxCurvature: line + (s > 0 ? 0.1 : 0.005), minimum: line - (s > 0 ? 0.03 : 0.001),
                    kappaAtMinimum: 2, monotone: "not monotone", largestStep: 0.01)
        }
        let circles = circleRadii.map { r in
            D.Trend(curve: "circle", radius: r, atZeroCurvature: line + (s > 0 ? 1e-4 : 1e-2),
                    atMaxCurvature: line + (s > 0 ? 1e-4 : 1e-2) - 0.05 * s, minimum: line - 0.05,
                    kappaAtMinimum: 10, monotone: s > 0 ? "decreasing" : "increasing",
                    largestStep: s > 0 ? -1e-4 : 0.01)
        }
        return D.Statistics(trends: parabolas + circles)
    }

    @Test func claimIdsAndParts() {
        let v = D.verdicts(Self.statistics(.claimed), tolerance: Self.tolerance)
        #expect(v.map(\.id) == Self.ids)
        let p = Self.parabolaRadii.map { "parabola r=\(Table.number($0))" }
        let c = Self.circleRadii.map { "circle r=\(Table.number($0))" }
        #expect(v[0].checks.map(\.name) == p + c)
        let parabola: [String] = p.flatMap { name in [name + " dip", name + " rise"] }
        let circle: [String] = c.flatMap { name in [name + " decreasing", name + " lower"] } + [c[0] + " drop"]
        #expect(v[1].checks.map(\.name) == parabola)
        #expect(v[2].checks.map(\.name) == circle, "the drop is checked at the largest shift")
        #expect(v.allSatisfy { $0.checks.allSatisfy { $0.decision?.method == .exact } })
    }

    @Test(arguments: [Effect.claimed, .reversed])
    func everyPartFollowsTheEffect(_ effect: Effect) {
        expectEveryPart(D.verdicts(Self.statistics(effect), tolerance: Self.tolerance), effect.expected)
    }

    @Test func circleRiseWithinTheQuadratureToleranceStillCountsAsDecreasing() {
        // A rise of a tenth of tolerance / r is rounding, not an increase.
        var s = Self.statistics(.claimed)
        for i in s.trends.indices where s.trends[i].curve == "circle" {
            s.trends[i].largestStep = 0.1 * Self.tolerance / s.trends[i].radius
        }
        #expect(D.verdicts(s, tolerance: Self.tolerance)[2].outcome == .reproduced)
    }

    @Test func withoutTrendsNothingRuns() {
        let v = D.verdicts(D.Statistics(trends: []), tolerance: Self.tolerance)
        #expect(v.map(\.id) == Self.ids)
        #expect(v.map(\.outcome) == [.notRunHere, .notRunHere, .notRunHere])
        // Only circles: the parabola claim is not run, the others decide.
        let circles = D.Statistics(trends: Self.statistics(.claimed).trends.filter { $0.curve == "circle" })
        #expect(D.verdicts(circles, tolerance: Self.tolerance).map(\.outcome) == [.reproduced, .notRunHere, .reproduced])
    }
}
