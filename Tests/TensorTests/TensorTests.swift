import Foundation
import Testing
import Tensor
import TestSupport

func randomMatrix(_ r: Int, _ c: Int, seed: UInt64) -> Matrix<Double> {
    var g = SeededGenerator(seed: seed)
    return Matrix.uniform(r, c, low: -1, high: 1, using: &g)
}

/// Product by the textbook triple loop.
func naiveProduct(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Matrix<Double> {
    Matrix(rows: a.rows, cols: b.cols) { i, j in
        (0..<a.cols).reduce(0.0) { $0 + a[i, $1] * b[$1, j] }
    }
}

func maxDifference<S>(_ a: Matrix<S>, _ b: Matrix<S>) -> Double {
    precondition(a.hasSameShape(as: b), "shape mismatch \(a.shape) vs \(b.shape)")
    return zip(a.doubles, b.doubles).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
}

@Suite struct MatrixBasics {
    @Test func constructionAndIndexing() {
        let m = Matrix<Double>([[1, 2, 3], [4, 5, 6]])
        #expect(m.rows == 2 && m.cols == 3)
        #expect(m[1, 2] == 6)
        #expect(m.transposed() == Matrix([[1, 4], [2, 5], [3, 6]]))
        #expect(m.reshaped(3, 2) == Matrix([[1, 2], [3, 4], [5, 6]]))
        #expect(m.flattened().shape == (6, 1))
        #expect(Matrix<Float>.identity(3).trace() == 3)
        #expect(Matrix<Float>(m) == Matrix<Float>([[1, 2, 3], [4, 5, 6]]))
    }

    @Test func transposeOfLargeMatrix() {
        let m = randomMatrix(70, 45, seed: 1)
        let t = m.transposed()
        #expect(t.shape == (45, 70))
        for i in 0..<70 { for j in 0..<45 { #expect(t[j, i] == m[i, j]) } }
    }

    @Test func slicingAndConcatenation() {
        let m = Matrix<Double>(rows: 4, cols: 5) { i, j in Double(10 * i + j) }
        let s = m.slice(rows: 1..<3, cols: 2..<5)
        #expect(s == Matrix([[12, 13, 14], [22, 23, 24]]))
        let e = s.embedded(inRows: 4, cols: 5, at: 1, 2)
        #expect(e.sum() == s.sum() && e[2, 4] == 24 && e[0, 0] == 0)
        #expect(hconcat([m.slice(cols: 0..<2), m.slice(cols: 2..<5)]) == m)
        #expect(vconcat([m.slice(rows: 0..<1), m.slice(rows: 1..<4)]) == m)
        #expect(m.columns([4, 0]) == Matrix([[4, 0], [14, 10], [24, 20], [34, 30]]))
    }

    @Test func broadcastingArithmetic() {
        let m = Matrix<Double>([[1, 2], [3, 4], [5, 6]])
        let col = Matrix<Double>.column([10, 20, 30])
        let row = Matrix<Double>.row([100, 200])
        #expect(m + col == Matrix([[11, 12], [23, 24], [35, 36]]))
        #expect(row + m == Matrix([[101, 202], [103, 204], [105, 206]]))
        #expect(m * Matrix.scalar(2) == m * 2)
        #expect(col * row == matmul(col, row))
        #expect((m - m).maxAbs() == 0)
        #expect(m.broadcast(toRows: 3, cols: 2) == m)
        #expect(col.broadcast(toRows: 3, cols: 2).summed(toRows: 3, cols: 1) == col * 2)
        var a = m
        a.add(m, scaledBy: -0.5)
        #expect(a == m * 0.5)
    }

    @Test func reductions() {
        let m = Matrix<Double>([[1, 2], [3, 4], [5, 6]])
        #expect(m.sum() == 21)
        #expect(m.sum(over: .rows) == Matrix([[9, 12]]))
        #expect(m.sum(over: .columns) == Matrix.column([3, 7, 11]))
        #expect(m.mean(over: .rows) == Matrix([[3, 4]]))
        #expect(m.squaredNorm() == 91)
        #expect(m.dot(m) == 91)
        #expect(m.argmax(over: .rows) == [2, 2])
        #expect(m.argmax(over: .columns) == [1, 1, 1])
    }

    @Test func logSoftmaxIsNormalisedAndStable() {
        let m = Matrix<Double>([[1, 1000], [2, 1001], [3, -1000]])
        let p = m.softmax(over: .rows)
        #expect(p.isFinite)
        #expect(maxDifference(p.sum(over: .rows), Matrix.ones(1, 2)) < 1e-12)
        #expect(abs(p[0, 1] - 1 / (1 + exp(1.0))) < 1e-12)
        let q = m.softmax(over: .columns)
        #expect(maxDifference(q.sum(over: .columns), Matrix.ones(3, 1)) < 1e-15)
        #expect(m.logSumExp(over: .rows).shape == (1, 2))
    }

    @Test func elementwiseFunctions() {
        let m = Matrix<Double>([[-2, 0.5]])
        #expect(m.leakyReLU(0.1) == Matrix([[-0.2, 0.5]]))
        #expect(m.leakyReLU(0.1).leakyReLU(10) == m)
        #expect(m.clamped(-1, 0.25) == Matrix([[-1, 0.25]]))
        #expect(abs(m.sigmoid()[0, 0] - 1 / (1 + exp(2.0))) < 1e-16)
        #expect(Matrix<Float>([[-800, 800]]).sigmoid() == Matrix<Float>([[0, 1]]))
        #expect(m.pow(2) == m * m)
        #expect(abs(m.exp().log()[0, 1] - 0.5) < 1e-15)
    }

    @Test func seededFillsAreReproducible() {
        var g1 = SeededGenerator(seed: 7), g2 = SeededGenerator(seed: 7)
        let a = Matrix<Double>.uniform(3, 4, low: -2, high: 2, using: &g1)
        let b = Matrix<Float>.uniform(3, 4, low: -2, high: 2, using: &g2)
        #expect(maxDifference(Matrix<Double>(b), a) < 1e-6)
        #expect(a.scalars.allSatisfy { $0 >= -2 && $0 < 2 })
        var g3 = SeededGenerator(seed: 8)
        let n = Matrix<Double>.normal(100, 100, mean: 1, std: 2, using: &g3)
        #expect(abs(n.mean() - 1) < 0.1)
    }
}

@Suite struct Products {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulMatchesNaiveProduct(transposeA: Bool, transposeB: Bool) {
        let a = randomMatrix(7, 5, seed: 2), b = randomMatrix(5, 9, seed: 3)
        let a2 = transposeA ? a.transposed() : a, b2 = transposeB ? b.transposed() : b
        let expected = naiveProduct(a, b)
        #expect(maxDifference(matmul(a2, b2, transposeA: transposeA, transposeB: transposeB), expected) < 1e-14)
        let f = matmul(Matrix<Float>(a2), Matrix<Float>(b2), transposeA: transposeA, transposeB: transposeB)
        #expect(maxDifference(Matrix<Double>(f), expected) < 1e-5)
    }

    @Test(arguments: [false, true])
    func vecmatMatchesNaiveProduct(transposeW: Bool) {
        let x = randomMatrix(1, 300, seed: 12), w = randomMatrix(300, 40, seed: 13)
        let w2 = transposeW ? w.transposed() : w
        let expected = naiveProduct(x, w)
        #expect(maxDifference(vecmat(x, w2, transposeW: transposeW), expected) < 1e-12)
        let f = vecmat(Matrix<Float>(x), Matrix<Float>(w2), transposeW: transposeW)
        #expect(maxDifference(Matrix<Double>(f), expected) < 1e-4)
        #expect(vecmat(Matrix<Double>.zeros(1, 0), Matrix<Double>.zeros(0, 3)) == Matrix.zeros(1, 3))
    }

    @Test func gemmAccumulates() {
        let a = randomMatrix(3, 4, seed: 4), b = randomMatrix(4, 2, seed: 5)
        var c = Matrix<Double>.ones(3, 2)
        gemm(a, b, into: &c, alpha: 2, beta: 3)
        #expect(maxDifference(c, naiveProduct(a, b) * 2 + 3) < 1e-14)
        #expect(matmul(Matrix<Double>.zeros(3, 0), Matrix<Double>.zeros(0, 2)) == Matrix.zeros(3, 2))
    }

    @Test func solveAndInverse() throws {
        let a = randomMatrix(6, 6, seed: 6) + Matrix.identity(6) * 3
        let b = randomMatrix(6, 2, seed: 7)
        let x = try #require(solve(a, b))
        #expect(maxDifference(matmul(a, x), b) < 1e-14)
        let inv = try #require(inverse(a))
        #expect(maxDifference(matmul(inv, a), Matrix.identity(6)) < 1e-14)
        #expect(inverse(Matrix<Double>.zeros(3, 3)) == nil)
    }
}

func goldenMatrix(_ g: Golden, _ path: String) throws -> Matrix<Double> {
    let m = try g.matrix(path)
    return Matrix(rows: m.rows, cols: m.cols, scalars: m.values)
}

@Suite struct PseudoInverse {
    @Test(arguments: [(3, 7), (6, 4), (5, 5), (1, 4)])
    func penroseConditions(rows: Int, cols: Int) {
        let a = randomMatrix(rows, cols, seed: UInt64(rows * 10 + cols))
        let p = pinv(a)
        #expect(p.shape == (cols, rows))
        #expect(maxDifference(matmul(matmul(a, p), a), a) < 1e-13)
        #expect(maxDifference(matmul(matmul(p, a), p), p) < 1e-13)
        let ap = matmul(a, p), pa = matmul(p, a)
        #expect(maxDifference(ap, ap.transposed()) < 1e-13)
        #expect(maxDifference(pa, pa.transposed()) < 1e-13)
    }

    @Test func rankDeficientAndZero() {
        // Rank one: pinv(u v^T) = v u^T / (|u|^2 |v|^2).
        let u = Matrix<Double>.column([1, 2, 2]), v = Matrix<Double>.column([3, 4])
        let p = pinv(matmul(u, v, transposeB: true))
        #expect(maxDifference(p, matmul(v, u, transposeB: true) / (9 * 25)) < 1e-15)
        #expect(pinv(Matrix<Float>.zeros(2, 3)) == Matrix.zeros(3, 2))
        #expect(!pinv(Matrix<Double>([[1, .nan]])).isFinite)
    }

    @Test(.requires(.golden("linalg.json")),
          arguments: ["wide", "tall", "square", "rank_deficient"])
    func matchesGolden(name: String) throws {
        let g = try Golden.load("linalg.json")
        let a = try goldenMatrix(g, "pinv/\(name)/A")
        let expected = try goldenMatrix(g, "pinv/\(name)/pinv")
        let e64 = normRelativeError(pinv(a).doubles, expected.scalars)
        #expect(e64 < 1e-12)
        // Float32: the same computation, relative error at the level of Float's precision
        // times the condition number.
        let e32 = normRelativeError(pinv(Matrix<Float>(a)).doubles, expected.scalars)
        #expect(e32 < 1e-4)
    }
}

/// `CholeskyFactor`: factor once, solve many right-hand sides (psi reuses each batch's factor
/// for every model).
/// logSumExp reduces either axis in place (no transposed copy), line by line in the order of
/// the entries: over `.rows` it gives the bits of `.columns` on the transpose, and lines whose
/// max is not finite are that max.
@Suite struct LogSumExp {
    @Test func bothAxesGiveTheSameBitsAndNonFiniteLinesTheirMax() {
        var a = randomMatrix(10, 37, seed: 21) * 30
        a[0, 3] = -.infinity; a[1, 4] = .infinity; a[2, 5] = .nan
        for j in 0..<10 { a[j, 6] = -.infinity }
        let rows = a.logSumExp(over: .rows), columns = a.transposed().logSumExp(over: .columns)
        #expect(rows.shape == (1, 37) && columns.shape == (37, 1))
        #expect(rows.scalars.map(\.bitPattern) == columns.scalars.map(\.bitPattern))
        #expect(rows[0, 4] == .infinity && rows[0, 5].isNaN && rows[0, 6] == -.infinity)
        // A finite line: m + log(sum exp(x - m)), the sum in order.
        let m = (0..<10).map { a[$0, 7] }.max()!
        var sum = 0.0
        for i in 0..<10 { sum += Foundation.exp(a[i, 7] - m) }
        #expect(rows[0, 7] == m + Foundation.log(sum))
    }
}

@Suite struct CholeskyFactorization {
    /// a = c c^T + n I, symmetric positive definite.
    static func positiveDefinite(_ n: Int, seed: UInt64) -> Matrix<Double> {
        let c = randomMatrix(n, n, seed: seed)
        return matmul(c, c, transposeB: true) + Matrix.identity(n) * Double(n)
    }

    @Test func oneFactorSolvesEveryRightHandSideAsAFreshFactorization() throws {
        let a = Self.positiveDefinite(9, seed: 3)
        let factor = try #require(CholeskyFactor(a))
        #expect(factor.order == 9 && factor.reciprocalCondition > 0 && factor.reciprocalCondition <= 1)
        for (rows, seed) in [(1, 5), (4, 6), (17, 7)] {
            let b = randomMatrix(rows, 9, seed: UInt64(seed))
            let x = try #require(factor.solve(b))
            let fresh = try #require(solvePositiveDefinite(b, over: a))
            #expect(x.scalars.map(\.bitPattern) == fresh.scalars.map(\.bitPattern))
            #expect(maxDifference(matmul(x, a), b) < 1e-12)      // x a = b
        }
        let again = try #require(factor.solve(randomMatrix(4, 9, seed: 6)))     // the factor is unchanged by use
        #expect(again.scalars.map(\.bitPattern) == solvePositiveDefinite(randomMatrix(4, 9, seed: 6), over: a)?.scalars.map(\.bitPattern))
        #expect(factor.solve(Matrix<Double>(rows: 1, cols: 9, repeating: .nan)) == nil)   // LAPACKE refuses NaN
    }

    @Test func notPositiveDefiniteAndIllConditioned() {
        #expect(CholeskyFactor(Matrix<Double>([[1, 2], [2, 1]])) == nil)
        let nearlySingular = Matrix<Double>([[1, 1], [1, 1 + 1e-12]])
        #expect(CholeskyFactor(nearlySingular).map { $0.reciprocalCondition < 1e-10 } == true)
        #expect(solvePositiveDefinite(Matrix<Double>([[1, 0]]), over: nearlySingular, minReciprocalCondition: 1e-8) == nil)
    }
}

@Suite struct MatrixExponential {
    @Test func knownValues() {
        // exp of a rotation generator and of a nilpotent matrix.
        let t = 0.7
        let r = matrixExp(Matrix<Double>([[0, -t], [t, 0]]))
        #expect(maxDifference(r, Matrix([[cos(t), -sin(t)], [sin(t), cos(t)]])) < 1e-15)
        let n = matrixExp(Matrix<Double>([[0, 1, 0], [0, 0, 1], [0, 0, 0]]))
        #expect(maxDifference(n, Matrix([[1, 1, 0.5], [0, 1, 1], [0, 0, 1]])) < 1e-15)
        #expect(matrixExp(Matrix<Float>.zeros(4, 4)) == Matrix.identity(4))
    }

    @Test(arguments: [0.01, 0.2, 0.9, 2.0, 5.0, 40.0])
    func inverseAndCommutingSums(scale: Double) {
        let a = randomMatrix(6, 6, seed: 11) * scale
        let e = matrixExp(a), einv = matrixExp(-a)
        let i = matmul(e, einv)
        #expect(maxDifference(i, Matrix.identity(6)) < 1e-12 * max(1, e.maxAbs() * einv.maxAbs()))
        // exp(2A) = exp(A)^2.
        let e2 = matrixExp(a * 2)
        #expect(maxDifference(e2, matmul(e, e)) <= 1e-12 * e2.maxAbs())
    }

    @Test(.requires(.golden("linalg.json")),
          arguments: ["small", "unit", "large"])
    func matchesGolden(name: String) throws {
        let g = try Golden.load("linalg.json")
        let a = try goldenMatrix(g, "matrix_exp/\(name)/A")
        let expected = try goldenMatrix(g, "matrix_exp/\(name)/expm")
        #expect(maxRelativeError(matrixExp(a).doubles, expected.scalars) < 1e-12)
        #expect(normRelativeError(matrixExp(Matrix<Float>(a)).doubles, expected.scalars) < 1e-6)
    }
}

@Suite struct Encoding {
    @Test func codableRoundTrip() throws {
        let m = Matrix<Float>([[1.5, -2], [0.25, 3]])
        let data = try JSONEncoder().encode(m)
        #expect(try JSONDecoder().decode(Matrix<Float>.self, from: data) == m)
    }
}

@Suite struct ShapeChecks {
    /// Shape errors stop the process with a message even in -Ounchecked release builds.
    @Test func mismatchedShapesStop() async {
        await #expect(processExitsWith: .failure) {
            _ = matmul(Matrix<Double>.zeros(2, 3), Matrix<Double>.zeros(2, 3))
        }
        await #expect(processExitsWith: .failure) {
            _ = Matrix<Double>.zeros(2, 3) + Matrix<Double>.zeros(3, 2)
        }
    }
}

/// gramMatrix(a) = a^T a through syrk: exactly symmetric, and the product up to rounding.
@Suite struct GramMatrixTests {
    @Test(arguments: [(7, 5), (30, 12), (3, 9), (0, 4)])
    func symmetricAndTheProduct(rows: Int, cols: Int) {
        let a = rows == 0 ? Matrix<Double>.zeros(0, cols) : randomMatrix(rows, cols, seed: 9)
        let g = gramMatrix(a), product = matmul(a, a, transposeA: true)
        #expect(g.shape == (cols, cols))
        #expect(g == g.transposed())
        #expect(maxDifference(g, product) <= 1e-13 * max(1, product.scalars.map(abs).max() ?? 0))
        let single = gramMatrix(Matrix<Float>(a))
        #expect(maxDifference(Matrix<Double>(single), product) <= 1e-5 * max(1, product.scalars.map(abs).max() ?? 0))
    }
}
