import Model
import Teleport
import Tensor
import Foundation

// Small test problems with a known symmetry for the convergence theory of Section 3: each has
// a closed-form value, gradient and Hessian, a known minimiser, and a teleport to the point of
// its orbit (= its level set) with the largest ||grad f||^2.

/// A smooth objective on R^n whose symmetry group acts transitively on its level sets, with a
/// teleport to the maximum-gradient-norm point of the orbit.
public protocol SymmetricObjective: Sendable {
    /// Dimension n of the parameter w.
    var dimension: Int { get }
    /// f(w).
    func value(_ w: [Double]) -> Double
    /// grad f(w).
    func gradient(_ w: [Double]) -> [Double]
    /// The Hessian of f at w (n x n).
    func hessian(_ w: [Double]) -> Matrix<Double>
    /// The minimiser w* (f(w*) = minimumValue).
    var minimizer: [Double] { get }
    /// f* = f(w*).
    var minimumValue: Double { get }
    /// argmax over the orbit of w of ||grad f||^2 (the paper's teleport target).
    func teleport(_ w: [Double]) -> [Double]
}

// MARK: - Vector helpers

/// <a, b>.
@inlinable public func vdot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in a.indices { s += a[i] * b[i] }
    return s
}

/// ||a||.
@inlinable public func vnorm(_ a: [Double]) -> Double { vdot(a, a).squareRoot() }

/// a + alpha b.
@inlinable public func axpy(_ a: [Double], _ alpha: Double, _ b: [Double]) -> [Double] {
    var r = a
    for i in r.indices { r[i] += alpha * b[i] }
    return r
}

/// M v for a square (or n x m) matrix and a vector of length m.
public func matVec(_ m: Matrix<Double>, _ v: [Double]) -> [Double] {
    var r = [Double](repeating: 0, count: m.rows)
    for i in 0..<m.rows {
        var s = 0.0
        for j in 0..<m.cols { s += m.scalars[i * m.cols + j] * v[j] }
        r[i] = s
    }
    return r
}

// MARK: - Quadratic with an orbit of A^(-1/2) R A^(1/2)

/// f(w) = 1/2 (w - w*)^T A (w - w*) + offset, A = Q diag(lambda) Q^T symmetric positive
/// definite. Its level sets are the orbits of g = A^(-1/2) R A^(1/2) (R orthogonal) acting on
/// w - w*: with z = A^(1/2)(w - w*), f = ||z||^2 / 2 + offset and R rotates z. Since
/// ||grad f||^2 = z^T A z, the teleport target puts z on the top eigenvector of A:
/// max_g ||grad f(g.w)||^2 = lambda_max ||z||^2 = 2 lambda_max (f(w) - f*).
public struct OrbitQuadratic: SymmetricObjective {
    public let eigenvalues: [Double]
    /// Orthonormal eigenvectors of A as columns.
    public let Q: Matrix<Double>
    public let A: Matrix<Double>
    public let sqrtA: Matrix<Double>
    public let inverseSqrtA: Matrix<Double>
    public let minimizer: [Double]
    public let minimumValue: Double

    /// A from its eigenvalues and eigenvectors (columns of Q, orthonormal).
    public init(eigenvalues: [Double], eigenvectors Q: Matrix<Double>, minimizer: [Double], offset: Double = 0) {
        ensure(eigenvalues.allSatisfy { $0 > 0 } && Q.rows == eigenvalues.count && Q.cols == eigenvalues.count)
        self.eigenvalues = eigenvalues
        self.Q = Q
        func spectral(_ f: (Double) -> Double) -> Matrix<Double> {
            var scaled = Q
            for i in 0..<Q.rows { for j in 0..<Q.cols { scaled[i, j] *= f(eigenvalues[j]) } }
            return matmul(scaled, Q, transposeB: true)
        }
        A = spectral { $0 }
        sqrtA = spectral { $0.squareRoot() }
        inverseSqrtA = spectral { 1 / $0.squareRoot() }
        self.minimizer = minimizer
        minimumValue = offset
    }

