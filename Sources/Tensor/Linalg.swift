import Foundation

// Linear algebra on BLAS/LAPACK: matrix products, SVD, the pseudo-inverse (as PyTorch's
// torch.linalg.pinv), linear solves and the matrix exponential (as torch.linalg.matrix_exp).

// MARK: - Products

/// `c = alpha * op(a) op(b) + beta * c`, where op transposes when asked (BLAS gemm).
@inlinable
public func gemm<Scalar>(_ a: Matrix<Scalar>, _ b: Matrix<Scalar>, into c: inout Matrix<Scalar>,
                         transposeA: Bool = false, transposeB: Bool = false,
                         alpha: Scalar = 1, beta: Scalar = 0) {
    let m = transposeA ? a.cols : a.rows, k = transposeA ? a.rows : a.cols
    let kb = transposeB ? b.cols : b.rows, n = transposeB ? b.rows : b.cols
    ensure(k == kb, "matmul: inner dimensions \(k) and \(kb) differ")
    ensure(c.rows == m && c.cols == n, "gemm: output is \(c.rows)x\(c.cols), need \(m)x\(n)")
    if m == 0 || n == 0 { return }
    if k == 0 { c *= beta; return }
    a.scalars.withUnsafeBufferPointer { pa in
        b.scalars.withUnsafeBufferPointer { pb in
            c.scalars.withUnsafeMutableBufferPointer { pc in
                Scalar.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                            alpha: alpha, a: pa.baseAddress!, lda: Swift.max(a.cols, 1),
                            b: pb.baseAddress!, ldb: Swift.max(b.cols, 1),
                            beta: beta, c: pc.baseAddress!, ldc: n)
            }
        }
    }
}

/// The matrix product op(a) op(b), with op the transpose when asked (BLAS gemm).
@inlinable
public func matmul<Scalar>(_ a: Matrix<Scalar>, _ b: Matrix<Scalar>,
                           transposeA: Bool = false, transposeB: Bool = false) -> Matrix<Scalar> {
    let m = transposeA ? a.cols : a.rows, n = transposeB ? b.rows : b.cols
    let k = transposeA ? a.rows : a.cols
    if m == 0 || n == 0 || k == 0 {
        ensure(k == (transposeB ? b.cols : b.rows), "matmul: inner dimensions differ")
        return Matrix.zeros(m, n)
    }
    // With beta = 0 gemm overwrites c without reading it: no need to zero it first.
    var c = Matrix<Scalar>(rows: m, cols: n, unsafeUninitialized: { _ in })
    gemm(a, b, into: &c, transposeA: transposeA, transposeB: transposeB)
    return c
}

/// The Gram matrix a^T a (cols x cols, symmetric) through syrk: its lower triangle computed,
/// the upper one mirrored from it.
@inlinable
public func gramMatrix<Scalar>(_ a: Matrix<Scalar>) -> Matrix<Scalar> {
    let n = a.cols
    var c = Matrix<Scalar>.zeros(n, n)
    if n == 0 || a.rows == 0 { return c }
    a.scalars.withUnsafeBufferPointer { pa in
        c.scalars.withUnsafeMutableBufferPointer { pc in
            Scalar.syrkLower(n: n, k: a.rows, a: pa.baseAddress!, lda: n, c: pc.baseAddress!, ldc: n)
            for i in 0..<n { for j in (i + 1)..<n { pc[i * n + j] = pc[j * n + i] } }
        }
    }
    return c
}

