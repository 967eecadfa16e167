import CBLAS
import CKernels
import Foundation

/// A scalar type the numeric core computes in: `Float` (training) or `Double` (checks).
///
/// The requirements dispatch to the single- or double-precision BLAS/LAPACK routine and to the
/// C math library, so `Matrix<Scalar>` and everything built on it is written once, generically.
public protocol BLASScalar: BinaryFloatingPoint, SIMDScalar, Sendable, LosslessStringConvertible {
    /// `c = alpha * op(a) * op(b) + beta * c`, row-major (cblas_?gemm).
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                     alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// `c = a^T a` (n x n, its lower triangle only) for the row-major k x n matrix a: half a
    /// product's flops (cblas_?syrk).
    static func syrkLower(n: Int, k: Int, a: UnsafePointer<Self>, lda: Int, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// `y = alpha * op(a) x + beta * y` for the row-major m x n matrix a (cblas_?gemv). A product
    /// with one row or column through gemm packs all of `a` first; gemv streams it once.
    static func gemv(transpose: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)

    /// Thin SVD of the column-major m x n matrix `a` (overwritten): `a = u diag(s) vt` with
    /// u: m x r, s: r values (descending), vt: r x n, r = min(m, n), all column-major
    /// (LAPACKE_?gesdd, job "S"). Column-major because LAPACK is: `svd` passes a row-major
    /// matrix as its column-major transpose, which spares LAPACKE two transpositions and
    /// gives tall panels to the Householder steps. Returns LAPACK's info (0 on success).
    static func gesdd(m: Int, n: Int, a: UnsafeMutablePointer<Self>, s: UnsafeMutablePointer<Self>,
                      u: UnsafeMutablePointer<Self>, vt: UnsafeMutablePointer<Self>) -> Int32

    /// Solves `a x = b` for row-major a (n x n, overwritten by its LU factors) and b (n x nrhs,
    /// overwritten by x) (LAPACKE_?gesv). Returns LAPACK's info (0 on success).
    static func gesv(n: Int, nrhs: Int, a: UnsafeMutablePointer<Self>,
                     b: UnsafeMutablePointer<Self>) -> Int32

    /// The Cholesky factor of a symmetric positive definite a (n x n, overwritten by it, lower
    /// triangle) (LAPACKE_?potrf) and the estimate of a's reciprocal condition number in the
    /// 1-norm (?pocon), from `norm`, the 1-norm of a before the factorization. Returns LAPACK's
    /// info (0 on success, > 0 when a is not positive definite; the estimate is then 0).
    static func potrf(n: Int, a: UnsafeMutablePointer<Self>, norm: Self) -> (info: Int32, reciprocalCondition: Self)

    /// Solves `a x = b` with a's Cholesky factor from `potrf` and the column-major b (n x nrhs,
    /// overwritten by x) (LAPACKE_?potrs). Returns LAPACK's info (0 on success).
    static func potrs(n: Int, nrhs: Int, factor: UnsafePointer<Self>, b: UnsafeMutablePointer<Self>) -> Int32

    static func exp(_ x: Self) -> Self
    /// y[i] = exp(x[i]) for i < n (x and y may be the same array): the bits of `exp` entry by
    /// entry, eight entries at a time for Float (`teleport_exp`, CKernels).
    static func exp(count n: Int, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>)
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
}

/// OpenBLAS runs single-threaded inside a run: the project parallelises across runs instead.
/// Touched by every BLAS entry point; the first touch configures the library.
let blasConfigured: Bool = {
    openblas_set_num_threads(1)
    return true
}()

/// The flops of the matrix products (BLAS 3: gemm 2mnk, syrk m(m+1)n, trsm m^2 n for an m x m
/// triangle) that one thread does while it counts, Float32 and Float64 apart, for the
/// benchmarks' rates; LAPACK's factorizations are not counted. Off by default; one thread
/// counts at a time, and products on other threads meanwhile are not counted.
public enum ProductFlops {
    /// Flops in single and in double precision.
    public struct Work: Equatable, Sendable {
        public var single: Double, double: Double
        public var total: Double { single + double }
        public init(single: Double = 0, double: Double = 0) { self.single = single; self.double = double }
    }

    nonisolated(unsafe) static var work = Work()
    nonisolated(unsafe) static var counter: pthread_t? = nil

