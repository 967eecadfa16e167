import Foundation
import Testing
@testable import Experiments
@testable import Results

/// Result 5 (Fig 6): LSTM(update,tele) below LSTM(update) at steps 10 and 30; LSTM(lr,tele)
/// below GD at 30; both learned-update optimisers below GD at 30 (paired over the test
/// problems, t interval of the mean log ratio).
@Suite struct MetalearningRuleTests {
    typealias M = Metalearning
    static let ids = ["metalearning/update-tele-beats-update", "metalearning/lr-tele-beats-gd",
                      "metalearning/learned-update-beats-gd"]

    /// Five test problems with losses spanning an order of magnitude. With the claimed effect,
    /// method m's loss is the problem's GD loss times exp(-level), level 0 for GD, 1 for the
    /// LSTM(lr,tele) and LSTM(update), 2 for LSTM(update,tele), so each claimed log ratio is
    /// -1 (the reversed effect: +1); each method adds its own rotation of a zero-mean noise, so
    /// with no effect every paired log ratio has mean zero.
    static func method(_ m: M.Method, _ effect: Effect, steps: [Int] = M.reportedSteps) -> M.MethodSummary {
        let problems = [1.0, 2, 0.5, 4, 1.5], noise = [0.1, -0.2, 0.05, 0.15, -0.1]
        let index = M.Method.allCases.firstIndex(of: m)!
        let level: Double = [.gd: 0, .lrTele: 1, .update: 1, .updateTele: 2][m]!
        let losses = steps.map { step in
            problems.indices.map { p in
                problems[p] / Double(step) * exp(-level * effect.sign + noise[(p + index) % noise.count])
            }
        }
        return M.MethodSummary(method: m.rawValue, problems: problems.count, steps: steps,
                               mean: losses.map(Stats.mean), std: losses.map(Stats.std), losses: losses)
    }

    static func statistics(_ effect: Effect, methods: [M.Method] = M.Method.allCases) -> M.Statistics {
        M.Statistics(methods: methods.map { method($0, effect) })
    }

    @Test func claimIdsAndParts() {
        let v = M.verdicts(Self.statistics(.claimed))
        #expect(v.map(\.id) == Self.ids)
        #expect(v.map { $0.checks.map(\.name) } == [["step 10", "step 30"], [""], ["LSTM(update)", "LSTM(update,tele)"]])
    }

    @Test(arguments: Effect.allCases)
    func everyPartFollowsTheEffect(_ effect: Effect) {
        expectEveryPart(M.verdicts(Self.statistics(effect)), effect.expected)
    }

    @Test func partsWithoutRunsOrStepsAreNotRunHere() {
        // No LSTM(update) run: the comparisons involving it are not run, the others decide.
        let v = M.verdicts(Self.statistics(.claimed, methods: [.gd, .lrTele, .updateTele]))
        #expect(v.map(\.outcome) == [.notRunHere, .reproduced, .reproduced])
        #expect(outcome("metalearning/learned-update-beats-gd", "LSTM(update)", in: v) == .notRunHere)
        // Runs too short for step 30: only the step-10 comparison runs.
        let short = M.Statistics(methods: M.Method.allCases.map { Self.method($0, .claimed, steps: [10]) })
        #expect(M.verdicts(short).map { $0.checks.map(\.outcome) }
                == [[.reproduced, .notRunHere], [.notRunHere], [.notRunHere, .notRunHere]])
        // Different numbers of test problems cannot be paired.
        var uneven = Self.statistics(.claimed)
        uneven.methods[0].losses = uneven.methods[0].losses.map { Array($0.dropLast()) }
        #expect(outcome("metalearning/lr-tele-beats-gd", "", in: M.verdicts(uneven)) == .notRunHere)
        #expect(M.verdicts(M.Statistics(methods: [])).map(\.outcome) == [.notRunHere, .notRunHere, .notRunHere])
    }
}

/// Meta-training or testing whose loss stops being finite is a diverged run (with the
/// trajectory or step where it happened), never a NaN flowing into the summary.
@Suite struct MetalearningDivergenceTests {
    @Test func divergingMetaTrainingIsRecordedWithItsTrajectory() throws {
        var p = Metalearning().params(for: .quick)
        p.update = .init(trajectories: 3, steps: 20, hidden: 8)
        p.testProblems = 1
        p.updateMetaLearningRate = 1e30
        do {
            _ = try Metalearning().execute(.init(method: .update), params: p, shared: (), context: .silent)
            Issue.record("a meta-learning rate of 1e30 should diverge")
        } catch let d as RunDiverged {
            #expect(d.detail.contains("loss") && (d.detail.contains("nan") || d.detail.contains("inf")), "\(d)")
            #expect(d.epoch >= 1 && d.epoch <= 20, "\(d)")
        }
    }

    @Test func divergingGDIsRecordedWithItsStep() throws {
        var p = Metalearning().params(for: .quick)
        p.testProblems = 1
        p.gdLearningRate = 10
        do {
            _ = try Metalearning().execute(.init(method: .gd), params: p, shared: (), context: .silent)
            Issue.record("GD with learning rate 10 should diverge")
        } catch let d as RunDiverged {
            #expect(d.detail.hasPrefix("GD test loss on problem 0 = "), "\(d)")
            #expect(d.epoch >= 2 && d.epoch <= p.gdSteps, "\(d)")
        }
    }
}