/// The product x op(w) of one row x (1 x k) with a matrix, op the transpose when asked: the
/// same product as `matmul(x, w, transposeB:)` through BLAS gemv, which reads w once instead of
/// packing it (gemm's cost for a single row). Its sums run in gemv's order, so it agrees with
/// `matmul` to rounding, not bit for bit.
@inlinable
public func vecmat<Scalar>(_ x: Matrix<Scalar>, _ w: Matrix<Scalar>, transposeW: Bool = false) -> Matrix<Scalar> {
    ensure(x.rows == 1, "vecmat: x must be one row, got \(x.rows)x\(x.cols)")
    let k = transposeW ? w.cols : w.rows, n = transposeW ? w.rows : w.cols
    ensure(x.cols == k, "vecmat: inner dimensions \(x.cols) and \(k) differ")
    if n == 0 || k == 0 { return Matrix.zeros(1, n) }
    var y = Matrix<Scalar>(rows: 1, cols: n, unsafeUninitialized: { _ in })
    x.scalars.withUnsafeBufferPointer { px in
        w.scalars.withUnsafeBufferPointer { pw in
            y.scalars.withUnsafeMutableBufferPointer { py in
                // x op(w) = (op(w)^T x^T)^T: w itself for op = transpose, w^T otherwise.
                Scalar.gemv(transpose: !transposeW, m: w.rows, n: w.cols, alpha: 1, a: pw.baseAddress!,
                            lda: Swift.max(w.cols, 1), x: px.baseAddress!, beta: 0, y: py.baseAddress!)
            }
        }
    }
    return y
}

extension Matrix {
    /// Sum of the diagonal.
    @inlinable
    public func trace() -> Scalar {
        var s: Scalar = 0
        for i in 0..<Swift.min(rows, cols) { s += self[i, i] }
        return s
    }

    /// Largest absolute column sum (the matrix 1-norm).
    @inlinable
    public func norm1() -> Scalar {
        var best: Scalar = 0
        for j in 0..<cols {
            var s: Scalar = 0
            for i in 0..<rows { s += Swift.abs(self[i, j]) }
            best = Swift.max(best, s)
        }
        return best
    }
}

// MARK: - Decompositions and solves

/// Thin singular value decomposition `a = u diag(s) vt` (LAPACK gesdd): u is m x r, s has r
/// entries in descending order, vt is r x n, r = min(m, n). Nil when LAPACK fails (for example
/// on non-finite input).
@inlinable
public func svd<Scalar>(_ a: Matrix<Scalar>) -> (u: Matrix<Scalar>, s: [Scalar], vt: Matrix<Scalar>)? {
    let m = a.rows, n = a.cols, r = Swift.min(m, n)
    if r == 0 { return (Matrix.zeros(m, 0), [], Matrix.zeros(0, n)) }
    guard a.isFinite else { return nil }
    // The row-major buffer of A is the column-major buffer of B = A^T (n x m). LAPACK's
    // B = U_B S Vt_B gives A = Vt_B^T S U_B^T, and the column-major buffers of Vt_B (r x m) and
    // U_B (n x r) are exactly the row-major buffers of U_A (m x r) and Vt_A (r x n).
    var work = a.scalars
    var s = [Scalar](repeating: 0, count: r)
    var u = Matrix<Scalar>.zeros(m, r), vt = Matrix<Scalar>.zeros(r, n)
    let info = Scalar.gesdd(m: n, n: m, a: &work, s: &s, u: &vt.scalars, vt: &u.scalars)
    return info == 0 ? (u, s, vt) : nil
}

/// The Moore-Penrose pseudo-inverse (n x m) of an m x n matrix, from its SVD, with
/// `torch.linalg.pinv`'s cutoff: singular values at or below max(atol, rtol * sigma_max) are
/// treated as zero, where rtol defaults to max(m, n) * eps(Scalar) when atol is 0 and to 0
/// otherwise. Returns a matrix of NaNs when the SVD fails (non-finite input).
@inlinable
public func pinv<Scalar>(_ a: Matrix<Scalar>, rtol: Scalar? = nil, atol: Scalar = 0) -> Matrix<Scalar> {
    pseudoInverse(a, rtol: rtol, atol: atol).pinv
}

/// A^+ = V_k diag(1/s_k) U_k^T with the orthonormal factors it is made of: `u` (m x k) spans
/// the range of A and `vt` (k x n) its row space, k the rank kept by the cutoff.
public struct PseudoInverse<Scalar: BLASScalar> {
    public let pinv: Matrix<Scalar>
    public let u: Matrix<Scalar>
    public let vt: Matrix<Scalar>
    /// The number of singular values above the cutoff.
    @inlinable public var rank: Int { u.cols }