    /// A random instance: Q the left singular vectors of a Gaussian matrix (a random orthogonal
    /// matrix), eigenvalues log-spaced from `smallest` to `largest`, w* standard normal.
    public static func random(dimension n: Int, smallest: Double, largest: Double, offset: Double = 0,
                              using rng: inout SeededGenerator) -> OrbitQuadratic {
        let G = Matrix<Double>.normal(n, n, using: &rng)
        let Q = svd(G)!.u
        let lambdas = (0..<n).map { i in
            n == 1 ? largest : smallest * pow(largest / smallest, Double(i) / Double(n - 1))
        }
        let wStar = (0..<n).map { _ in rng.normal() }
        return OrbitQuadratic(eigenvalues: lambdas, eigenvectors: Q, minimizer: wStar, offset: offset)
    }

    public var dimension: Int { eigenvalues.count }
    /// beta = lambda_max(A), the smoothness constant.
    public var beta: Double { eigenvalues.max()! }
    public var smallestEigenvalue: Double { eigenvalues.min()! }
    var topEigenvector: [Double] {
        let k = eigenvalues.firstIndex(of: beta)!
        return (0..<dimension).map { Q[$0, k] }
    }

    public func value(_ w: [Double]) -> Double {
        let d = axpy(w, -1, minimizer)
        return 0.5 * vdot(d, matVec(A, d)) + minimumValue
    }
    public func gradient(_ w: [Double]) -> [Double] { matVec(A, axpy(w, -1, minimizer)) }
    public func hessian(_ w: [Double]) -> Matrix<Double> { A }

    /// max_g ||grad f(g.w)||^2 = 2 lambda_max (f(w) - f*).
    public func maxOrbitSquaredGradientNorm(_ w: [Double]) -> Double {
        2 * beta * (value(w) - minimumValue)
    }

    public func teleport(_ w: [Double]) -> [Double] {
        let z = matVec(sqrtA, axpy(w, -1, minimizer))
        let q = topEigenvector
        let sign: Double = vdot(q, z) < 0 ? -1 : 1       // the nearer of the two maximisers
        let target = q.map { sign * vnorm(z) * $0 }
        return axpy(minimizer, 1, matVec(inverseSqrtA, target))
    }

    /// Teleport by `steps` of gradient ascent on the group itself: z <- exp(alpha S) z with S
    /// = A z z^T - z z^T A, the gradient of ||A^(1/2) R z||^2 over skew-symmetric generators
    /// of R at R = I, alpha = stepSize / (lambda_max ||z||^2). Converges to the closed-form
    /// target; shows that the critical points found by ascent are where grad is an eigenvector.
    public func teleportByAscent(_ w: [Double], steps: Int, stepSize: Double) -> [Double] {
        var z = matVec(sqrtA, axpy(w, -1, minimizer))
        let n = dimension
        for _ in 0..<steps {
            let Az = matVec(A, z)
            let S = Matrix<Double>(rows: n, cols: n) { i, j in Az[i] * z[j] - z[i] * Az[j] }
            let scale = beta * vdot(z, z)
            if S.norm() <= 1e-300 * scale || scale == 0 { break }
            z = matVec(matrixExp(S * (stepSize / scale)), z)
        }
        return axpy(minimizer, 1, matVec(inverseSqrtA, z))
    }
}

// MARK: - Booth

/// The Booth function f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2, minimum 0 at (1, 3). With
/// u = x + 2y - 7, v = 2x + y - 5 (r = (u, v) = J (w - w*), J = [[1, 2], [2, 1]]) it is
/// ||r||^2, so rotating r (SO(2)) preserves f. grad f = 2 J^T r has squared norm 4 r^T J^2 r,
/// largest when r lies on the top eigenvector (1, 1)/sqrt 2 of J (eigenvalue 3).
public struct Booth: SymmetricObjective {
    public init() {}
    public var dimension: Int { 2 }
    public var minimizer: [Double] { [1, 3] }
    public var minimumValue: Double { 0 }

    func residual(_ w: [Double]) -> [Double] { [w[0] + 2 * w[1] - 7, 2 * w[0] + w[1] - 5] }

