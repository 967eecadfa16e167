import Foundation
import Testing
@testable import Experiments
@testable import Results

/// Result 2 (Table 1): phi correlates positively with validation loss, psi negatively (Fisher z
/// interval of Pearson's r).
@Suite struct CorrelationRuleTests {
    static let ids = ["correlation/phi-validation", "correlation/psi-validation"]
    static let datasets = ["mnist", "fashion-mnist", "cifar-10"]

    /// Twelve models (the quick profile's). The noise +-1 is orthogonal to x = 1...12 and of mean
    /// zero, so r(x, slope x + noise) is 0 for slope 0 and +-71.5 / sqrt(143 x 47.75) = +-0.865
    /// for slope +-0.5 (Fisher z interval [0.578, 0.962]).
    static func pair(slope: Double) -> Stats.Correlation {
        let x = (1...12).map(Double.init)
        let noise: [Double] = (0..<12).map { [1, -1, -1, 1][$0 % 4] }
        return Stats.pearson(x, zip(x, noise).map { slope * $0 + $1 })
    }

    static func statistics(_ effect: Effect, datasets: [String] = datasets) -> Correlation.Statistics {
        Correlation.Statistics(rows: datasets.map {
            Correlation.Row(dataset: $0, models: 12, phiValidation: pair(slope: 0.5 * effect.sign),
                            psiValidation: pair(slope: -0.5 * effect.sign), phiPsi: pair(slope: 0))
        })
    }

    @Test func fabricatedCorrelations() {
        #expect(abs(Self.pair(slope: 0).r) < 1e-12)
        let r = Self.pair(slope: 0.5)
        #expect(abs(r.r - 0.8653) < 1e-4 && abs(r.low - 0.578) < 1e-3 && abs(r.high - 0.962) < 1e-3 && r.n == 12)
    }

    @Test func claimIdsAndParts() {
        let v = Correlation.verdicts(Self.statistics(.claimed), datasets: Self.datasets)
        #expect(v.map(\.id) == Self.ids)
        for claim in v { #expect(claim.checks.map(\.name) == Self.datasets) }
    }

    @Test(arguments: Effect.allCases)
    func everyPartFollowsTheEffect(_ effect: Effect) {
        expectEveryPart(Correlation.verdicts(Self.statistics(effect), datasets: Self.datasets), effect.expected)
    }

    @Test func aDatasetWithoutModelsIsNotRunHere() {
        let v = Correlation.verdicts(Self.statistics(.claimed, datasets: ["mnist"]), datasets: Self.datasets)
        for claim in v {
            #expect(claim.checks.map(\.outcome) == [.reproduced, .notRunHere, .notRunHere])
            #expect(claim.outcome == .reproduced)
        }
        #expect(Correlation.verdicts(Correlation.Statistics(rows: []), datasets: Self.datasets).map(\.outcome)
                == [.notRunHere, .notRunHere])
    }
}