    /// The flops of the matrix products `body` does on the calling thread.
    public static func count(_ body: () -> Void) -> Work {
        ensure(counter == nil, "ProductFlops.count is not reentrant")
        work = Work()
        counter = pthread_self()
        defer { counter = nil }
        body()
        return work
    }

    @inline(__always) static func add(_ flops: Int, double: Bool) {
        guard let c = counter, pthread_equal(c, pthread_self()) != 0 else { return }
        if double { work.double += Double(flops) } else { work.single += Double(flops) }
    }
}

/// Cholesky QR of a wide row-major matrix in Double (the pseudo-inverse's fast path, see
/// `pseudoInverse`): on return `g` (m x m, row-major) holds L in its lower triangle with
/// A A^T = L L^T, and `q` (m x n, row-major, A on entry) holds Q = L^-1 A. Returns the
/// reciprocal condition number of A A^T (LAPACK pocon, 1-norm estimate), or nil when A A^T is
/// not positive definite.
@usableFromInline
func choleskyQR(m: Int, n: Int, g: UnsafeMutablePointer<Double>, q: UnsafeMutablePointer<Double>) -> Double? {
    _ = blasConfigured
    ProductFlops.add(m * (m + 1) * n, double: true)
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, Int32(m), Int32(n), 1, q, Int32(n), 0, g, Int32(m))
    // The 1-norm of the symmetric G from its lower triangle, for pocon.
    var norm = 0.0
    for j in 0..<m {
        var column = 0.0
        for i in 0..<m { column += abs(i >= j ? g[i * m + j] : g[j * m + i]) }
        norm = Swift.max(norm, column)
    }
    let lower = Int8(UInt8(ascii: "L"))
    guard LAPACKE_dpotrf(LAPACK_ROW_MAJOR, lower, Int32(m), g, Int32(m)) == 0 else { return nil }
    var rcond = 0.0
    guard LAPACKE_dpocon(LAPACK_ROW_MAJOR, lower, Int32(m), g, Int32(m), norm, &rcond) == 0 else { return nil }
    ProductFlops.add(m * m * n, double: true)
    cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(m), Int32(n), 1,
                g, Int32(m), q, Int32(n))
    return rcond
}

/// `x = b L^-1` in place for the lower-triangular L in the lower triangle of `l` (m x m) and
/// x, b (r x m), all row-major Double.
@usableFromInline
func solveLowerFromRight(r: Int, m: Int, l: UnsafePointer<Double>, x: UnsafeMutablePointer<Double>) {
    _ = blasConfigured
    ProductFlops.add(m * m * r, double: true)
    cblas_dtrsm(CblasRowMajor, CblasRight, CblasLower, CblasNoTrans, CblasNonUnit, Int32(r), Int32(m), 1,
                l, Int32(m), x, Int32(m))
}

/// The kernel set OpenBLAS runs on this machine ("Haswell", "SkylakeX", ...), as
/// `openblas_get_corename` reports it; recorded in provenance, since it changes the last bits.
public var blasKernelSet: String { String(cString: openblas_get_corename()) }

