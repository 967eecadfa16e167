import Experiments
import Foundation
import Plot

extension Metalearning {
    /// Fig 6: test loss (mean ± std over the test problems, log scale) vs step for the first 30
    /// steps, vs step for all steps, and vs wall time (mean cumulative time per step). The
    /// curves also go to a CSV beside the figure.
    func writeFigures(_ completed: [(run: Run, result: Result)], output: OutputFolder) throws {
        var data = Table(columns: ["method", "step", "loss_mean", "loss_std", "seconds_mean"])
        var fig = Figure(rows: 1, columns: 3, size: (15, 4.4), dpi: 200)
        for (i, (run, result)) in completed.enumerated() {
            let loss = Stats.meanStd(curves: result.losses)
            let time = Stats.meanStd(curves: result.seconds).mean
            let steps = loss.mean.indices.map(Double.init)
            for t in loss.mean.indices {
                data.append([run.method.rawValue, "\(t)", "\(loss.mean[t])", "\(loss.std[t])", "\(time[t])"])
            }
            // Log axes: the band's lower edge is kept positive.
            let lower = zip(loss.mean, loss.std).map { m, s in max(m - s, m * 1e-3) }
            let upper = zip(loss.mean, loss.std).map { $0 + $1 }
            let color = Color.cycle(i)
            let first = min(31, steps.count)
            fig[0, 0].line(Array(steps[..<first]), Array(loss.mean[..<first]), label: run.method.rawValue,
                           color: color, width: 2)
            fig[0, 0].band(Array(steps[..<first]), Array(lower[..<first]), Array(upper[..<first]), color: color)
            fig[0, 1].line(steps, loss.mean, label: run.method.rawValue, color: color, width: 2)
            fig[0, 1].band(steps, lower, upper, color: color)
            fig[0, 2].line(time, loss.mean, label: run.method.rawValue, color: color, width: 2)
            fig[0, 2].band(time, lower, upper, color: color)
        }
        for c in 0..<3 {
            fig[0, c].yScale = .log
            fig[0, c].yLabel = "test loss"
            fig[0, c].xLabel = c == 2 ? "wall time (s)" : "step"
        }
        fig[0, 0].title = "first 30 steps"
        fig[0, 1].title = "all steps"
        fig[0, 2].title = "wall time"
        try output.write(data, name: "test-curves")
        let warnings = try fig.save(to: output.file("test-loss.png").path)
        for w in warnings { FileHandle.standardError.write(Data("metalearning figure: \(w)\n".utf8)) }
    }
}
