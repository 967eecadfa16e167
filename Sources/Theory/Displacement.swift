import Model
import Teleport
import Foundation
import Tensor

/// Result 6 of the paper (Fig 7): how far a minimum "moves" under a random shift depends on
/// its curvature. A minimum is a curve gamma through the origin in 2-D; a shift moves the point
/// by radius r in a uniformly random direction theta; we measure E_theta[dist(p(theta), gamma)].
public enum Displacement {
    /// The two curves of the protocol, each through the origin with curvature kappa there.
    public enum Curve: Sendable, Equatable {
        /// y = k x^2, curvature kappa = 2k at the origin (k = 0 is the straight line y = 0).
        case parabola(k: Double)
        /// x^2 + (y - k)^2 = k^2: the circle of radius k centred at (0, k), kappa = 1/k.
        case circle(k: Double)

        /// Curvature of the curve at the origin.
        public var kappa: Double {
            switch self {
            case .parabola(let k): return 2 * abs(k)
            case .circle(let k): return 1 / k
            }
        }
    }

    /// Exact Euclidean distance from (a, b) to the curve.
    public static func distance(_ a: Double, _ b: Double, to curve: Curve) -> Double {
        switch curve {
        case .circle(let k):
            // Distance to a circle is | |p - c| - radius |.
            let d = ((a * a) + (b - k) * (b - k)).squareRoot()
            return abs(d - k)
        case .parabola(let k):
            if k == 0 { return abs(b) }
            // The nearest point (x, k x^2) solves d/dx [(x - a)^2 + (k x^2 - b)^2] / 2 = 0:
            //   2 k^2 x^3 + (1 - 2 k b) x - a = 0.
            var best = Double.infinity
            for x in realCubicRoots(2 * k * k, 0, 1 - 2 * k * b, -a) {
                let dx = x - a, dy = k * x * x - b
                best = min(best, (dx * dx + dy * dy).squareRoot())
            }
            return best
        }
    }

    /// E_theta[dist(r (cos theta, sin theta), curve)] with theta uniform on [0, 2 pi),
    /// by adaptive Simpson quadrature to absolute tolerance `tolerance` (relative to r).
    public static func expectedDistance(radius r: Double, curve: Curve,
                                        tolerance: Double = 1e-10) -> Double {
        expectedDistance(radius: r, tolerance: tolerance) { distance($0, $1, to: curve) }
    }

    /// The same expectation for the published code's polyline of the curve
    /// (`Polyline.published(_:)`) instead of the curve itself.
    public static func expectedDistance(radius r: Double, polyline: Polyline,
                                        tolerance: Double = 1e-10) -> Double {
        let near = polyline.segments(within: 2 * r + polyline.distance(0, 0))
        return expectedDistance(radius: r, tolerance: tolerance) { Polyline.distance($0, $1, to: near) }
    }

    /// E_theta[distance(r cos theta, r sin theta)] by adaptive Simpson quadrature.
    static func expectedDistance(radius r: Double, tolerance: Double,
                                 _ distance: (Double, Double) -> Double) -> Double {
        let f = { (theta: Double) -> Double in distance(r * cos(theta), r * sin(theta)) }
        // Split at the quarter turns so kinks at the symmetric angles fall on panel edges.
        var total = 0.0
        for q in 0..<4 {
            let a = Double(q) * .pi / 2, b = a + .pi / 2
            total += adaptiveSimpson(f, a, b, tolerance: tolerance * r / 4)
        }
        return total / (2 * .pi)
    }

    /// The same expectation by brute force: the mean over `samples` evenly spaced angles of the
    /// distance to a dense polyline of the curve (a check on the exact computation).
    public static func bruteForceExpectedDistance(radius r: Double, curve: Curve,
                                                  samples: Int = 2000,
                                                  curvePoints: Int = 20001) -> Double {
        // Points on the curve within reach (distance <= r + |p| means within 2r of the origin).
        var xs: [Double] = [], ys: [Double] = []
        switch curve {
        case .parabola(let k):
            let span = 2 * r
            for i in 0..<curvePoints {
                let x = -span + 2 * span * Double(i) / Double(curvePoints - 1)
                xs.append(x); ys.append(k * x * x)
            }
        case .circle(let k):
            for i in 0..<curvePoints {
                let t = 2 * Double.pi * Double(i) / Double(curvePoints - 1)
                xs.append(k * sin(t)); ys.append(k - k * cos(t))
            }
        }
        var sum = 0.0
        for s in 0..<samples {
            let theta = 2 * Double.pi * (Double(s) + 0.5) / Double(samples)
            let a = r * cos(theta), b = r * sin(theta)
            var best = Double.infinity
            for i in 0..<(xs.count - 1) {
                best = min(best, segmentDistance(a, b, xs[i], ys[i], xs[i + 1], ys[i + 1]))
            }
            sum += best
        }
        return sum / Double(samples)
    }

    /// A curve as a chain of segments: what the published script measures distances to
    /// (shapely `LineString`s through sampled points of the curve).
    public struct Polyline: Sendable {
        public var xs: [Double]
        public var ys: [Double]

        public init(xs: [Double], ys: [Double]) {
            ensure(xs.count == ys.count && xs.count >= 2, "a polyline needs at least two points")
            self.xs = xs; self.ys = ys
        }