func cblasTranspose(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Float: BLASScalar {
    public static func syrkLower(n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = blasConfigured
        ProductFlops.add(n * (n + 1) * k, double: false)
        cblas_ssyrk(CblasRowMajor, CblasLower, CblasTrans, Int32(n), Int32(k), 1, a, Int32(lda), 0, c, Int32(ldc))
    }

    public static func gemv(transpose: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>) {
        _ = blasConfigured
        ProductFlops.add(2 * m * n, double: false)
        cblas_sgemv(CblasRowMajor, cblasTranspose(transpose), Int32(m), Int32(n), alpha, a, Int32(lda), x, 1,
                    beta, y, 1)
    }

    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = blasConfigured
        ProductFlops.add(2 * m * n * k, double: false)
        cblas_sgemm(CblasRowMajor, cblasTranspose(transposeA), cblasTranspose(transposeB),
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }

    public static func gesdd(m: Int, n: Int, a: UnsafeMutablePointer<Float>,
                             s: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>,
                             vt: UnsafeMutablePointer<Float>) -> Int32 {
        _ = blasConfigured
        let r = Swift.min(m, n)
        return LAPACKE_sgesdd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "S")), Int32(m), Int32(n),
                              a, Int32(Swift.max(m, 1)), s, u, Int32(Swift.max(m, 1)),
                              vt, Int32(Swift.max(r, 1)))
    }

    public static func gesv(n: Int, nrhs: Int, a: UnsafeMutablePointer<Float>,
                            b: UnsafeMutablePointer<Float>) -> Int32 {
        _ = blasConfigured
        var pivots = [Int32](repeating: 0, count: Swift.max(n, 1))
        return LAPACKE_sgesv(LAPACK_ROW_MAJOR, Int32(n), Int32(nrhs), a, Int32(Swift.max(n, 1)),
                             &pivots, b, Int32(Swift.max(nrhs, 1)))
    }

    public static func potrf(n: Int, a: UnsafeMutablePointer<Float>, norm: Float) -> (info: Int32, reciprocalCondition: Float) {
        _ = blasConfigured
        let ld = Int32(Swift.max(n, 1))
        let info = LAPACKE_spotrf(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), a, ld)
        guard info == 0 else { return (info, 0) }
        var rcond: Float = 0
        _ = LAPACKE_spocon(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), a, ld, norm, &rcond)
        return (info, rcond)
    }

    public static func potrs(n: Int, nrhs: Int, factor: UnsafePointer<Float>, b: UnsafeMutablePointer<Float>) -> Int32 {
        _ = blasConfigured
        let ld = Int32(Swift.max(n, 1))
        return LAPACKE_spotrs(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), Int32(nrhs), factor, ld, b, ld)
    }

    @inlinable public static func exp(_ x: Float) -> Float { expf(x) }
    @inlinable public static func exp(count n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        teleport_exp(n, x, y)
    }
    @inlinable public static func log(_ x: Float) -> Float { logf(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { tanhf(x) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { powf(x, y) }
}

extension Double: BLASScalar {
    public static func syrkLower(n: Int, k: Int, a: UnsafePointer<Double>, lda: Int, c: UnsafeMutablePointer<Double>, ldc: Int) {
        _ = blasConfigured
        ProductFlops.add(n * (n + 1) * k, double: true)
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, Int32(n), Int32(k), 1, a, Int32(lda), 0, c, Int32(ldc))
    }

    public static func gemv(transpose: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>) {
        _ = blasConfigured
        ProductFlops.add(2 * m * n, double: true)
        cblas_dgemv(CblasRowMajor, cblasTranspose(transpose), Int32(m), Int32(n), alpha, a, Int32(lda), x, 1,
                    beta, y, 1)
    }

    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        _ = blasConfigured
        ProductFlops.add(2 * m * n * k, double: true)
        cblas_dgemm(CblasRowMajor, cblasTranspose(transposeA), cblasTranspose(transposeB),
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }

    public static func gesdd(m: Int, n: Int, a: UnsafeMutablePointer<Double>,
                             s: UnsafeMutablePointer<Double>, u: UnsafeMutablePointer<Double>,
                             vt: UnsafeMutablePointer<Double>) -> Int32 {
        _ = blasConfigured
        let r = Swift.min(m, n)
        return LAPACKE_dgesdd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "S")), Int32(m), Int32(n),
                              a, Int32(Swift.max(m, 1)), s, u, Int32(Swift.max(m, 1)),
                              vt, Int32(Swift.max(r, 1)))
    }

    public static func gesv(n: Int, nrhs: Int, a: UnsafeMutablePointer<Double>,
                            b: UnsafeMutablePointer<Double>) -> Int32 {
        _ = blasConfigured
        var pivots = [Int32](repeating: 0, count: Swift.max(n, 1))
        return LAPACKE_dgesv(LAPACK_ROW_MAJOR, Int32(n), Int32(nrhs), a, Int32(Swift.max(n, 1)),
                             &pivots, b, Int32(Swift.max(nrhs, 1)))
    }

    public static func potrf(n: Int, a: UnsafeMutablePointer<Double>, norm: Double) -> (info: Int32, reciprocalCondition: Double) {
        _ = blasConfigured
        let ld = Int32(Swift.max(n, 1))
        let info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), a, ld)
        guard info == 0 else { return (info, 0) }
        var rcond: Double = 0
        _ = LAPACKE_dpocon(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), a, ld, norm, &rcond)
        return (info, rcond)
    }

    public static func potrs(n: Int, nrhs: Int, factor: UnsafePointer<Double>, b: UnsafeMutablePointer<Double>) -> Int32 {
        _ = blasConfigured
        let ld = Int32(Swift.max(n, 1))
        return LAPACKE_dpotrs(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), Int32(nrhs), factor, ld, b, ld)
    }

    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func exp(count n: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
        for i in 0..<n { y[i] = Foundation.exp(x[i]) }
    }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}
