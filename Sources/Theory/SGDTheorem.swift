import Model
import Teleport
import Tensor
import Foundation

// The convergence theorem for SGD with teleportation (Section 3.1 of the paper): teleporting
// before every step to the point of the orbit with the largest gradient norm, with
// eta = 1 / (beta sqrt(T - 1)),
//     min_t E[max_g ||grad L(g.w_t)||^2] <= 2 beta (L(w0) - L*) / sqrt(T - 1)
//                                          + beta sigma^2 / sqrt(T - 1),
// sigma^2 = L(w*) - E[inf_w L(w, xi)].

/// The right-hand side of the theorem.
public func sgdTeleportBound(beta: Double, initialGap: Double, sigmaSquared: Double, steps T: Int) -> Double {
    let root = Double(T - 1).squareRoot()
    return 2 * beta * initialGap / root + beta * sigmaSquared / root
}

/// The step size the theorem prescribes, 1 / (beta sqrt(T - 1)).
public func sgdTheoremStepSize(beta: Double, steps T: Int) -> Double {
    1 / (beta * Double(T - 1).squareRoot())
}

/// Per-iteration sums over Monte Carlo trajectories (t = 0..<T), from which means and
/// standard errors follow; sums of chunks add.
public struct MonteCarloCurve: Codable, Sendable, Equatable {
    public var sum: [Double]
    public var sumOfSquares: [Double]
    public var count: Int

    public init(length: Int) {
        sum = Array(repeating: 0, count: length); sumOfSquares = sum; count = 0
    }
    /// Adds one trajectory's values.
    public mutating func add(_ values: [Double]) {
        for t in values.indices { sum[t] += values[t]; sumOfSquares[t] += values[t] * values[t] }
        count += 1
    }
    /// Adds another chunk's sums.
    public mutating func merge(_ other: MonteCarloCurve) {
        for t in sum.indices { sum[t] += other.sum[t]; sumOfSquares[t] += other.sumOfSquares[t] }
        count += other.count
    }
    /// The Monte Carlo estimate of E[value_t].
    public var mean: [Double] { sum.map { $0 / Double(count) } }
    /// The standard error of the mean at each t.
    public var standardError: [Double] {
        let n = Double(count)
        return sum.indices.map { t in
            let m = sum[t] / n
            return (max(0, sumOfSquares[t] / n - m * m) * n / max(n - 1, 1) / n).squareRoot()
        }
    }
    /// (min over t of the mean, its standard error, the argmin).
    public var minimum: (value: Double, standardError: Double, t: Int) {
        let m = mean
        let t = m.indices.min { m[$0] < m[$1] } ?? 0
        return (m[t], standardError[t], t)
    }
}

// MARK: - (a) Stochastic anisotropic quadratic

/// L(w, xi) = 1/2 ||A^(1/2) (w - w*) - xi||^2 with xi ~ N(0, s^2 I / n). Then
/// L(w) = E L(w, xi) = 1/2 (w - w*)^T A (w - w*) + s^2 / 2, L* = s^2 / 2, inf_w L(w, xi) = 0,
/// sigma^2 = s^2 / 2 and beta = lambda_max(A). The expected loss is an `OrbitQuadratic`
/// with offset L*, whose teleport is in closed form.
public struct StochasticQuadratic: Sendable {
    public let expected: OrbitQuadratic
    /// s, the noise scale: E ||xi||^2 = s^2.
    public let noise: Double
    public let initial: [Double]

    /// A seeded random instance: n dimensions, eigenvalues log-spaced in [smallest, largest],
    /// w0 = w* + N(0, I) * initialDistance / sqrt(n).
    public init(dimension n: Int, smallest: Double, largest: Double, noise: Double,
                initialDistance: Double, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        expected = OrbitQuadratic.random(dimension: n, smallest: smallest, largest: largest,
                                         offset: noise * noise / 2, using: &rng)
        self.noise = noise
        let d = (0..<n).map { _ in rng.normal() * initialDistance / Double(n).squareRoot() }
        initial = axpy(expected.minimizer, 1, d)
    }

    public var beta: Double { expected.beta }
    public var optimalValue: Double { expected.minimumValue }
    public var sigmaSquared: Double { noise * noise / 2 }

    /// grad_w L(w, xi) = A^(1/2) (A^(1/2) (w - w*) - xi).
    public func stochasticGradient(_ w: [Double], noise xi: [Double]) -> [Double] {
        let z = matVec(expected.sqrtA, axpy(w, -1, expected.minimizer))
        return matVec(expected.sqrtA, axpy(z, -1, xi))
    }

    /// What one SGD trajectory records per iteration t = 0..<T (before the step of t).
    public struct Trajectory: Sendable {
        /// ||grad L(w_t)||^2.
        public var squaredGradientNorm: [Double]
        /// max_g ||grad L(g.w_t)||^2 = 2 beta (L(w_t) - L*).
        public var maxOrbitSquaredGradientNorm: [Double]
    }

    /// T iterations of SGD with step eta from w0, teleporting before every step when asked.
    public func sgd(steps T: Int, learningRate eta: Double, teleport: Bool,
                    using rng: inout SeededGenerator) -> Trajectory {
        let n = expected.dimension
        var w = initial
        var out = Trajectory(squaredGradientNorm: [], maxOrbitSquaredGradientNorm: [])
        for _ in 0..<T {
            let g = expected.gradient(w)
            out.squaredGradientNorm.append(vdot(g, g))
            out.maxOrbitSquaredGradientNorm.append(expected.maxOrbitSquaredGradientNorm(w))
            if teleport { w = expected.teleport(w) }
            let xi = (0..<n).map { _ in rng.normal() * noise / Double(n).squareRoot() }
            w = axpy(w, -eta, stochasticGradient(w, noise: xi))
        }
        return out
    }
}
