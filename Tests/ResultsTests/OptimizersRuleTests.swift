import Foundation
import Testing
@testable import Experiments
@testable import Results

/// Result 4 (Fig 5): teleports raise ||grad L||^2; teleportation lowers the early training loss
/// and the area under the training curve, paired over seeds.
@Suite struct OptimizersRuleTests {
    typealias E = OptimizersExperiment
    static let ids = ["optimizers/teleport-raises-gradient-norm", "optimizers/early-train-loss",
                      "optimizers/train-loss-curve"]
    static let datasets = ["mnist", "fashion-mnist"]

    /// Four seeds (the quick profile's): the paired differences are `effect` x 0.1 lower
    /// with teleportation, plus noise of mean zero; the teleports' log ratios `effect` x 0.5 higher.
    static func row(_ dataset: String, _ optimizer: String, _ effect: Effect) -> E.Row {
        let noise = [0.01, -0.02, 0.015, -0.005]
        let arm = E.Arm(finalTrainLoss: 0.3, finalTestLoss: 0.35, finalTestAccuracy: 0.9, earlyTrainLoss: 0.6,
                        epochsToThreshold: 3)
        return E.Row(dataset: dataset, optimizer: optimizer, runs: 4, teleportEpoch: 0, threshold: 0.33,
                     baseline: arm, teleport: arm, teleports: 8, gradNormBefore: 1, gradNormAfter: 1,
                     gradNormIncreased: 4, gradNormMedianRatio: 1,
                     earlyDifferences: noise.map { -0.1 * effect.sign + $0 },
                     curveDifferences: noise.map { -0.05 * effect.sign + $0 / 2 },
                     baselineCurveLoss: 0.5,
                     gradNormLogRatios: (noise + noise.reversed()).map { 0.5 * effect.sign + 10 * $0 })
    }

    static func statistics(_ effect: Effect, datasets: [String] = datasets) -> E.Statistics {
        E.Statistics(rows: datasets.flatMap { d in E.allOptimizers.map { row(d, $0, effect) } }, absentDatasets: [])
    }

    static func verdicts(_ s: E.Statistics, datasets: [String] = datasets) -> [Verdict] {
        E.verdicts(s, optimizers: E.claimedOptimizers, datasets: datasets)
    }

    @Test func claimIdsAndParts() {
        let v = Self.verdicts(Self.statistics(.claimed))
        #expect(v.map(\.id) == Self.ids)
        let parts: [String] = Self.datasets.flatMap { d in ["adagrad", "momentum", "rmsprop", "adam"].map { "\(d)/\($0)" } }
        for claim in v { #expect(claim.checks.map(\.name) == parts, "\(claim.id): plain SGD is not a claimed part") }
    }

    @Test(arguments: Effect.allCases)
    func everyPartFollowsTheEffect(_ effect: Effect) {
        expectEveryPart(Self.verdicts(Self.statistics(effect)), effect.expected)
    }

    @Test func aDatasetOrOptimizerWithoutRunsIsNotRunHere() {
        // cifar-10 has no rows: its parts are not run; the claim rests on the others.
        let v = Self.verdicts(Self.statistics(.claimed), datasets: Self.datasets + ["cifar-10"])
        for claim in v {
            #expect(claim.outcome == .reproduced)
            let cifar: [Outcome] = claim.checks.filter { $0.name.hasPrefix("cifar-10/") }.map(\.outcome)
            #expect(cifar == [.notRunHere, .notRunHere, .notRunHere, .notRunHere])
        }
        var s = Self.statistics(.claimed)
        s.rows.removeAll { $0.optimizer == "adam" && $0.dataset == "mnist" }
        #expect(outcome("optimizers/early-train-loss", "mnist/adam", in: Self.verdicts(s)) == .notRunHere)
        #expect(Self.verdicts(E.Statistics(rows: [], absentDatasets: [])).map(\.outcome)
                == [.notRunHere, .notRunHere, .notRunHere])
    }

    @Test func onePartReversedMakesTheClaimMixed() {
        var s = Self.statistics(.claimed)
        let i = s.rows.firstIndex { $0.dataset == "mnist" && $0.optimizer == "momentum" }!
        s.rows[i] = Self.row("mnist", "momentum", .reversed)
        let v = Self.verdicts(s)
        #expect(v.map(\.outcome) == [.mixed, .mixed, .mixed])
        #expect(outcome("optimizers/train-loss-curve", "mnist/momentum", in: v) == .contradicted)
    }
}
