// Result 6 of the paper (Fig 7): curvature of a minimum and its displacement under a shift.
//
// A minimum is a curve gamma through the origin in 2-D; a distribution shift moves the point
// by radius r in a uniformly random direction. We compute (1/r) E_theta[dist(w, gamma)] as a
// function of the curvature kappa of gamma at the origin, with exact point-to-curve distances
// (closed form for the circle, a cubic for the parabola) and adaptive quadrature over theta.

import Theory
import MetaLearning
import Model
import Experiments
import Foundation
import Teleport

struct DisplacementExperiment: Experiment {
    struct Params: Codable, Sendable {
        var parabolaK: [Double]         // y = k x^2, kappa = 2k
        var parabolaRadii: [Double]
        var circleK: [Double]           // x^2 + (y - k)^2 = k^2, kappa = 1/k
        var circleRadii: [Double]
        var tolerance: Double           // absolute quadrature tolerance, relative to r
    }

    /// One curve family at one shift radius.
    struct Run: RunDescriptor {
        var curve: String               // "parabola" or "circle"
        var radius: Double
        var key: String { "\(curve)/r-\(radius)" }
    }

    struct Result: Codable, Sendable {
        var kappa: [Double]
        var displacement: [Double]      // (1/r) E dist
    }

    struct Trend: Codable, Sendable {
        var curve: String
        var radius: Double
        var atZeroCurvature: Double     // (1/r) E dist at the smallest kappa
        var atMaxCurvature: Double      // ... at the largest kappa
        var minimum: Double             // smallest value over the grid
        var kappaAtMinimum: Double
        var monotone: String            // "increasing", "decreasing" or "not monotone"
        /// The largest change between neighbouring curvatures (negative: strictly decreasing).
        var largestStep: Double
    }

    struct Statistics: Encodable, Sendable { var trends: [Trend] }

    static let name = "displacement"
    static let abstract = "Result 6: expected displacement of a shifted minimum vs its curvature (Fig 7)."

    func params(for profile: Profile) -> Params {
        let parabolaK = stride(from: 0.0, to: 40, by: 0.3).map { $0 }
        let circleK = stride(from: 0.1, to: 1.0, by: 0.01).map { $0 } + stride(from: 1.0, to: 10, by: 0.1).map { $0 }
        let paper = Params(parabolaK: parabolaK, parabolaRadii: [2, 1, 0.5, 0.2, 0.1],
                           circleK: circleK, circleRadii: [0.1, 0.05, 0.02, 0.01, 0.005], tolerance: 1e-9)
        // The whole paper grid takes about a second, so every profile runs it; quick only
        // loosens the quadrature tolerance.
        switch profile {
        case .quick:
            var p = paper
            p.tolerance = 1e-7
            return p
        case .default, .paper:
            return paper
        }
    }

    func runs(params: Params, datasets: [String]) -> [Run] {
        params.parabolaRadii.map { Run(curve: "parabola", radius: $0) }
            + params.circleRadii.map { Run(curve: "circle", radius: $0) }
    }

    func execute(_ run: Run, params: Params, shared: Void, context: RunContext) throws -> Result {
        let ks = run.curve == "parabola" ? params.parabolaK : params.circleK
        var kappa: [Double] = [], displacement: [Double] = []
        for (i, k) in ks.enumerated() {
            context.report("k", i + 1, of: ks.count)
            let curve: Displacement.Curve = run.curve == "parabola" ? .parabola(k: k) : .circle(k: k)
            kappa.append(curve.kappa)
            let expected = context.algorithm == .published
                ? Displacement.expectedDistance(radius: run.radius, polyline: .published(curve), tolerance: params.tolerance)
                : Displacement.expectedDistance(radius: run.radius, curve: curve, tolerance: params.tolerance)
            displacement.append(expected / run.radius)
        }
        return Result(kappa: kappa, displacement: displacement)
    }

    func summarize(_ results: RunResults<Self>, params: Params, output: OutputFolder) throws -> Statistics {
        var trends: [Trend] = []
        var table = Table(columns: ["curve", "r", "kappa range", "(1/r) E dist at min kappa",
                                    "at max kappa", "minimum (at kappa)", "dependence on kappa"])
        for (run, result) in results.completed {
            // Order by curvature (the circle's grid runs from high to low kappa).
            let order = result.kappa.indices.sorted { result.kappa[$0] < result.kappa[$1] }
            let d = order.map { result.displacement[$0] }
            let steps = zip(d, d.dropFirst()).map { $1 - $0 }
            let monotone = steps.allSatisfy { $0 >= -1e-9 } ? "increasing"
                : steps.allSatisfy { $0 <= 1e-9 } ? "decreasing" : "not monotone"
            let kappas = order.map { result.kappa[$0] }
            let lowest = d.indices.min { d[$0] < d[$1] }!
            let trend = Trend(curve: run.curve, radius: run.radius, atZeroCurvature: d.first!,
                              atMaxCurvature: d.last!, minimum: d[lowest], kappaAtMinimum: kappas[lowest],
                              monotone: monotone, largestStep: steps.max() ?? .nan)
            trends.append(trend)
            table.append([run.curve, "\(run.radius)", String(format: "%.3g .. %.3g", kappas.first!, kappas.last!),
                          String(format: "%.4f", trend.atZeroCurvature), String(format: "%.4f", trend.atMaxCurvature),
                          String(format: "%.4f (%.3g)", trend.minimum, trend.kappaAtMinimum), monotone])
        }
        try output.write(table, name: "displacement")
        try writeFigure(results.completed, output: output)
        return Statistics(trends: trends)
    }

