// The figures of `convergence` (the same data is in the CSV tables next to them):
//   theorem.png      bound vs measured min_t E max_g ||grad L||^2 against T (log-log)
//   error_maps.png   e(t+1) against e(t) (log-log) with the fitted a e^2 + b e
//   descent.png      loss gap against iteration and against seconds, GD vs GD + teleport
import Theory
import MetaLearning
import Model
import Experiments
import Foundation
import Plot
import Teleport

/// Draws the three figures into `output`; returns the plot library's warnings.
func writeFigures(output: OutputFolder, theorem: [String: [TheoremCheck]],
                  comparisons: [DescentComparison], fits: [String: [String: QuadraticLinearFit]]) throws -> [String] {
    var warnings: [String] = []

    // Bound versus measured, one panel per problem.
    var fig = Figure(rows: 1, columns: 2, size: (10, 4), dpi: 200)
    for (column, problem) in ["quadratic", "linear"].enumerated() {
        guard let checks = theorem[problem], !checks.isEmpty else { continue }
        let T = checks.map { Double($0.steps) }
        var panel = fig[0, column]
        panel.line(T, checks.map(\.bound), label: "bound", color: nil, style: .dashed)
        panel.line(T, checks.map(\.teleportMin), label: "SGD+teleport: min E max_g |grad|^2", color: nil, style: .solid)
        panel.band(T, checks.map { $0.teleportMin - 2 * $0.teleportStandardError },
                   checks.map { $0.teleportMin + 2 * $0.teleportStandardError }, alpha: 0.2)
        panel.line(T, checks.map(\.sgdGradientMin), label: "SGD: min E |grad|^2", color: nil, style: .dotted)
        panel.line(T, checks.map(\.sgdOrbitMaxMin), label: "SGD: min E max_g |grad|^2", color: nil, style: .dashDot)
        panel.xScale = .log; panel.yScale = .log
        panel.xLabel = "T"; panel.yLabel = "squared gradient norm"; panel.title = problem
        fig[0, column] = panel
    }
    warnings += try fig.save(to: output.file("theorem.png").path)

    // Error maps e(t+1) versus e(t) with the fitted curves.
    let problems = ["booth", "quadratic", "rosenbrock"]
    fig = Figure(rows: 1, columns: problems.count, size: (15, 4), dpi: 200)
    for (column, problem) in problems.enumerated() {
        let these = comparisons.filter { $0.problem.rawValue == problem }
        var panel = fig[0, column]
        for (method, path, color) in [("GD", \DescentComparison.gd, Color.tabBlue),
                                      ("GD+teleport", \.teleport, Color.tabOrange)] {
            var x: [Double] = [], y: [Double] = []
            for c in these {
                let tr = c[keyPath: path]
                for i in tr.iteration.indices.dropLast() where tr.iteration[i + 1] == tr.iteration[i] + 1
                    && tr.distance[i] > 1e-12 && tr.distance[i + 1] > 1e-12 {
                    x.append(tr.distance[i]); y.append(tr.distance[i + 1])
                }
            }
            guard !x.isEmpty else { continue }
            panel.scatter(x, y, marker: .circle, label: method, color: color, alpha: 0.5)
            if let fit = fits[problem]?[method + " (local)"], fit.a.isFinite {
                let grid = logGrid(x.min()!, x.max()!, 50)
                panel.line(grid, grid.map { fit.a * $0 * $0 + fit.b * $0 },
                           label: "\(method) local fit a=\(Table.number(fit.a, digits: 3)), b=\(Table.number(fit.b, digits: 3))",
                           color: color, style: .dashed)
            }
        }
        panel.xScale = .log; panel.yScale = .log
        panel.xLabel = "e(t) = |w_t - w*|"; panel.yLabel = "e(t+1)"; panel.title = problem
        fig[0, column] = panel
    }
    warnings += try fig.save(to: output.file("error_maps.png").path)

    // Loss gap against iteration (top) and seconds (bottom), every problem.
    let all = ["booth", "quadratic", "rosenbrock", "leaky-relu"]
    fig = Figure(rows: 2, columns: all.count, size: (18, 8), dpi: 200)
    for (column, problem) in all.enumerated() {
        for c in comparisons where c.problem.rawValue == problem {
            for (method, path, style, color) in [("GD", \DescentComparison.gd, LineStyle.solid, Color.tabBlue),
                                                 ("GD+teleport", \.teleport, LineStyle.dashed, Color.tabOrange)] {
                let tr = c[keyPath: path]
                let label: String? = c.seed == 0 ? method : nil
                // Iteration + 1 so that the start shows on the log axis.
                fig[0, column].line(tr.iteration.map { Double($0 + 1) }, tr.lossGap, label: label, color: color,
                                    style: style, alpha: 0.7)
                fig[1, column].line(tr.seconds, tr.lossGap, label: label, color: color, style: style, alpha: 0.7)
            }
        }
        for row in 0..<2 {
            fig[row, column].yScale = .log
            fig[row, column].yLabel = "f - f*"
            fig[row, column].title = problem
        }
        fig[0, column].xScale = .log
        fig[0, column].xLabel = "iteration + 1"
        fig[1, column].xLabel = "seconds"
    }
    warnings += try fig.save(to: output.file("descent.png").path)
    return warnings
}

/// `count` log-spaced points from a to b.
func logGrid(_ a: Double, _ b: Double, _ count: Int) -> [Double] {
    (0..<count).map { a * pow(b / a, Double($0) / Double(count - 1)) }
}
