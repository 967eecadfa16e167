import Foundation
import Testing
import TestSupport

/// Result 6 (Fig 7): the curvature of a minimum changes how far a randomly shifted point lies
/// from it. Checked on the quick profile (the paper's grid, looser quadrature tolerance).
@Suite struct DisplacementClaims {
    nonisolated(unsafe) static let trends: [[String: Any]] = {
        (try? quickStatistics("displacement"))?["trends"] as? [[String: Any]] ?? []
    }()

    func value(_ trend: [String: Any], _ key: String) -> Double { (trend[key] as? NSNumber)?.doubleValue ?? .nan }

    @Test func flatCurveGivesTheStraightLineValue() throws {
        try #require(Self.trends.count == 10, "expected 10 runs (5 radii x 2 curves)")
        for t in Self.trends {
            // kappa = 0 (parabola) is exactly a line; the circle's smallest kappa is 0.1.
            let tolerance = (t["curve"] as? String) == "parabola" ? 1e-6 : 1e-3
            #expect(abs(value(t, "atZeroCurvature") - 2 / Double.pi) < tolerance, "\(t)")
        }
    }

    @Test func curvatureMovesTheExpectedDisplacement() throws {
        try #require(Self.trends.count == 10, "expected 10 runs (5 radii x 2 curves)")
        for t in Self.trends where (t["curve"] as? String) == "parabola" {
            // Sharper parabolas: below 2/pi at moderate kappa, well above it at large kappa.
            #expect(value(t, "minimum") < 2 / Double.pi - 0.01, "\(t)")
            #expect(value(t, "atMaxCurvature") > 2 / Double.pi + 0.02, "\(t)")
        }
        for t in Self.trends where (t["curve"] as? String) == "circle" {
            // Tighter circles (larger kappa) bring the shifted point closer, more so for larger r.
            #expect((t["monotone"] as? String) == "decreasing", "\(t)")
        }
        let circleDrop = Self.trends.filter { ($0["curve"] as? String) == "circle" }
            .map { value($0, "atZeroCurvature") - value($0, "atMaxCurvature") }
        #expect(circleDrop.first! > 0.03, "r = 0.1 drop \(circleDrop.first!)")
    }
}
