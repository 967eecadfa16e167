// Matrix product, pseudo-inverse and matrix exponential. Their backward rules are built from
// differentiable operations (including matmul, pinv's own output and matrixExp itself), so
// they can be differentiated again.

/// The matrix product op(a) op(b), with op the transpose when asked.
///
/// Backward, for C = A B: dA = G B^T, dB = A^T G; the transposed variants follow by
/// transposing, and each is again one gemm with transpose flags (no explicit transposes).
@inlinable
public func matmul<Scalar>(_ a: Variable<Scalar>, _ b: Variable<Scalar>,
                           transposeA: Bool = false, transposeB: Bool = false) -> Variable<Scalar> {
    Variable(matmul(a.value, b.value, transposeA: transposeA, transposeB: transposeB),
             inputs: [a, b], product: (transposeA, transposeB)) { g, x, _, needs in
        let a = x[0], b = x[1]
        var da: Variable<Scalar>? = nil, db: Variable<Scalar>? = nil
        switch (transposeA, transposeB) {
        case (false, false):   // C = A B
            if needs[0] { da = matmul(g, b, transposeB: true) }
            if needs[1] { db = matmul(a, g, transposeA: true) }
        case (true, false):    // C = A^T B
            if needs[0] { da = matmul(b, g, transposeB: true) }
            if needs[1] { db = matmul(a, g) }
        case (false, true):    // C = A B^T
            if needs[0] { da = matmul(g, b) }
            if needs[1] { db = matmul(g, a, transposeA: true) }
        case (true, true):     // C = A^T B^T
            if needs[0] { da = matmul(b, g, transposeA: true, transposeB: true) }
            if needs[1] { db = matmul(g, a, transposeA: true, transposeB: true) }
        }
        return [da, db]
    }
}

/// The Moore-Penrose pseudo-inverse with `torch.linalg.pinv`'s default cutoff (see Tensor's
/// `pinv`).
///
/// Backward: PyTorch's `pinv_backward` (the derivative of A^+ in terms of A^+ itself, valid
/// where the rank is locally constant), with its two forms for wide and tall A; it is written
/// with `matmul` on the output A^+, so it is itself differentiable. Two changes for accuracy:
/// - the projections A A^+ Y and Y A^+ A take their values from the orthonormal factors,
///   U_k (U_k^T Y) and (Y V_k) V_k^T: formed from A and A^+ they lose eps * cond(A) to
///   cancellation, which the gradient, of size |G| / sigma_min^2, would carry;
/// - the terms on I - A A^+ (at full row rank) and I - A^+ A (at full column rank) are left
///   out: they vanish there with all their derivatives, and would add only rounding noise.
@inlinable
public func pinv<Scalar>(_ a: Variable<Scalar>) -> Variable<Scalar> {
    let f = pseudoInverse(a.value)
    let fullRowRank = f.rank == a.rows, fullColumnRank = f.rank == a.cols
    return Variable(f.pinv, inputs: [a]) { g, x, p, _ in
        // g = dL/dA^+ (n x m), A: m x n, p = A^+: n x m.
        let a = x[0], gt = g.transposed()
        if a.rows <= a.cols {
            let k = matmul(g, p, transposeA: true)                          // G^T A^+      (m x m)
            var d = -matmul(k, p, transposeA: true, transposeB: true)      // -(A^+ K)^T
            if !fullRowRank {                                               // (I - A A^+) K A^+^T
                let kph = matmul(k, p, transposeB: true)
                let projected = revalued(matmul(matmul(a, p), kph),
                                         matmul(f.u, matmul(f.u, kph.value, transposeA: true)))
                d = d + kph - projected
            }
            if !fullColumnRank {                                            // A^+^T A^+ G^T (I - A^+ A)
                let ka = revalued(matmul(k, a), matmul(matmul(gt.value, f.vt, transposeB: true), f.vt))
                d = d + matmul(matmul(p, p, transposeA: true), gt - ka)
            }
            return [d]
        } else {
            let k = matmul(p, g, transposeB: true)                          // A^+ G^T      (n x n)
            var d = -matmul(p, k, transposeA: true, transposeB: true)      // -(K A^+)^T
            // (I - A A^+) G^T A^+ A^+^T; the rank is at most n < m, so it never vanishes.
            let ak = revalued(matmul(a, k), matmul(f.u, matmul(f.u, gt.value, transposeA: true)))
            d = d + matmul(gt - ak, matmul(p, p, transposeB: true))
            if !fullColumnRank {                                            // A^+^T K (I - A^+ A)
                let phk = matmul(p, k, transposeA: true)
                let projected = revalued(matmul(phk, matmul(p, a)),
                                         matmul(matmul(phk.value, f.vt, transposeB: true), f.vt))
                d = d + phk - projected
            }
            return [d]
        }
    }
}

/// `x` with the value `value`, a more accurate evaluation of the same quantity (the two differ
/// by rounding only); the derivatives are those of `x`.
@inlinable
func revalued<Scalar>(_ x: Variable<Scalar>, _ value: Matrix<Scalar>) -> Variable<Scalar> {
    Variable(value, inputs: [x]) { g, _, _, _ in [g] }
}

/// The matrix exponential exp(A) (Pade 13 with scaling and squaring, see Tensor's
/// `matrixExp`).
///
/// Backward: the gradient of <G, exp(A)> is the Frechet derivative of exp at A^T in the
/// direction G, the upper-right block of exp([[A^T, G], [0, A^T]]) (as PyTorch). That block
/// matrix is built from differentiable operations and exponentiated with this same function,
/// so derivatives of every order follow.
@inlinable
public func matrixExp<Scalar>(_ a: Variable<Scalar>) -> Variable<Scalar> {
    Variable(matrixExp(a.value), inputs: [a]) { g, x, _, _ in
        let n = x[0].rows
        let at = x[0].transposed()
        let block = vconcat([hconcat([at, g]), hconcat([Variable.zeros(n, n), at])])
        return [matrixExp(block).slice(rows: 0..<n, cols: n..<(2 * n))]
    }
}
