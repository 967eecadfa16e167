import Experiments
import Foundation

extension Correlation {
    /// Figures 9-10: validation loss vs psi, vs phi, and psi vs phi (placeholder until the
    /// plotting module is merged: writes the scatter data as CSV).
    func writeFigures(name: String, results: [Result], row: Row, output: OutputFolder) throws {
        var data = Table(columns: ["phi", "psi", "validation_loss"])
        for r in results { data.append([String(r.phi), String(r.psi), String(r.validationLoss)]) }
        try output.write(data, name: "scatter-\(name)")
    }
}