    /// `--algorithm published`: displacement_integration.py's distances, to polylines.
    static var publishedMode: PublishedMode {
        .implemented(differences: [
            "distances to the script's polylines of the curves (the parabola sampled at x = -10, -9.9, ..., 9.9, "
                + "the circle every 0.001 rad) instead of exact distances to the curves",
        ])
    }

    /// Fig 7's claims (PROTOCOL.md, Result 6).
    func verdicts(_ s: Statistics, params: Params, datasets: [String]) -> [Verdict] {
        Self.verdicts(s, tolerance: params.tolerance)
    }

    /// The rules. The values are deterministic quadratures (no sampling noise), so each part
    /// compares a value with its threshold exactly; `scale` is the threshold's size.
    /// `tolerance`: the quadrature's (the resolution of a difference between two values).
    static func verdicts(_ s: Statistics, tolerance: Double) -> [Verdict] {
        let line = 2 / Double.pi
        let parabolas = s.trends.filter { $0.curve == "parabola" }, circles = s.trends.filter { $0.curve == "circle" }
        func r(_ t: Trend) -> String { "\(t.curve) r=\(Table.number(t.radius))" }

        // The smallest curvature (kappa = 0 for the parabola, 0.1 for the circle) gives 2/pi.
        let flat = [("parabola", parabolas, 1e-6), ("circle", circles, 1e-3)].flatMap { _, trends, limit in
            trends.map { t in
                Check(r(t), .exact("|(1/r) E dist - 2/pi| at the smallest kappa", value: abs(t.atZeroCurvature - line),
                                   claim: .below, boundary: limit, scale: limit))
            }
        }
        // Parabolas dip more than 0.01 below 2/pi, then end more than 0.02 above it.
        let parabola = parabolas.flatMap { t in
            [Check(r(t) + " dip", .exact("2/pi - minimum over kappa", value: line - t.minimum, claim: .above,
                                         boundary: 0.01, scale: 0.01),
                   note: "minimum \(Table.number(t.minimum)) at kappa \(Table.number(t.kappaAtMinimum, digits: 3))"),
             Check(r(t) + " rise", .exact("value at the largest kappa - 2/pi", value: t.atMaxCurvature - line,
                                          claim: .above, boundary: 0.02, scale: 0.02))]
        }
        // Circles decrease with kappa at every radius, by more than 0.03 at the largest shift.
        // Neighbouring grid points differ by as little as 1e-10 where the circle is nearly flat,
        // below the quadrature's resolution: "decreasing" means no rise beyond its tolerance (of
        // (1/r) E dist: tolerance / r).
        var circle = circles.flatMap { t in
            [Check(r(t) + " decreasing", .exact("largest rise between neighbouring kappa", value: t.largestStep,
                                                claim: .below, boundary: tolerance / t.radius,
                                                scale: tolerance / t.radius)),
             Check(r(t) + " lower", .exact("value at the smallest - at the largest kappa",
                                           value: t.atZeroCurvature - t.atMaxCurvature, claim: .above, boundary: 0,
                                           scale: tolerance / t.radius))]
        }
        if let largest = circles.max(by: { $0.radius < $1.radius }) {
            circle.append(Check(r(largest) + " drop", .exact("value at the smallest - at the largest kappa",
                                                             value: largest.atZeroCurvature - largest.atMaxCurvature,
                                                             claim: .above, boundary: 0.03, scale: 0.03)))
        }
        let figures = ["displacement.png"]
        func orNotRun(_ checks: [Check], _ curve: String) -> [Check] {
            checks.isEmpty ? [.notRun(curve, because: "no completed \(curve) runs")] : checks
        }
        return [
            Verdict(id: "displacement/flat-minimum", claim: "A flat minimum gives the straight-line value (1/r) E dist = 2/pi.",
                    checks: orNotRun(flat, "parabola or circle"), figures: figures),
            Verdict(id: "displacement/parabola", claim: "Curvature changes the expected displacement: parabolas dip "
                    + "below 2/pi (by > 0.01), then rise above it (by > 0.02).", checks: orNotRun(parabola, "parabola"),
                    figures: figures),
            Verdict(id: "displacement/circle", claim: "Circles' expected displacement decreases with curvature "
                    + "(by > 0.03 at the largest shift).", checks: orNotRun(circle, "circle"), figures: figures),
        ]
    }
}

