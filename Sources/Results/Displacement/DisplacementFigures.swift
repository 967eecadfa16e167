import Experiments
import Foundation
import Plot

extension DisplacementExperiment {
    /// Fig 7: (1/r) E dist vs kappa, one line per r, for the parabola (left) and the circle
    /// (right), with the straight-line value 2/pi for reference.
    func writeFigure(_ completed: [(run: Run, result: Result)], output: OutputFolder) throws {
        var fig = Figure(rows: 1, columns: 2, size: (11, 4.2), dpi: 200)
        for (column, curve) in ["parabola", "circle"].enumerated() {
            let runs = completed.filter { $0.run.curve == curve }
            for (i, (run, result)) in runs.enumerated() {
                let order = result.kappa.indices.sorted { result.kappa[$0] < result.kappa[$1] }
                fig[0, column].line(order.map { result.kappa[$0] }, order.map { result.displacement[$0] },
                                    label: "r = \(run.radius)", color: Color.cycle(i), width: 2)
            }
            if let xs = runs.first?.result.kappa, let lo = xs.min(), let hi = xs.max() {
                fig[0, column].line([lo, hi], [2 / Double.pi, 2 / Double.pi], label: "2/π (straight line)",
                                    color: .gray, style: .dotted)
            }
            fig[0, column].xLabel = curve == "parabola" ? "κ = 2k  (y = kx²)" : "κ = 1/k  (circle of radius k)"
            fig[0, column].yLabel = "(1/r) E dist(w, γ)"
        }
        let warnings = try fig.save(to: output.file("displacement.png").path)
        for w in warnings { FileHandle.standardError.write(Data("displacement figure: \(w)\n".utf8)) }
    }
}
