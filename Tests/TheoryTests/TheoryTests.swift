import Foundation
import Testing
import TestSupport
import Autodiff
@testable import Teleport
@testable import Theory
@testable import Model

/// Central finite-difference gradient of f at w.
private func numericGradient(_ f: ([Double]) -> Double, _ w: [Double], h: Double = 1e-6) -> [Double] {
    w.indices.map { i in
        var p = w, m = w
        p[i] += h; m[i] -= h
        return (f(p) - f(m)) / (2 * h)
    }
}

@Suite struct TheoryObjectiveTests {
    let problems: [any SymmetricObjective] = {
        var rng = SeededGenerator(seed: 1)
        return [Booth(), Rosenbrock(), OrbitQuadratic.random(dimension: 5, smallest: 0.2, largest: 4, using: &rng)]
    }()

    @Test func gradientsAndHessiansMatchFiniteDifferences() {
        var rng = SeededGenerator(seed: 2)
        for f in problems {
            let w = startingPoint(f, radius: 0.8, using: &rng)
            #expect(normRelativeError(f.gradient(w), numericGradient(f.value, w)) < 1e-6)
            let H = f.hessian(w)
            for i in 0..<f.dimension {
                let column = numericGradient({ f.gradient($0)[i] }, w)
                #expect(normRelativeError((0..<f.dimension).map { H[i, $0] }, column) < 1e-5)
            }
            #expect(abs(f.value(f.minimizer) - f.minimumValue) < 1e-12)
        }
    }

    /// The teleport stays on the level set, increases ||grad||^2, and lands where the gradient
    /// is a Hessian eigenvector (a critical point of ||grad||^2 on the orbit).
    @Test func teleportStaysOnTheLevelSetAndAlignsTheGradient() {
        var rng = SeededGenerator(seed: 3)
        for f in problems {
            for _ in 0..<5 {
                let w = startingPoint(f, radius: 0.8, using: &rng)
                let t = f.teleport(w)
                #expect(abs(f.value(t) - f.value(w)) <= 1e-9 * max(1, f.value(w)))
                #expect(vdot(f.gradient(t), f.gradient(t)) >= vdot(f.gradient(w), f.gradient(w)) * (1 - 1e-12))
                #expect(NewtonAlignment(f, at: t).eigenResidual < 1e-6)
                #expect(abs(NewtonAlignment(f, at: t).newtonCosine - 1) < 1e-9)
            }
        }
    }

    /// For a quadratic, max_g ||grad||^2 = 2 lambda_max (f - f*), and the group ascent
    /// reaches the closed-form target's gradient norm.
    @Test func quadraticClosedFormAndAscentAgree() {
        var rng = SeededGenerator(seed: 4)
        let q = OrbitQuadratic.random(dimension: 6, smallest: 0.5, largest: 3, offset: 0.7, using: &rng)
        let w = q.minimizer.map { $0 + rng.normal() }
        let t = q.teleport(w)
        #expect(abs(vdot(q.gradient(t), q.gradient(t)) - q.maxOrbitSquaredGradientNorm(w)) < 1e-9)
        let a = q.teleportByAscent(w, steps: 400, stepSize: 0.3)
        #expect(abs(q.value(a) - q.value(w)) < 1e-9)
        #expect(abs(vdot(q.gradient(a), q.gradient(a)) / q.maxOrbitSquaredGradientNorm(w) - 1) < 1e-6)
        // A gradient step with eta = 1 / lambda_max from the target is the Newton step.
        let next = axpy(t, -1 / q.beta, q.gradient(t))
        #expect(q.value(next) - q.minimumValue < 1e-20)
    }

    @Test func quadraticLinearFitRecoversCoefficients() {
        var e = [0.5]
        for _ in 0..<20 { e.append(0.7 * e.last! * e.last! + 0.2 * e.last!) }
        let fit = QuadraticLinearFit(errors: e)
        #expect(abs(fit.a - 0.7) < 1e-8 && abs(fit.b - 0.2) < 1e-8)
        let half = ErrorPairMoments(errors: Array(e[0...8])) + ErrorPairMoments(errors: Array(e[8...]))
        #expect(abs(half.fit.a - 0.7) < 1e-8 && half.pairs == fit.pairs)
    }

    @Test func boundAndStepSize() {
        #expect(abs(sgdTeleportBound(beta: 2, initialGap: 3, sigmaSquared: 0.5, steps: 101) - (12.0 + 1.0) / 10) < 1e-12)
        #expect(abs(sgdTheoremStepSize(beta: 2, steps: 101) - 0.05) < 1e-15)
    }
}