    @inlinable
    public init(pinv: Matrix<Scalar>, u: Matrix<Scalar>, vt: Matrix<Scalar>) {
        self.pinv = pinv; self.u = u; self.vt = vt
    }
}

/// `pinv` with its factors (the cutoff as in `pinv`; rank 0 and NaNs when the SVD fails).
///
/// Computed in Double whatever the Scalar (as `matrixExp`): LAPACK's single-precision SVD is
/// accurate to about ten ulps (5e-7 relative), which the derivative of pinv amplifies, whereas
/// Float results formed in Double are correctly rounded up to the conditioning of A.
///
/// A wide A (m <= n) that is well conditioned, as the teleports' hidden activations are, takes
/// a faster path than the SVD (`choleskyPseudoInverse`); the SVD decides every other case.
@inlinable
public func pseudoInverse<Scalar>(_ a: Matrix<Scalar>, rtol: Scalar? = nil,
                                  atol: Scalar = 0) -> PseudoInverse<Scalar> {
    let m = a.rows, n = a.cols
    if rtol == nil && atol == 0, m <= n, m > 0,
       let fast = choleskyPseudoInverse(Matrix<Double>(a), rtol: Double(n) * Double(Scalar.ulpOfOne)) {
        return PseudoInverse(pinv: Matrix(fast.pinv), u: Matrix.identity(m), vt: Matrix(fast.q))
    }
    guard let (u, s, vt) = svd(Matrix<Double>(a)) else {
        return PseudoInverse(pinv: Matrix(rows: n, cols: m, repeating: .nan),
                             u: Matrix.zeros(m, 0), vt: Matrix.zeros(0, n))
    }
    let eps = Double(Scalar.ulpOfOne)
    let relative = rtol.map { Double($0) } ?? (atol > 0 ? 0 : Double(Swift.max(m, n)) * eps)
    let cutoff = Swift.max(Double(atol), relative * (s.first ?? 0))
    let kept = s.prefix { $0 > cutoff }.count          // s is sorted in descending order
    let uk = kept == u.cols ? u : u.slice(cols: 0..<kept)
    let vtk = kept == vt.rows ? vt : vt.slice(rows: 0..<kept)
    if kept == 0 { return PseudoInverse(pinv: Matrix.zeros(n, m), u: Matrix(uk), vt: Matrix(vtk)) }
    // pinv = V_k diag(1/s_k) U_k^T, formed as (diag(1/s_k) Vt_k)^T (U_k)^T.
    var scaledVt = vtk
    for i in 0..<kept {
        let inv = 1 / s[i]
        for j in 0..<n { scaledVt.scalars[i * n + j] *= inv }
    }
    return PseudoInverse(pinv: Matrix(matmul(scaledVt, uk, transposeA: true, transposeB: true)),
                         u: Matrix(uk), vt: Matrix(vtk))
}

/// The pseudo-inverse of a wide A (m x n, m <= n) of full row rank by Cholesky QR, in Double:
/// A A^T = L L^T, Q = L^-1 A (orthonormal rows spanning A's row space), A^+ = A^T (A A^T)^-1 =
/// Q^T L^-1. Three BLAS-3 calls instead of an SVD. Its error grows with cond(A)^2 (the SVD's
/// with cond(A)), so it is taken only when pocon's estimate of 1/cond(A A^T) is at least
/// max(1e-7, 10 m rtol^2): the error then stays below about 1e-9 relative, under Float's
/// rounding, and every singular value lies far above the `rtol` cutoff (the rank is m, as the
/// SVD would decide). Nil otherwise, and the SVD decides.
@inlinable
public func choleskyPseudoInverse(_ a: Matrix<Double>, rtol: Double) -> (pinv: Matrix<Double>, q: Matrix<Double>)? {
    let m = a.rows, n = a.cols
    guard m <= n, m > 0, a.isFinite else { return nil }
    var g = Matrix<Double>.zeros(m, m), q = a
    let rcond = g.scalars.withUnsafeMutableBufferPointer { pg in
        q.scalars.withUnsafeMutableBufferPointer { pq in
            choleskyQR(m: m, n: n, g: pg.baseAddress!, q: pq.baseAddress!)
        }
    }
    guard let rcond, rcond >= Swift.max(1e-7, 10 * Double(m) * rtol * rtol) else { return nil }
    var pinv = q.transposed()
    g.scalars.withUnsafeBufferPointer { pl in
        pinv.scalars.withUnsafeMutableBufferPointer { px in
            solveLowerFromRight(r: n, m: m, l: pl.baseAddress!, x: px.baseAddress!)
        }
    }
    return (pinv, q)
}

