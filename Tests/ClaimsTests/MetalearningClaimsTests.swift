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

    /// On the quick profile (40 meta-training trajectories each) LSTM(update,tele) is ahead at
    /// both steps: 103 vs 219 at step 10, 362 vs 516 at step 30.
    @Test func updateAndTeleportConvergesFasterThanUpdate() throws {
        let both = (try loss("LSTM(update,tele)", at: 10), try loss("LSTM(update,tele)", at: 30))
        let update = (try loss("LSTM(update)", at: 10), try loss("LSTM(update)", at: 30))
        #expect(both.0 < update.0 || both.1 < update.1,
                "LSTM(update,tele) \(both) vs LSTM(update) \(update) at steps (10, 30)")
    }

    @Test func rateAndTeleportBeatsGD() throws {
        let learned = try loss("LSTM(lr,tele)", at: 30), gd = try loss("GD", at: 30)
        #expect(learned < gd, "LSTM(lr,tele) \(learned) vs GD \(gd) at step 30")
    }

    /// Does not reproduce on the quick profile: meta-trained on 40 trajectories (the paper: 600
    /// and 700), the update LSTMs bring the loss below GD's in the first steps (at step 10:
    /// about 2.2e2 for LSTM(update) and 1.0e2 for LSTM(update,tele), GD 3.5e3) but then let it
    /// grow; at step 30 their mean test loss is about 5.2e2 and 3.6e2, GD's 47. With the paper's
    /// budgets (the default profile) they are below GD at step 30.
    @Test(arguments: ["LSTM(update)", "LSTM(update,tele)"])
    func learnedUpdateBeatsGD(method: String) throws {
        let learned = try loss(method, at: 30), gd = try loss("GD", at: 30)
        withKnownIssue("\(method) \(learned) vs GD \(gd) at step 30; the claim does not reproduce with this little meta-training") {
            #expect(learned < gd, "\(method) \(learned) vs GD \(gd) at step 30")
        }
    }
}
