import Datasets
import Experiments
import Foundation
import Plot

extension OptimizersExperiment {
    /// Fig 5 of the paper for one optimizer on one dataset: loss vs epoch (left) and vs
    /// training time (right, teleports included), train dashed and test solid, mean ± std over
    /// seeds, without (black) and with (blue) teleportation. The mean curves also go to a CSV.
    func writeFigures(dataset: String, optimizer: String, baseline: [Result], teleport: [Result],
                      teleportEpoch: Int, output: OutputFolder) throws {
        let name = "loss-\(dataset)-\(optimizer)"
        let arms: [(key: String, label: String, color: Color, results: [Result])] = [
            ("baseline", optimizer, .black, baseline), ("teleport", "\(optimizer) + teleport", .tabBlue, teleport),
        ]
        var csv = Table(columns: ["epoch"] + arms.flatMap { arm in
            ["train_loss", "train_loss_std", "test_loss", "test_loss_std", "test_accuracy", "seconds"]
                .map { "\(arm.key)_\($0)" }
        })
        let curves = arms.map { arm in
            (train: Stats.meanStd(curves: arm.results.map(\.trainLoss)),
             test: Stats.meanStd(curves: arm.results.map(\.testLoss)),
             accuracy: Stats.meanStd(curves: arm.results.map(\.testAccuracy)).mean,
             seconds: Stats.meanStd(curves: arm.results.map(\.seconds)).mean)
        }
        for e in curves[0].train.mean.indices {
            csv.append(["\(e + 1)"] + curves.flatMap { c in
                [c.train.mean[e], c.train.std[e], c.test.mean[e], c.test.std[e], c.accuracy[e], c.seconds[e]]
                    .map { String($0) }
            })
        }
        try output.write(csv, name: name)

        var fig = Figure(rows: 1, columns: 2, size: (11, 4.2), dpi: 200)
        fig.title = "\(DatasetName.label(of: dataset)), \(optimizer): \(baseline.count) runs, teleports before the first "
            + "mini-batches of epoch \(teleportEpoch + 1)"
        for (column, xAxis) in ["epoch", "time (s)"].enumerated() {
            for (arm, c) in zip(arms, curves) {
                let x = column == 0 ? c.train.mean.indices.map { Double($0 + 1) } : c.seconds
                fig[0, column].line(x, c.train.mean, label: "\(arm.label) (train)", color: arm.color, style: .dashed)
                fig[0, column].band(x, mean: c.train.mean, spread: c.train.std)
                fig[0, column].line(x, c.test.mean, label: "\(arm.label) (test)", color: arm.color)
                fig[0, column].band(x, mean: c.test.mean, spread: c.test.std)
            }
            fig[0, column].xLabel = xAxis
            fig[0, column].yLabel = "loss"
            fig[0, column].yScale = .log
        }
        let warnings = try fig.save(to: output.file("\(name).png").path)
        for w in warnings { FileHandle.standardError.write(Data("optimizers figure \(name): \(w)\n".utf8)) }
    }
}