/// Solves `a x = b` for square a (LU with partial pivoting, LAPACK gesv); nil when a is
/// singular.
@inlinable
public func solve<Scalar>(_ a: Matrix<Scalar>, _ b: Matrix<Scalar>) -> Matrix<Scalar>? {
    ensure(a.rows == a.cols && b.rows == a.rows, "solve: a is \(a.rows)x\(a.cols), b is \(b.rows)x\(b.cols)")
    if a.rows == 0 || b.cols == 0 { return b }
    var lu = a.scalars, x = b
    let info = Scalar.gesv(n: a.rows, nrhs: b.cols, a: &lu, b: &x.scalars)
    return info == 0 ? x : nil
}

/// The Cholesky factorization of a symmetric positive definite matrix a (LAPACK potrf) with
/// the estimate of its reciprocal condition number (1-norm, LAPACK pocon): factor once, solve
/// for many right-hand sides.
public struct CholeskyFactor<Scalar: BLASScalar>: Sendable {
    /// The order n of a.
    public let order: Int
    /// a's reciprocal condition number in the 1-norm (LAPACK's estimate).
    public let reciprocalCondition: Scalar
    /// The lower Cholesky factor, column-major (n x n).
    @usableFromInline let factor: [Scalar]

    /// Factors a (n x n, symmetric); nil when a is not positive definite.
    @inlinable
    public init?(_ a: Matrix<Scalar>) {
        ensure(a.rows == a.cols, "CholeskyFactor: a is \(a.rows)x\(a.cols)")
        var factor = a.scalars      // symmetric: its row-major buffer is its column-major one
        let (info, rcond) = Scalar.potrf(n: a.rows, a: &factor, norm: a.norm1())
        guard info == 0 else { return nil }
        order = a.rows; reciprocalCondition = rcond; self.factor = factor
    }

    /// x = b a^-1 for b (r x n): the solution of `x a = b`; nil when LAPACK rejects b (LAPACKE
    /// refuses a b with NaN entries).
    @inlinable
    public func solve(_ b: Matrix<Scalar>) -> Matrix<Scalar>? {
        ensure(b.cols == order, "CholeskyFactor.solve: b is \(b.rows)x\(b.cols), a is \(order)x\(order)")
        if order == 0 || b.rows == 0 { return b }
        // b's row-major buffer is the column-major buffer of b^T (n x r).
        var x = b
        let info = factor.withUnsafeBufferPointer { Scalar.potrs(n: order, nrhs: b.rows, factor: $0.baseAddress!, b: &x.scalars) }
        return info == 0 ? x : nil
    }
}

/// Solves `x a = b` for symmetric positive definite a (n x n) and b (r x n), that is x = b a^-1
/// (`CholeskyFactor`); nil when a is not positive definite or its reciprocal condition number
/// (1-norm estimate, LAPACK pocon) is below `minReciprocalCondition`.
@inlinable
public func solvePositiveDefinite<Scalar>(_ b: Matrix<Scalar>, over a: Matrix<Scalar>,
                                          minReciprocalCondition: Scalar = 0) -> Matrix<Scalar>? {
    ensure(a.rows == a.cols && b.cols == a.rows, "solvePositiveDefinite: a is \(a.rows)x\(a.cols), b is \(b.rows)x\(b.cols)")
    if a.rows == 0 || b.rows == 0 { return b }
    guard let factor = CholeskyFactor(a), factor.reciprocalCondition >= minReciprocalCondition else { return nil }
    return factor.solve(b)
}

/// The inverse of a square matrix; nil when singular.
@inlinable
public func inverse<Scalar>(_ a: Matrix<Scalar>) -> Matrix<Scalar>? {
    solve(a, Matrix.identity(a.rows))
}