        /// displacement_integration.py's polylines: the parabola at x = -10, -9.9, ..., 9.9
        /// (`np.arange(-10, 10, 0.1)`, so its vertex segment is 0.1 wide however large k is);
        /// the circle at angles 0, 0.001, ..., 6.283 (`np.arange(0, 2 pi, 1e-3)`), through
        /// (k cos t, k sin t + k).
        public static func published(_ curve: Curve) -> Polyline {
            switch curve {
            case .parabola(let k):
                let xs = (0..<200).map { -10 + 0.1 * Double($0) }
                return Polyline(xs: xs, ys: xs.map { k * abs($0 * $0) })
            case .circle(let k):
                let t = (0..<Int((2 * Double.pi / 1e-3).rounded(.up))).map { 1e-3 * Double($0) }
                return Polyline(xs: t.map { k * cos($0) }, ys: t.map { k * sin($0) + k })
            }
        }

        /// The segments, (x0, y0, x1, y1) each.
        var segments: [(Double, Double, Double, Double)] {
            (0..<(xs.count - 1)).map { (xs[$0], ys[$0], xs[$0 + 1], ys[$0 + 1]) }
        }

        /// Distance from (a, b) to the nearest segment.
        public func distance(_ a: Double, _ b: Double) -> Double {
            Polyline.distance(a, b, to: segments)
        }

        /// The segments that come within `reach` of the origin. For points within r of the
        /// origin, a segment farther than 2r + dist(origin, polyline) from it cannot be the
        /// nearest, so distances to these segments are exact for them.
        func segments(within reach: Double) -> [(Double, Double, Double, Double)] {
            segments.filter { segmentDistance(0, 0, $0.0, $0.1, $0.2, $0.3) <= reach }
        }

        static func distance(_ a: Double, _ b: Double, to segments: [(Double, Double, Double, Double)]) -> Double {
            var best = Double.infinity
            for s in segments { best = min(best, segmentDistance(a, b, s.0, s.1, s.2, s.3)) }
            return best
        }
    }

    /// Distance from (a, b) to the segment from (x0, y0) to (x1, y1).
    static func segmentDistance(_ a: Double, _ b: Double, _ x0: Double, _ y0: Double,
                                _ x1: Double, _ y1: Double) -> Double {
        let dx = x1 - x0, dy = y1 - y0
        let len2 = dx * dx + dy * dy
        var t = len2 > 0 ? ((a - x0) * dx + (b - y0) * dy) / len2 : 0
        t = min(max(t, 0), 1)
        let px = x0 + t * dx - a, py = y0 + t * dy - b
        return (px * px + py * py).squareRoot()
    }
}

/// Real roots of c3 x^3 + c2 x^2 + c1 x + c0 = 0 (c3 != 0), by the trigonometric /
/// Cardano formulas, each polished by two Newton steps.
public func realCubicRoots(_ c3: Double, _ c2: Double, _ c1: Double, _ c0: Double) -> [Double] {
    let a = c2 / c3, b = c1 / c3, c = c0 / c3
    // Depressed cubic t^3 + p t + q = 0 with x = t - a/3.
    let p = b - a * a / 3
    let q = 2 * a * a * a / 27 - a * b / 3 + c
    let shift = -a / 3
    var roots: [Double]
    let disc = q * q / 4 + p * p * p / 27
    if disc > 0 {
        let s = disc.squareRoot()
        roots = [cbrt(-q / 2 + s) + cbrt(-q / 2 - s) + shift]
    } else if p == 0 {
        roots = [shift]
    } else {
        let m = 2 * (-p / 3).squareRoot()
        let arg = max(-1, min(1, 3 * q / (p * m)))
        let phi = acos(arg) / 3
        roots = (0..<3).map { m * cos(phi - 2 * Double.pi * Double($0) / 3) + shift }
    }
    return roots.map { x0 in
        var x = x0
        for _ in 0..<2 {
            let f = ((c3 * x + c2) * x + c1) * x + c0
            let df = (3 * c3 * x + 2 * c2) * x + c1
            if df != 0 { x -= f / df }
        }
        return x
    }
}

/// Adaptive Simpson quadrature of f over [a, b] to absolute tolerance `tolerance`.
public func adaptiveSimpson(_ f: (Double) -> Double, _ a: Double, _ b: Double,
                            tolerance: Double, maxDepth: Int = 50) -> Double {
    func simpson(_ fa: Double, _ fm: Double, _ fb: Double, _ h: Double) -> Double {
        h / 6 * (fa + 4 * fm + fb)
    }
    func recurse(_ a: Double, _ b: Double, _ fa: Double, _ fm: Double, _ fb: Double,
                 _ whole: Double, _ tol: Double, _ depth: Int) -> Double {
        let m = (a + b) / 2
        let lm = (a + m) / 2, rm = (m + b) / 2
        let flm = f(lm), frm = f(rm)
        let left = simpson(fa, flm, fm, m - a), right = simpson(fm, frm, fb, b - m)
        let delta = left + right - whole
        if depth <= 0 || abs(delta) <= 15 * tol { return left + right + delta / 15 }
        return recurse(a, m, fa, flm, fm, left, tol / 2, depth - 1)
            + recurse(m, b, fm, frm, fb, right, tol / 2, depth - 1)
    }
    let fa = f(a), fb = f(b), fm = f((a + b) / 2)
    return recurse(a, b, fa, fm, fb, simpson(fa, fm, fb, b - a), tolerance, maxDepth)
}
