import Autodiff
import Foundation
import Testing

// Float32 accuracy of the pinv gradient against Float64 on matrices of chosen condition.

/// An m x n matrix U diag(s) V^T with random orthonormal U, V (from the SVD of Gaussian
/// matrices) and singular values spaced geometrically from 1 down to 1 / condition, rounded to
/// Float so that both precisions see the same matrix.
func conditionedMatrix(_ m: Int, _ n: Int, condition: Double, seed: UInt64) -> Matrix<Double> {
    var g = SeededGenerator(seed: seed)
    let r = min(m, n)
    var us = svd(Matrix<Double>.normal(m, r, using: &g))!.u
    let v = svd(Matrix<Double>.normal(n, r, using: &g))!.u
    for j in 0..<r {
        let sigma = r == 1 ? 1 : pow(condition, -Double(j) / Double(r - 1))
        for i in 0..<m { us[i, j] *= sigma }
    }
    return Matrix(Matrix<Float>(matmul(us, v, transposeB: true)))
}

/// d/dA sum(pinv(A) * P) computed in precision S.
func pinvProbeGradient<S: BLASScalar>(_ a: Matrix<Double>, _ p: Matrix<Double>, as: S.Type) -> [Double] {
    let x = Variable(Matrix<S>(a), requiresGrad: true)
    return grad(of: (pinv(x) * Variable(Matrix<S>(p))).sum(), wrt: [x])[0].value.doubles
}

/// max |a - b| / max |b|.
func maxScaledError(_ a: [Double], _ b: [Double]) -> Double {
    let scale = b.reduce(0) { max($0, abs($1)) }
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } / scale
}

@Suite struct PinvFloat32Accuracy {
    /// Tall, wide and square, conditions 1 to 1000. The bound does not grow with the condition:
    /// A^+ is formed in Double (so correctly rounded) and the backward takes its projections
    /// from orthonormal factors. (With A A^+ and A^+ A formed from A and A^+ in Float32, and a
    /// single-precision SVD, the error grew like eps * cond(A): 2e-5 at condition 100.) Far
    /// beyond 1000, near 1 / (max(m, n) eps(Float)), Float32's cutoff drops singular values that
    /// Float64 keeps, and the two gradients are of different ranks.
    @Test(arguments: [(6, 4), (20, 5), (4, 6), (5, 20), (5, 5)])
    func gradientMatchesFloat64(rows: Int, cols: Int) {
        for condition in [1, 2.4, 10, 100, 1000] {
            for seed in UInt64(0)..<20 {
                let a = conditionedMatrix(rows, cols, condition: condition, seed: seed)
                var g = SeededGenerator(seed: 1000 + seed)
                let probe = Matrix<Double>(Matrix<Float>.normal(cols, rows, using: &g))
                let error = maxScaledError(pinvProbeGradient(a, probe, as: Float.self),
                                           pinvProbeGradient(a, probe, as: Double.self))
                #expect(error < 1e-5, "\(rows)x\(cols), condition \(condition), seed \(seed): \(error)")
            }
        }
    }
}