// MARK: - Matrix exponential

/// The matrix exponential exp(A) of a square matrix by scaling and squaring with Pade
/// approximants of degree 3, 5, 7, 9 or 13 (Higham 2005, "The scaling and squaring method for
/// the matrix exponential revisited", as scipy.linalg.expm). Computed in Double whatever the
/// Scalar, so Float results are correctly rounded up to the conditioning of the problem.
@inlinable
public func matrixExp<Scalar>(_ a: Matrix<Scalar>) -> Matrix<Scalar> {
    ensure(a.rows == a.cols, "matrixExp of a non-square \(a.rows)x\(a.cols) matrix")
    return Matrix<Scalar>(matrixExpDouble(Matrix<Double>(a)))
}

/// `matrixExp` in Double.
@usableFromInline
func matrixExpDouble(_ x: Matrix<Double>) -> Matrix<Double> {
    if x.rows == 0 { return x }
    let norm = x.norm1()
    guard norm.isFinite else { return Matrix(rows: x.rows, cols: x.cols, repeating: .nan) }
    for (degree, theta) in Pade.thetas where norm <= theta {
        return Pade.approximant(x, degree: degree)
    }
    let squarings = Swift.max(0, Int(Foundation.ceil(Foundation.log2(norm / Pade.theta13))))
    var r = Pade.approximant(x * Foundation.pow(2.0, Double(-squarings)), degree: 13)
    for _ in 0..<squarings { r = matmul(r, r) }
    return r
}

/// Pade approximants r_m(A) = q_m(A)^-1 p_m(A) of exp(A) with Higham's coefficients.
enum Pade {
    /// Largest 1-norm for which degree m reaches double precision without scaling.
    static let thetas: [(Int, Double)] = [(3, 1.495585217958292e-2), (5, 2.539398330063230e-1),
                                          (7, 9.504178996162932e-1), (9, 2.097847961257068e0)]
    static let theta13 = 5.371920351148152

    static let b: [Int: [Double]] = [
        3: [120, 60, 12, 1],
        5: [30240, 15120, 3360, 420, 30, 1],
        7: [17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1],
        9: [17643225600, 8821612800, 2075673600, 302702400, 30270240, 2162160, 110880, 3960, 90, 1],
        13: [64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800,
             129060195264000, 10559470521600, 670442572800, 33522128640, 1323241920, 40840800,
             960960, 16380, 182, 1],
    ]

    /// p(A) = V + U and q(A) = V - U with U the odd and V the even part; returns q^-1 p.
    static func approximant(_ a: Matrix<Double>, degree: Int) -> Matrix<Double> {
        let c = b[degree]!
        let n = a.rows
        let id = Matrix<Double>.identity(n)
        let a2 = matmul(a, a)
        var u: Matrix<Double>, v: Matrix<Double>
        if degree == 13 {
            let a4 = matmul(a2, a2), a6 = matmul(a4, a2)
            let uInner = matmul(a6, c[13] * a6 + c[11] * a4 + c[9] * a2)
                + c[7] * a6 + c[5] * a4 + c[3] * a2 + c[1] * id
            u = matmul(a, uInner)
            v = matmul(a6, c[12] * a6 + c[10] * a4 + c[8] * a2)
                + c[6] * a6 + c[4] * a4 + c[2] * a2 + c[0] * id
        } else {
            // Powers A^0, A^2, ..., A^(degree-1).
            var powers = [id, a2]
            while powers.count * 2 <= degree { powers.append(matmul(powers[powers.count - 1], a2)) }
            var odd = Matrix<Double>.zeros(n, n), even = Matrix<Double>.zeros(n, n)
            for (k, p) in powers.enumerated() {
                odd.add(p, scaledBy: c[2 * k + 1])
                even.add(p, scaledBy: c[2 * k])
            }
            u = matmul(a, odd)
            v = even
        }
        guard let r = solve(v - u, v + u) else {
            return Matrix(rows: n, cols: n, repeating: .nan)
        }
        return r
    }
}