@Suite struct TwoLayerLinearTests {
    let problem: TwoLayerLinearRegression
    let w: TwoLayerLinearRegression.Weights
    init() {
        var rng = SeededGenerator(seed: 5)
        problem = .random(inputs: 4, hidden: 3, outputs: 2, samples: 12, noise: 0.3, using: &rng)
        w = problem.initialWeights(scale: 0.5, using: &rng)
    }

    func flat(_ w: TwoLayerLinearRegression.Weights) -> [Double] { w.W1.scalars + w.W2.scalars }
    func unflat(_ v: [Double]) -> TwoLayerLinearRegression.Weights {
        let n1 = w.W1.count
        return .init(W1: Matrix(rows: w.W1.rows, cols: w.W1.cols, scalars: Array(v[0..<n1])),
                     W2: Matrix(rows: w.W2.rows, cols: w.W2.cols, scalars: Array(v[n1...])))
    }

    @Test func gradientMatchesFiniteDifferences() {
        let numeric = numericGradient({ problem.loss(unflat($0)) }, flat(w))
        #expect(normRelativeError(flat(problem.gradient(w)), numeric) < 1e-6)
    }

    @Test func groupActionPreservesTheLossAndAscentDirectionIsTheGradient() {
        var rng = SeededGenerator(seed: 6)
        let T = Matrix<Double>.normal(3, 3, std: 0.1, using: &rng)
        let moved = problem.act(Matrix.identity(3) + T, on: w)!
        #expect(abs(problem.loss(moved) - problem.loss(w)) < 1e-12)
        // d/dT ||grad L((I + T).w)||^2 at T = 0 by finite differences.
        let D = problem.teleportAscentDirection(w)
        let h = 1e-6
        for (i, j) in [(0, 0), (0, 2), (2, 1)] {
            var E = Matrix<Double>.zeros(3, 3); E[i, j] = h
            let fp = problem.squaredGradientNorm(problem.act(Matrix.identity(3) + E, on: w)!)
            let fm = problem.squaredGradientNorm(problem.act(Matrix.identity(3) - E, on: w)!)
            #expect(abs((fp - fm) / (2 * h) - D[i, j]) < 1e-5 * max(1, abs(D[i, j])))
        }
    }

    @Test func boundedTeleportIncreasesTheGradientNormInsideTheBall() {
        let radius = 1.5 * w.squaredNorm.squareRoot()
        let t = problem.teleport(w, steps: 10, stepSize: 0.05, maxStep: 0.1, radius: radius)
        #expect(abs(problem.loss(t) - problem.loss(w)) < 1e-10)
        #expect(problem.squaredGradientNorm(t) > problem.squaredGradientNorm(w))
        #expect(t.squaredNorm <= radius * radius * (1 + 1e-12))
    }

    /// Power iteration with autodiff Hessian-vector products against the finite-difference
    /// Hessian's largest |eigenvalue| (found by power iteration on the explicit matrix).
    @Test func hessianTopEigenvalueMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 7)
        let lambda = problem.hessianTopEigenvalue(w, iterations: 300, using: &rng)
        let x = flat(w), n = x.count
        let H = Matrix<Double>(rows: n, cols: n) { i, j in
            numericGradient({ flat(problem.gradient(unflat($0)))[i] }, x)[j]
        }
        var v = [Double](repeating: 1, count: n)
        var explicit = 0.0
        for _ in 0..<2000 { let Hv = matVec(H, v); explicit = vnorm(Hv); v = Hv.map { $0 / explicit } }
        #expect(abs(lambda - explicit) < 1e-4 * explicit)
    }

    @Test func optimalValueIsTheLeastSquaresResidual() {
        // L* is below the loss of any weights and reached by the balanced factorisation of B*.
        #expect(problem.optimalValue < problem.loss(w))
        let B = matmul(problem.Y, pinv(problem.X))
        let (u, s, vt) = svd(B)!
        var W2 = Matrix<Double>.zeros(2, 3), W1 = Matrix<Double>.zeros(3, 4)
        for k in 0..<2 {
            for i in 0..<2 { W2[i, k] = u[i, k] * s[k].squareRoot() }
            for j in 0..<4 { W1[k, j] = vt[k, j] * s[k].squareRoot() }
        }
        #expect(abs(problem.loss(.init(W1: W1, W2: W2)) - problem.optimalValue) < 1e-12)
    }
}
