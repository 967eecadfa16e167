import Datasets
import Experiments
import Foundation
import Plot

extension Correlation {
    /// Figures 9-10 of the paper for one dataset: validation loss vs psi, validation loss vs
    /// phi, and psi vs phi, each with its least-squares line and Pearson r in the legend. The
    /// scatter data also goes to a CSV beside the figure.
    func writeFigures(name: String, results: [Result], row: Row, output: OutputFolder) throws {
        var data = Table(columns: ["phi", "psi", "validation_loss"])
        for r in results { data.append([String(r.phi), String(r.psi), String(r.validationLoss)]) }
        try output.write(data, name: "scatter-\(name)")

        let phis = results.map(\.phi), psis = results.map(\.psi), loss = results.map(\.validationLoss)
        let panels: [(x: [Double], y: [Double], xLabel: String, yLabel: String, r: Stats.Correlation)] = [
            (psis, loss, "curvature ψ", "validation loss", row.psiValidation),
            (phis, loss, "sharpness φ", "validation loss", row.phiValidation),
            (phis, psis, "sharpness φ", "curvature ψ", row.phiPsi),
        ]
        // The three panels side by side, and each on its own (as Figs 9-10 of the paper).
        var fig = Figure(rows: 1, columns: 3, size: (13.5, 3.9), dpi: 200)
        fig.title = "\(DatasetName.label(of: name)): \(results.count) models"
        let files = ["val-loss-vs-psi", "val-loss-vs-phi", "psi-vs-phi"]
        for (i, p) in panels.enumerated() {
            var single = Figure(size: (4.8, 3.8), dpi: 200)
            draw(&fig[0, i], p)
            draw(&single.axes, p)
            single.axes.title = DatasetName.label(of: name)
            report(try single.save(to: output.file("\(files[i])-\(name).png").path), name)
        }
        report(try fig.save(to: output.file("scatter-\(name).png").path), name)
    }

    private func draw(_ axes: inout Axes, _ p: (x: [Double], y: [Double], xLabel: String, yLabel: String,
                                                r: Stats.Correlation)) {
        axes.scatter(p.x, p.y, label: "models", color: .tabBlue, alpha: 0.75)
        axes.fitLine(p.x, p.y, label: String(format: "r = %.3f", p.r.r), color: .tabRed)
        axes.xLabel = p.xLabel
        axes.yLabel = p.yLabel
    }

    private func report(_ warnings: [String], _ name: String) {
        for w in warnings { FileHandle.standardError.write(Data("correlation figure \(name): \(w)\n".utf8)) }
    }
}
