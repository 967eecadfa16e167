import Foundation
import Testing
@testable import Teleport
@testable import Theory
@testable import Model

@Suite struct DisplacementTests {
    @Test func cubicRootsAreRoots() {
        // (x - 1)(x + 2)(x - 3) = x^3 - 2x^2 - 5x + 6
        let roots = realCubicRoots(1, -2, -5, 6).sorted()
        #expect(roots.count == 3)
        for (r, e) in zip(roots, [-2.0, 1, 3]) { #expect(abs(r - e) < 1e-12) }
        // One real root: x^3 + x + 1 = 0 has x ~ -0.6823278038
        let one = realCubicRoots(1, 0, 1, 1)
        #expect(one.count == 1)
        #expect(abs(one[0] + 0.6823278038280193) < 1e-12)
    }

    @Test func circleDistanceIsExact() {
        let c = Displacement.Curve.circle(k: 2)
        #expect(abs(Displacement.distance(0, 2, to: c) - 2) < 1e-15)     // centre
        #expect(abs(Displacement.distance(0, -1, to: c) - 1) < 1e-15)    // below the origin
        #expect(abs(Displacement.distance(3, 2, to: c) - 1) < 1e-15)     // outside, level
    }

    @Test func parabolaDistanceMatchesDenseSearch() {
        // A fixed scatter of points in [-1, 1]^2 (deterministic, irrational steps).
        for k in [0.3, 2.0, 15.0] {
            for i in 0..<20 {
                let a = sin(Double(i) * 1.7), b = cos(Double(i) * 2.3)
                let exact = Displacement.distance(a, b, to: .parabola(k: k))
                var brute = Double.infinity
                for i in 0...200_000 {
                    let x = -2 + 4 * Double(i) / 200_000
                    brute = min(brute, hypot(x - a, k * x * x - b))
                }
                #expect(exact <= brute + 1e-12)
                #expect(brute - exact < 1e-4)
            }
        }
    }

    @Test func straightLineLimitIsTwoOverPi() {
        for r in [0.1, 1.0, 2.0] {
            let e = Displacement.expectedDistance(radius: r, curve: .parabola(k: 0)) / r
            #expect(abs(e - 2 / Double.pi) < 1e-9)
            // A very flat circle tends to the same limit.
            let flat = Displacement.expectedDistance(radius: r, curve: .circle(k: 1e6)) / r
            #expect(abs(flat - 2 / Double.pi) < 1e-5)
        }
    }

    @Test(arguments: [Displacement.Curve.parabola(k: 1.5), .parabola(k: 20), .circle(k: 0.3),
                      .circle(k: 5)])
    func quadratureMatchesBruteForce(curve: Displacement.Curve) {
        for r in [0.1, 1.0] {
            let exact = Displacement.expectedDistance(radius: r, curve: curve)
            let brute = Displacement.bruteForceExpectedDistance(radius: r, curve: curve,
                                                                 samples: 720, curvePoints: 4001)
            #expect(abs(exact - brute) / r < 2e-3, "r=\(r) exact=\(exact) brute=\(brute)")
        }
    }
}

/// The published code's polylines (displacement_integration.py).
@Suite struct PublishedPolylineTests {
    @Test func pointsAreTheScriptsSamples() {
        let parabola = Displacement.Polyline.published(.parabola(k: 2))
        #expect(parabola.xs.count == 200)
        #expect(abs(parabola.xs[0] + 10) < 1e-12 && abs(parabola.xs[199] - 9.9) < 1e-9)
        #expect(abs(parabola.ys[100]) < 1e-20 && abs(parabola.ys[101] - 0.02) < 1e-12)
        let circle = Displacement.Polyline.published(.circle(k: 0.5))
        #expect(circle.xs.count == 6284)      // np.arange(0, 2 pi, 1e-3) has 6284 points
        #expect(abs(circle.xs[0] - 0.5) < 1e-15 && abs(circle.ys[0] - 0.5) < 1e-15)
    }

    /// Where the polyline is fine compared with r (the circle, or a flat parabola), the
    /// published distances agree with the exact ones; at the parabola's vertex with large
    /// curvature and small r they do not (segments 0.1 wide, rising to k / 100).
    @Test func agreesWithTheCurveWhereItIsFine() {
        for (curve, r) in [(Displacement.Curve.circle(k: 0.3), 0.05), (.circle(k: 5), 0.1), (.parabola(k: 0.3), 1.0)] {
            let exact = Displacement.expectedDistance(radius: r, curve: curve, tolerance: 1e-9)
            let published = Displacement.expectedDistance(radius: r, polyline: .published(curve), tolerance: 1e-9)
            #expect(abs(exact - published) / r < 1e-3, "\(curve) r=\(r): \(exact) vs \(published)")
        }
        let curve = Displacement.Curve.parabola(k: 39.9), r = 0.1
        let exact = Displacement.expectedDistance(radius: r, curve: curve, tolerance: 1e-9)
        let published = Displacement.expectedDistance(radius: r, polyline: .published(curve), tolerance: 1e-9)
        #expect(abs(exact - published) / r > 0.01, "\(exact) vs \(published)")
    }

    /// Dropping far segments does not change a distance (the pruning is exact).
    @Test func pruningIsExact() {
        let line = Displacement.Polyline.published(.circle(k: 2))
        let r = 0.1
        let near = line.segments(within: 2 * r + line.distance(0, 0))
        #expect(near.count < line.xs.count / 10)
        for i in 0..<64 {
            let t = 2 * Double.pi * Double(i) / 64
            #expect(Displacement.Polyline.distance(r * cos(t), r * sin(t), to: near) == line.distance(r * cos(t), r * sin(t)))
        }
    }
}
