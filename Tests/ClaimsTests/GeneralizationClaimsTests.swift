import Foundation
import Testing
import TestSupport

/// Result 3 (Fig 4): teleporting during training moves sharpness phi or curvature psi as
/// intended; teleporting to larger curvature gives a lower validation loss than to smaller
/// curvature; teleporting to a flatter point does not hurt. Checked on the quick profile (2
/// runs per variant, 8 epochs on 10k samples, teleport in epoch 4).
@Suite(.serialized, .enabled(if: Executables.imageDataPresent,
                             "MNIST/Fashion-MNIST not in Datasets/: run `datasets fetch mnist fashion-mnist`"))
struct GeneralizationClaims {
    struct Row {
        var finalTestLoss, finalTestLossStd, phiBefore, phiAfter, psiBefore, psiAfter: Double
        var runs, movedAsIntended, diverged: Int
    }

    /// "dataset/direction-objective" -> row, and dataset -> baseline test loss at the last epoch.
    static let summary: (variants: [String: Row], baselines: [String: Double]) = {
        guard let stats = try? quickStatistics("generalization", extra: ["--datasets", "mnist,fashion-mnist"]),
              let variants = stats["variants"] as? [[String: Any]],
              let baselines = stats["baselines"] as? [[String: Any]] else { return ([:], [:]) }
        func number(_ d: [String: Any], _ k: String) -> Double { (d[k] as? NSNumber)?.doubleValue ?? .nan }
        var rows: [String: Row] = [:]
        for v in variants {
            let key = "\(v["dataset"] as! String)/\(v["direction"] as! String)-\(v["objective"] as! String)"
            rows[key] = Row(finalTestLoss: number(v, "finalTestLoss"), finalTestLossStd: number(v, "finalTestLossStd"),
                            phiBefore: number(v, "phiBefore"), phiAfter: number(v, "phiAfter"),
                            psiBefore: number(v, "psiBefore"), psiAfter: number(v, "psiAfter"),
                            runs: (v["runs"] as? Int) ?? 0, movedAsIntended: (v["movedAsIntended"] as? Int) ?? -1,
                            diverged: (v["diverged"] as? Int) ?? -1)
        }
        let base = Dictionary(uniqueKeysWithValues: baselines.map { ($0["dataset"] as! String, number($0, "testLoss")) })
        return (rows, base)
    }()

    static func row(_ dataset: String, _ variant: String) throws -> Row {
        try #require(summary.variants["\(dataset)/\(variant)"], "no summary row for \(dataset) \(variant)")
    }

    /// The variants whose teleport-moves-its-target claim does not reproduce (see below).
    static let notReproduced: Set<String> = ["mnist/decrease-phi", "mnist/increase-psi", "mnist/decrease-psi",
                                             "fashion-mnist/decrease-phi", "fashion-mnist/decrease-psi"]

    /// Every run's teleport moves the targeted quantity in the intended direction (measured on
    /// fixed batches and directions just before the first and just after the last teleport),
    /// without divergence.
    ///
    /// Does not reproduce for five of the eight variants on the quick profile (2 runs each):
    /// MNIST decrease phi 1/2 runs (phi 0.0007018 -> 0.0007026 on average); MNIST increase psi:
    /// one run diverged (a curvature step with t = lr dkappa/dt overflowed exp(tM)), the other
    /// moved psi 0.001655 -> 0.001761; MNIST decrease psi 0/2 (psi 0.001655 -> 0.00294);
    /// Fashion-MNIST decrease phi 0/2 (phi 0.001854 -> 0.001926) and decrease psi 0/2 (psi
    /// 0.002745 -> 0.002817). The sharpness teleports do move their own objective (the mean
    /// perturbed loss at radii 0.1..0.9 on the teleport batch) in the intended direction within
    /// every teleport, but the measured phi (radii up to 0.2 or 0.02) does not follow for
    /// "decrease". The curvature steps, t = lr dkappa/dt with an unnormalised M, are large:
    /// kappa of the middle pair (each step with a fresh M) falls from about 0.7 to 0.003-0.4 in
    /// both directions, and the measured psi of the whole network rises in both.
    @Test(arguments: ["mnist", "fashion-mnist"], ["increase-phi", "decrease-phi", "increase-psi", "decrease-psi"])
    func teleportMovesTheTarget(dataset: String, variant: String) throws {
        let r = try Self.row(dataset, variant)
        let text = "\(dataset) \(variant): \(r.movedAsIntended)/\(r.runs) completed runs moved as intended, \(r.diverged) diverged; phi \(r.phiBefore) -> \(r.phiAfter), psi \(r.psiBefore) -> \(r.psiAfter)"
        if Self.notReproduced.contains("\(dataset)/\(variant)") {
            withKnownIssue("\(text); the teleport does not move the measured quantity as intended at this scale") {
                #expect(r.runs > 0 && r.movedAsIntended == r.runs && r.diverged == 0, "\(text)")
            }
        } else {
            #expect(r.runs > 0 && r.movedAsIntended == r.runs && r.diverged == 0, "\(text)")
        }
    }

    /// Reproduces on MNIST (0.1845, one run: the other diverged, vs 0.1867 ± 0.0059) but not on
    /// Fashion-MNIST on the quick profile: final test loss 0.4308 ± 0.0027 after increasing psi,
    /// 0.4241 ± 0.0032 after decreasing it (baseline 0.4255).
    @Test(arguments: ["mnist", "fashion-mnist"])
    func largerCurvatureLowersValidationLoss(dataset: String) throws {
        let up = try Self.row(dataset, "increase-psi"), down = try Self.row(dataset, "decrease-psi")
        let text = "\(dataset): final test loss increase psi \(up.finalTestLoss) ± \(up.finalTestLossStd) (\(up.runs) runs), decrease psi \(down.finalTestLoss) ± \(down.finalTestLossStd) (\(down.runs) runs)"
        if dataset == "fashion-mnist" {
            withKnownIssue("\(text); the claimed ordering does not reproduce at this scale") {
                #expect(up.finalTestLoss < down.finalTestLoss, "\(text)")
            }
        } else {
            #expect(up.finalTestLoss < down.finalTestLoss, "\(text)")
        }
    }

    @Test(arguments: ["mnist", "fashion-mnist"])
    func flatterPointDoesNotHurt(dataset: String) throws {
        let down = try Self.row(dataset, "decrease-phi")
        let base = try #require(Self.summary.baselines[dataset], "no baseline for \(dataset)")
        #expect(down.finalTestLoss - base <= down.finalTestLossStd,
                "\(dataset): final test loss decrease phi \(down.finalTestLoss) ± \(down.finalTestLossStd), baseline \(base)")
    }
}
