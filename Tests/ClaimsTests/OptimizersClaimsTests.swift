import Foundation
import Testing
import TestSupport

/// Result 4 (Fig 5): gradient-norm teleportation speeds up AdaGrad, SGD+momentum, RMSProp,
/// Adam (and plain SGD): lower training loss in the epochs right after teleporting, and a
/// training-loss threshold (1.1 x the baseline's mean final train loss) reached in no more
/// epochs. Checked on the quick profile (2 paired seeds, 4 epochs on 10k samples) on MNIST
/// and Fashion-MNIST.
@Suite(.serialized, .enabled(if: Executables.imageDataPresent,
                             "MNIST/Fashion-MNIST not in Datasets/: run `datasets fetch mnist fashion-mnist`"))
struct OptimizersClaims {
    static let datasets = ["mnist", "fashion-mnist"]

    /// The numbers of one summary row.
    struct Row: Sendable {
        var threshold, gradNormMedianRatio, baselineEarly, teleportEarly: Double
        var teleports, gradNormIncreased: Int
        var baselineEpochs, teleportEpochs: Int?     // nil: threshold not reached
    }

    /// Summary rows by "dataset/optimizer".
    static let rows: [String: Row] = {
        guard let stats = try? quickStatistics("optimizers", extra: ["--datasets", datasets.joined(separator: ",")]),
              let rows = stats["rows"] as? [[String: Any]] else { return [:] }
        func number(_ any: Any?) -> Double { (any as? NSNumber)?.doubleValue ?? .nan }
        var out: [String: Row] = [:]
        for r in rows {
            let base = r["baseline"] as? [String: Any] ?? [:], tele = r["teleport"] as? [String: Any] ?? [:]
            out["\(r["dataset"]!)/\(r["optimizer"]!)"] = Row(
                threshold: number(r["threshold"]), gradNormMedianRatio: number(r["gradNormMedianRatio"]),
                baselineEarly: number(base["earlyTrainLoss"]), teleportEarly: number(tele["earlyTrainLoss"]),
                teleports: r["teleports"] as? Int ?? 0, gradNormIncreased: r["gradNormIncreased"] as? Int ?? 0,
                baselineEpochs: base["epochsToThreshold"] as? Int, teleportEpochs: tele["epochsToThreshold"] as? Int)
        }
        return out
    }()

    func row(_ dataset: String, _ optimizer: String) throws -> Row {
        try #require(Self.rows["\(dataset)/\(optimizer)"], "no summary row for \(dataset)/\(optimizer)")
    }

    /// Claims that do not reproduce on the quick profile, by "dataset/optimizer", with the
    /// measured numbers (the test fails if one of them starts to reproduce).
    static let earlyLossIssues = [
        "fashion-mnist/rmsprop": "one of the two teleported runs is broken by a teleport that raises ||grad||^2 "
            + "from 2.3 to 1.9e5 (teleport lr 5e-2); it stays at chance loss: early train loss 1.918 with "
            + "teleport vs 1.733 without",
        "fashion-mnist/sgd": "teleport lr 1e-4 barely moves the weights (median ||grad||^2 ratio 1.0015): "
            + "early train loss 0.842106 with teleport vs 0.842103 without",
    ]
    static let thresholdIssues = [
        "fashion-mnist/rmsprop": "the broken teleported run keeps the mean train loss at 1.57 after 4 epochs, "
            + "above the threshold 1.128 that the baseline reaches at epoch 4",
    ]

    /// Checks `claim`, as a known issue where it is listed in `issues`.
    func check(_ key: String, _ issues: [String: String], _ claim: () -> Void) {
        if let issue = issues[key] {
            withKnownIssue("\(key): \(issue)") { claim() }
        } else {
            claim()
        }
    }

    /// Teleports raise ||dL/dW||^2 on their own batch: the median ratio after/before over all
    /// teleports of the optimizer is above 1 (the count that increased it is in the message).
    @Test(arguments: ["adagrad", "momentum", "rmsprop", "adam", "sgd"])
    func teleportIncreasesGradientNorm(optimizer: String) throws {
        for dataset in Self.datasets {
            let r = try row(dataset, optimizer)
            #expect(r.teleports > 0 && r.gradNormMedianRatio > 1,
                    "\(dataset)/\(optimizer): median ||grad||^2 ratio \(r.gradNormMedianRatio), \(r.gradNormIncreased)/\(r.teleports) teleports increased it")
        }
    }

    /// Mean train loss over the teleport epoch and the next is lower with teleportation.
    @Test(arguments: ["adagrad", "momentum", "rmsprop", "adam", "sgd"])
    func teleportLowersEarlyTrainingLoss(optimizer: String) throws {
        for dataset in Self.datasets {
            let r = try row(dataset, optimizer)
            check("\(dataset)/\(optimizer)", Self.earlyLossIssues) {
                #expect(r.teleportEarly < r.baselineEarly,
                        "\(dataset)/\(optimizer): early train loss \(r.teleportEarly) with teleport vs \(r.baselineEarly) without")
            }
        }
    }

    /// The loss threshold is reached in no more epochs with teleportation.
    @Test(arguments: ["adagrad", "momentum", "rmsprop", "adam", "sgd"])
    func teleportReachesThresholdNoLater(optimizer: String) throws {
        for dataset in Self.datasets {
            let r = try row(dataset, optimizer)
            let base = try #require(r.baselineEpochs, "\(dataset)/\(optimizer): baseline never reaches its own threshold")
            check("\(dataset)/\(optimizer)", Self.thresholdIssues) {
                #expect(r.teleportEpochs.map { $0 <= base } ?? false,
                        "\(dataset)/\(optimizer): threshold \(r.threshold) reached \(r.teleportEpochs.map { "after \($0) epochs" } ?? "never") with teleport, after \(base) without")
            }
        }
    }
}
