import Datasets
import Experiments
import Foundation
import Plot

extension Generalization {
    /// Fig 4 of the paper for one dataset, one file per objective: train (dashed) and test
    /// (solid) loss per epoch from the start epoch on, mean ± std over runs for each direction,
    /// the baseline in black, and a dotted line at the teleport epoch. The curves also go to a
    /// CSV beside the figure.
    func writeFigures(name: String, baseline: Curves, groups: [(Run.Variant, [Result])], params: Params,
                      output: OutputFolder) throws {
        let epochs = Array(params.startEpoch...params.endEpoch)
        let x = epochs.map(Double.init)
        let baseTrain = epochs.map { baseline.trainLoss[$0 - 1] }, baseTest = epochs.map { baseline.testLoss[$0 - 1] }
        var csv = Table(columns: ["variant", "epoch", "train_mean", "train_std", "test_mean", "test_std"])
        for (i, e) in epochs.enumerated() {
            csv.append(["baseline", "\(e)", String(baseTrain[i]), "0", String(baseTest[i]), "0"])
        }

        for objective in Objective.allCases {
            let mine = groups.filter { $0.0.objective == objective }
            guard !mine.isEmpty else { continue }
            var fig = Figure(size: (6.4, 4.8), dpi: 200)
            fig[0, 0].line(x, baseTrain, label: "SGD (train)", color: .black, style: .dashed)
            fig[0, 0].line(x, baseTest, label: "SGD (test)", color: .black)
            for (variant, results) in mine {
                let color: Color = variant.direction == .increase ? .tabBlue : .tabOrange
                // Each run's curve starts at the baseline's value at the start epoch.
                let train = Stats.meanStd(curves: results.map { [baseTrain[0]] + $0.curves.trainLoss })
                let test = Stats.meanStd(curves: results.map { [baseTest[0]] + $0.curves.testLoss })
                let spread = { (s: [Double]) in s.map { $0.isFinite ? $0 : 0 } }
                let label = "\(variant.direction.rawValue) \(objective == .phi ? "φ" : "ψ")"
                fig[0, 0].line(x, train.mean, label: "\(label) (train)", color: color, style: .dashed)
                fig[0, 0].band(x, mean: train.mean, spread: spread(train.std))
                fig[0, 0].line(x, test.mean, label: "\(label) (test)", color: color)
                fig[0, 0].band(x, mean: test.mean, spread: spread(test.std))
                for (i, e) in epochs.enumerated() {
                    csv.append([variant.name, "\(e)", String(train.mean[i]), String(train.std[i]),
                                String(test.mean[i]), String(test.std[i])])
                }
            }
            let all = mine.flatMap { $0.1.flatMap { $0.curves.trainLoss + $0.curves.testLoss } } + baseTrain + baseTest
            if let lo = all.filter(\.isFinite).min(), let hi = all.filter(\.isFinite).max() {
                let t = Double(params.teleportEpoch) - 0.5
                fig[0, 0].line([t, t], [lo, hi], label: "teleport (epoch \(params.teleportEpoch))",
                               color: .gray, style: .dotted)
            }
            fig[0, 0].xLabel = "epoch"
            fig[0, 0].yLabel = "loss"
            fig[0, 0].title = "\(DatasetName.label(of: name)): teleport to change \(objective == .phi ? "sharpness φ" : "curvature ψ")"
            fig[0, 0].legendFontSize = 8
            let file = "loss-\(name)-\(objective.rawValue).png"
            let warnings = try fig.save(to: output.file(file).path)
            for w in warnings { FileHandle.standardError.write(Data("generalization figure \(file): \(w)\n".utf8)) }
        }
        try output.write(csv, name: "curves-\(name)")
    }
}
