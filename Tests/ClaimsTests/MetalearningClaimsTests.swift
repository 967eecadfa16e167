import Foundation
import Testing
import TestSupport

/// Result 5 (Fig 6): learning both the update and the teleportation converges faster than
/// learning the update alone, and every learned optimiser beats gradient descent. Checked on
/// the quick profile (the paper's architectures, few meta-training trajectories).
@Suite struct MetalearningClaims {
    /// Method name -> (step -> mean test loss over the test problems).
    static let losses: [String: [Int: Double]] = {
        guard let stats = try? quickStatistics("metalearning"),
              let methods = stats["methods"] as? [[String: Any]] else { return [:] }
        var out: [String: [Int: Double]] = [:]
        for m in methods {
            guard let name = m["method"] as? String, let steps = m["steps"] as? [Int],
                  let mean = m["mean"] as? [Any] else { continue }
            out[name] = Dictionary(uniqueKeysWithValues: zip(steps, mean.map { ($0 as? NSNumber)?.doubleValue ?? .nan }))
        }
        return out
    }()

    func loss(_ method: String, at step: Int) throws -> Double {
        try #require(Self.losses[method]?[step], "no test loss of \(method) at step \(step)")
    }

    @Test func updateAndTeleportConvergesFasterThanUpdate() throws {
        let both = (try loss("LSTM(update,tele)", at: 10), try loss("LSTM(update,tele)", at: 30))
        let update = (try loss("LSTM(update)", at: 10), try loss("LSTM(update)", at: 30))
        #expect(both.0 < update.0 || both.1 < update.1,
                "LSTM(update,tele) \(both) vs LSTM(update) \(update) at steps (10, 30)")
    }

    @Test(arguments: ["LSTM(lr,tele)", "LSTM(update)", "LSTM(update,tele)"])
    func learnedOptimiserBeatsGD(method: String) throws {
        let learned = try loss(method, at: 30), gd = try loss("GD", at: 30)
        #expect(learned < gd, "\(method) \(learned) vs GD \(gd) at step 30")
    }
}
