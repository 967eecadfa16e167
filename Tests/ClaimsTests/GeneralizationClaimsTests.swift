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
        var runs, movedAsIntended: Int
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
                            runs: (v["runs"] as? Int) ?? 0, movedAsIntended: (v["movedAsIntended"] as? Int) ?? -1)
        }
        let base = Dictionary(uniqueKeysWithValues: baselines.map { ($0["dataset"] as! String, number($0, "testLoss")) })
        return (rows, base)
    }()

    static func row(_ dataset: String, _ variant: String) throws -> Row {
        try #require(summary.variants["\(dataset)/\(variant)"], "no summary row for \(dataset) \(variant)")
    }

    /// Every run's teleport moves the targeted quantity in the intended direction.
    @Test(arguments: ["mnist", "fashion-mnist"])
    func teleportMovesTheTarget(dataset: String) throws {
        for variant in ["increase-phi", "decrease-phi", "increase-psi", "decrease-psi"] {
            let r = try Self.row(dataset, variant)
            #expect(r.runs > 0 && r.movedAsIntended == r.runs,
                    "\(dataset) \(variant): \(r.movedAsIntended)/\(r.runs) runs moved as intended; phi \(r.phiBefore) -> \(r.phiAfter), psi \(r.psiBefore) -> \(r.psiAfter)")
        }
    }

    @Test(arguments: ["mnist", "fashion-mnist"])
    func largerCurvatureLowersValidationLoss(dataset: String) throws {
        let up = try Self.row(dataset, "increase-psi"), down = try Self.row(dataset, "decrease-psi")
        #expect(up.finalTestLoss < down.finalTestLoss,
                "\(dataset): final test loss increase psi \(up.finalTestLoss) ± \(up.finalTestLossStd), decrease psi \(down.finalTestLoss) ± \(down.finalTestLossStd)")
    }

    @Test(arguments: ["mnist", "fashion-mnist"])
    func flatterPointDoesNotHurt(dataset: String) throws {
        let down = try Self.row(dataset, "decrease-phi")
        let base = try #require(Self.summary.baselines[dataset], "no baseline for \(dataset)")
        #expect(down.finalTestLoss - base <= down.finalTestLossStd,
                "\(dataset): final test loss decrease phi \(down.finalTestLoss) ± \(down.finalTestLossStd), baseline \(base)")
    }
}
