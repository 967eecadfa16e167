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
/// with `matmul` on the output A^+, so it is itself differentiable.
@inlinable
public func pinv<Scalar>(_ a: Variable<Scalar>) -> Variable<Scalar> {
    Variable(pinv(a.value), inputs: [a]) { g, x, p, _ in
        // g = dL/dA^+ (n x m), A: m x n, p = A^+: n x m.
        let a = x[0]
        if a.rows <= a.cols {
            let k = matmul(g, p, transposeA: true)                          // G^T A^+      (m x m)
            let kph = matmul(k, p, transposeB: true)                        // K A^+^T      (m x n)
            let term1 = -matmul(k, p, transposeA: true, transposeB: true)  // -(A^+ K)^T
            let term3 = matmul(matmul(a, p), kph)                           // (A A^+) K A^+^T
            let term4 = matmul(matmul(p, p, transposeA: true), g.transposed() - matmul(k, a))
            return [term1 + kph - term3 + term4]
        } else {
            let k = matmul(p, g, transposeB: true)                          // A^+ G^T      (n x n)
            let phk = matmul(p, k, transposeA: true)                        // A^+^T K      (m x n)
            let term1 = -matmul(p, k, transposeA: true, transposeB: true)  // -(K A^+)^T
            let term2 = matmul(g.transposed() - matmul(a, k), matmul(p, p, transposeB: true))
            let term4 = matmul(phk, matmul(p, a))                           // A^+^T K A^+ A
            return [term1 + term2 + phk - term4]
        }
    }
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
