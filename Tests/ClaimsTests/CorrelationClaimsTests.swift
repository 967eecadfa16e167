import Foundation
import Testing
import TestSupport

/// Result 2 (Table 1): sharpness phi correlates positively, curvature psi negatively, with
/// validation loss, on every dataset. Checked on the quick profile (12 models per dataset).
@Suite(.serialized, .enabled(if: Executables.imageDataPresent,
                             "MNIST/Fashion-MNIST not in Datasets/: run `datasets fetch mnist fashion-mnist`"))
struct CorrelationClaims {
    nonisolated(unsafe) static let rows: [String: [String: Any]] = {
        guard let stats = try? quickStatistics("correlation", extra: ["--datasets", "mnist,fashion-mnist"]),
              let rows = stats["rows"] as? [[String: Any]] else { return [:] }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["dataset"] as! String, $0) })
    }()

    @Test(arguments: ["mnist", "fashion-mnist"])
    func sharpnessCorrelatesPositively(dataset: String) throws {
        let row = try #require(Self.rows[dataset], "no summary row for \(dataset)")
        let c = try Correlation(row["phiValidation"])
        #expect(c.r > 0 && c.low > 0, "r(phi, validation loss) on \(dataset): \(c)")
    }

    /// Does not reproduce on the quick profile: r(psi, validation loss) is -0.46 [-0.82, 0.15]
    /// on MNIST and +0.54 [-0.05, 0.85] on Fashion-MNIST (12 models, 10 epochs on 10k
    /// samples); see REPRODUCE.md, Result 2, for the default and paper profiles.
    @Test(arguments: ["mnist", "fashion-mnist"])
    func curvatureCorrelatesNegatively(dataset: String) throws {
        let row = try #require(Self.rows[dataset], "no summary row for \(dataset)")
        let c = try Correlation(row["psiValidation"])
        withKnownIssue("r(psi, validation loss) on \(dataset): \(c); the claimed negative correlation does not reproduce at this scale") {
            #expect(c.r < 0 && c.high < 0, "r(psi, validation loss) on \(dataset): \(c)")
        }
    }
}