    public func value(_ w: [Double]) -> Double { let r = residual(w); return vdot(r, r) }
    public func gradient(_ w: [Double]) -> [Double] {
        let r = residual(w)
        return [2 * (r[0] + 2 * r[1]), 2 * (2 * r[0] + r[1])]
    }
    /// 2 J^T J = [[10, 8], [8, 10]] (eigenvalues 18 and 2).
    public func hessian(_ w: [Double]) -> Matrix<Double> { Matrix([[10, 8], [8, 10]]) }

    public func teleport(_ w: [Double]) -> [Double] {
        let r = residual(w)
        let sign: Double = r[0] + r[1] < 0 ? -1 : 1
        let s = sign * vnorm(r) / 2.0.squareRoot()
        // w = w* + J^-1 r' with r' = (s, s): J^-1 (1, 1) = (1, 1) / 3.
        return [1 + s / 3, 3 + s / 3]
    }
}

// MARK: - Rosenbrock with a symmetry

/// The Rosenbrock function f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1). With
/// u1 = 1 - x, u2 = 10 (y - x^2) it is u1^2 + u2^2, so rotations of u (SO(2), acting through
/// the invertible change of variables x = 1 - u1, y = x^2 + u2 / 10) preserve f: the
/// non-quadratic problem with a symmetry of Zhao et al. (NeurIPS 2022). The teleport target
/// is found by a dense search over the angle of u refined by golden-section search.
public struct Rosenbrock: SymmetricObjective {
    public init() {}
    public var dimension: Int { 2 }
    public var minimizer: [Double] { [1, 1] }
    public var minimumValue: Double { 0 }

    public func value(_ w: [Double]) -> Double {
        let a = 1 - w[0], b = w[1] - w[0] * w[0]
        return a * a + 100 * b * b
    }
    public func gradient(_ w: [Double]) -> [Double] {
        let x = w[0], b = w[1] - x * x
        return [-2 * (1 - x) - 400 * x * b, 200 * b]
    }
    public func hessian(_ w: [Double]) -> Matrix<Double> {
        let x = w[0], y = w[1]
        return Matrix([[2 - 400 * y + 1200 * x * x, -400 * x], [-400 * x, 200]])
    }

    /// The point with u = rho (cos theta, sin theta).
    public func point(radius rho: Double, angle theta: Double) -> [Double] {
        let x = 1 - rho * cos(theta)
        return [x, x * x + rho * sin(theta) / 10]
    }

    public func teleport(_ w: [Double]) -> [Double] {
        let rho = value(w).squareRoot()
        if rho == 0 { return w }
        func score(_ t: Double) -> Double { let g = gradient(point(radius: rho, angle: t)); return vdot(g, g) }
        let grid = 2048
        var best = 0, bestScore = -Double.infinity
        for k in 0..<grid {
            let s = score(2 * .pi * Double(k) / Double(grid))
            if s > bestScore { bestScore = s; best = k }
        }
        // Golden-section search for the maximum in the bracket around the best grid angle.
        let h = 2 * .pi / Double(grid)
        var lo = Double(best - 1) * h, hi = Double(best + 1) * h
        let phi = (5.0.squareRoot() - 1) / 2
        var c = hi - phi * (hi - lo), d = lo + phi * (hi - lo)
        var fc = score(c), fd = score(d)
        for _ in 0..<80 {
            if fc > fd { hi = d; d = c; fd = fc; c = hi - phi * (hi - lo); fc = score(c) }
            else { lo = c; c = d; fc = fd; d = lo + phi * (hi - lo); fd = score(d) }
        }
        return point(radius: rho, angle: (lo + hi) / 2)
    }
}

/// A seeded starting point for a problem: Booth uniform in [-10, 10]^2; a quadratic
/// w* + N(0, I); Rosenbrock on the level set f = radius^2 at a uniform angle.
public func startingPoint(_ problem: any SymmetricObjective, radius: Double, using rng: inout SeededGenerator) -> [Double] {
    switch problem {
    case let r as Rosenbrock: return r.point(radius: radius, angle: rng.uniform(0, 2 * .pi))
    case is Booth: return [rng.uniform(-10, 10), rng.uniform(-10, 10)]
    default: return problem.minimizer.map { $0 + rng.normal() }
    }
}
