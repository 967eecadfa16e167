import Foundation
import Tensor
import Testing

@Suite struct PinvFloat32Value {
    /// Float32 pinv within two ulps (scaled) of the Float64 one on the same matrix, whatever
    /// its condition below the cutoff: formed in Double, it is correctly rounded. (From the
    /// single-precision SVD it was off by 5e-7 at condition 1 and 1e-5 at condition 100.)
    @Test(arguments: [(6, 4), (4, 6), (5, 5), (16, 200)])
    func correctlyRounded(rows: Int, cols: Int) {
        for condition in [1.0, 10, 100, 1000] {
            var g = SeededGenerator(seed: UInt64(rows * 100 + cols))
            let r = min(rows, cols)
            var u = svd(Matrix<Double>.normal(rows, r, using: &g))!.u
            let v = svd(Matrix<Double>.normal(cols, r, using: &g))!.u
            for j in 0..<r {
                for i in 0..<rows { u[i, j] *= pow(condition, -Double(j) / Double(r - 1)) }
            }
            let a = Matrix<Float>(matmul(u, v, transposeB: true))
            let p64 = pinv(Matrix<Double>(a)).scalars, p32 = pinv(a).doubles
            let scale = p64.reduce(0) { max($0, abs($1)) }
            let error = zip(p32, p64).reduce(0) { max($0, abs($1.0 - $1.1)) } / scale
            #expect(error < 2 * Double(Float.ulpOfOne), "\(rows)x\(cols), condition \(condition): \(error)")
        }
    }
}

/// The pseudo-inverse's fast path (Cholesky QR, `choleskyPseudoInverse`) against the SVD's
/// V diag(1/s) U^T on the same wide matrices: taken up to condition 100 (and at 1000 for all
/// but the widest), within 1e-9 (relative, Double) wherever taken; never taken where the SVD's
/// cutoff could drop a singular value.
@Suite struct PinvCholeskyPath {
    /// A rows x cols matrix with singular values from 1 down to 1/condition.
    static func conditioned(_ rows: Int, _ cols: Int, _ condition: Double, seed: UInt64) -> Matrix<Double> {
        var g = SeededGenerator(seed: seed)
        let r = min(rows, cols)
        var u = svd(Matrix<Double>.normal(rows, r, using: &g))!.u
        let v = svd(Matrix<Double>.normal(cols, r, using: &g))!.u
        for j in 0..<r {
            for i in 0..<rows { u[i, j] *= pow(condition, -Double(j) / Double(max(r - 1, 1))) }
        }
        return matmul(u, v, transposeB: true)
    }

    /// V diag(1/s) U^T from the SVD, every singular value kept.
    static func svdPinv(_ a: Matrix<Double>) -> Matrix<Double> {
        let (u, s, vt) = svd(a)!
        var scaled = vt
        for i in 0..<s.count { for j in 0..<vt.cols { scaled[i, j] /= s[i] } }
        return matmul(scaled, u, transposeA: true, transposeB: true)
    }

    @Test(arguments: [(16, 200), (10, 200), (128, 200), (32, 200), (20, 20), (1, 5)])
    func agreesWithTheSVD(rows: Int, cols: Int) throws {
        for condition in [1.0, 100, 1000] {
            let a = Self.conditioned(rows, cols, condition, seed: UInt64(rows * 1000 + cols))
            let taken = choleskyPseudoInverse(a, rtol: Double(cols) * Double(Float.ulpOfOne))
            // 128 x 200 at condition 1000 is past the bound for Float's cutoff there (10 m rtol^2).
            if condition == 1000 && rows == 128 { #expect(taken == nil); continue }
            let fast = try #require(taken, "\(rows)x\(cols) at condition \(condition) should take the fast path")
            let reference = Self.svdPinv(a)
            let scale = reference.scalars.reduce(0) { max($0, abs($1)) }
            #expect(maxDifference(fast.pinv, reference) / scale < 1e-9, "\(rows)x\(cols), condition \(condition)")
            // Q: orthonormal rows spanning A's row space (the backward's projector Q^T Q).
            #expect(maxDifference(matmul(fast.q, fast.q, transposeB: true), .identity(rows)) < 1e-9)
            #expect(maxDifference(matmul(matmul(a, fast.q, transposeB: true), fast.q), a) < 1e-9)
            // pseudoInverse takes it, in either precision.
            #expect(maxDifference(pseudoInverse(a).pinv, fast.pinv) == 0)
        }
    }

    @Test func illConditionedOrRankDeficientMatricesGoToTheSVD() {
        let rtol = 200 * Double(Float.ulpOfOne)
        #expect(choleskyPseudoInverse(Self.conditioned(16, 200, 1e5, seed: 3), rtol: rtol) == nil)
        // Rank 15 of 16: a repeated row.
        var deficient = Self.conditioned(16, 200, 10, seed: 4)
        for j in 0..<200 { deficient[15, j] = deficient[0, j] }
        #expect(choleskyPseudoInverse(deficient, rtol: rtol) == nil)
        #expect(pseudoInverse(deficient).rank == 15)
        // Tall matrices and non-finite entries are the SVD's.
        #expect(choleskyPseudoInverse(Self.conditioned(200, 16, 1, seed: 5), rtol: rtol) == nil)
        #expect(choleskyPseudoInverse(Matrix<Double>([[1, .nan]]), rtol: rtol) == nil)
    }
}
