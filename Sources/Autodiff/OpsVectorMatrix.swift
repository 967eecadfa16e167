// An optimisation beside `matmul`: the product of one row with a matrix (a recurrent cell's
// step at batch 1) through BLAS gemv.

/// x op(w) for one row x (1 x k), op the transpose when asked: `matmul(x, w, transposeB:)`
/// through gemv, which reads w once where gemm packs all of it for a single row.
///
/// Backward, for y = x W: dx = g Wᵀ (again a `vecmat`), dW = xᵀ g; for y = x Wᵀ: dx = g W,
/// dW = gᵀ x. The node is marked as a product, so the sweep stacks the weight gradients of a
/// weight used at many steps into one gemm (`SharedProductGradients`), as for `matmul`.
@inlinable
public func vecmat<Scalar>(_ x: Variable<Scalar>, _ w: Variable<Scalar>, transposeW: Bool = false) -> Variable<Scalar> {
    Variable(vecmat(x.value, w.value, transposeW: transposeW),
             inputs: [x, w], product: (false, transposeW)) { g, v, _, needs in
        let x = v[0], w = v[1]
        var dx: Variable<Scalar>? = nil, dw: Variable<Scalar>? = nil
        if needs[0] { dx = vecmat(g, w, transposeW: !transposeW) }
        if needs[1] { dw = transposeW ? matmul(g, x, transposeA: true) : matmul(x, g, transposeA: true) }
        return [dx, dw]
    }
}
