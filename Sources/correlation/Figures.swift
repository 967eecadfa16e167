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
        var fig = Figure(rows: 1, columns: 3, size: (13.5, 3.9), dpi: 200)
        fig.title = "\(name): \(results.count) models"
        for (i, p) in panels.enumerated() {
            fig[0, i].scatter(p.x, p.y, label: "models", color: .tabBlue, alpha: 0.75)
            fig[0, i].fitLine(p.x, p.y, label: String(format: "r = %.3f", p.r.r), color: .tabRed)
            fig[0, i].xLabel = p.xLabel
            fig[0, i].yLabel = p.yLabel
        }
        let warnings = try fig.save(to: output.file("scatter-\(name).png").path)
        for w in warnings { FileHandle.standardError.write(Data("correlation figure \(name): \(w)\n".utf8)) }
    }
}
