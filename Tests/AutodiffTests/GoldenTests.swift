import Autodiff
import Testing
import TestSupport

// Parity with the reference implementation: golden values computed in float64 with PyTorch.

func goldenMatrix<S: BLASScalar>(_ g: Golden, _ path: String, as: S.Type = S.self) throws -> Matrix<S> {
    let m = try g.matrix(path)
    return Matrix<S>(Matrix<Double>(rows: m.rows, cols: m.cols, scalars: m.values))
}

func goldenMatrices<S: BLASScalar>(_ g: Golden, _ path: String, as: S.Type = S.self) throws -> [Matrix<S>] {
    try g.matrices(path).map { Matrix<S>(Matrix<Double>(rows: $0.rows, cols: $0.cols, scalars: $0.values)) }
}

/// Relative error of `a` against the reference `b`, entrywise, with entries of b below
/// 1e-3 of its largest magnitude compared on that scale (so that rounding in near-zero
/// entries does not dominate a Float32 comparison).
func scaledRelativeError(_ a: [Double], _ b: [Double]) -> Double {
    let scale = b.reduce(0) { max($0, abs($1)) }
    return maxRelativeError(a, b, floor: 1e-3 * scale)
}

/// The paper's bias-free MLP loss: h(i+1) = LeakyReLU(W[i] h(i), 0.1), output W[L-1] h(L-1),
/// mean cross-entropy of softmax over the output rows (X is features x batch).
func mlpLoss<S>(_ w: [Variable<S>], x: Variable<S>, labels: [Int]) -> Variable<S> {
    var h = x
    for layer in w.dropLast() { h = matmul(layer, h).leakyReLU(0.1) }
    return matmul(w[w.count - 1], h).crossEntropy(labels: labels, classesAlong: .rows)
}

struct MLPResults {
    var loss: Double
    var grad: [Double]
    var gradNormSq: Double
    var gradOfGradNormSq: [Double]
}

func mlpResults<S: BLASScalar>(_ g: Golden, as: S.Type) throws -> MLPResults {
    let w = try goldenMatrices(g, "W", as: S.self).map { Variable($0, requiresGrad: true) }
    let x = Variable(try goldenMatrix(g, "X", as: S.self))
    let labels = try g.vector("Y").map { Int($0) }
    let loss = mlpLoss(w, x: x, labels: labels)
    let grads = grad(of: loss, wrt: w, createGraph: true)
    let normSq = sum(grads.map { $0.squaredNorm() })
    let second = grad(of: normSq, wrt: w)
    return MLPResults(loss: Double(loss.scalar), grad: grads.flatMap(\.value.doubles),
                      gradNormSq: Double(normSq.scalar),
                      gradOfGradNormSq: second.flatMap(\.value.doubles))
}

@Suite(.requires(.golden("mlp_classification.json")))
struct MLPGolden {
    let golden: Golden
    let expectedGrad: [Double], expectedSecond: [Double]

    init() throws {
        golden = try Golden.load("mlp_classification.json")
        expectedGrad = try golden.matrices("grad").flatMap(\.values)
        expectedSecond = try golden.matrices("grad_of_grad_norm_sq").flatMap(\.values)
    }

    @Test func float64() throws {
        let r = try mlpResults(golden, as: Double.self)
        #expect(try maxRelativeError([r.loss], [golden.double("loss")]) < 1e-9)
        #expect(maxRelativeError(r.grad, expectedGrad) < 1e-9)
        #expect(try maxRelativeError([r.gradNormSq], [golden.double("grad_norm_sq")]) < 1e-9)
        #expect(maxRelativeError(r.gradOfGradNormSq, expectedSecond) < 1e-9)
    }

    @Test func float32() throws {
        let r = try mlpResults(golden, as: Float.self)
        #expect(try maxRelativeError([r.loss], [golden.double("loss")]) < 1e-4)
        #expect(scaledRelativeError(r.grad, expectedGrad) < 1e-4)
        #expect(try maxRelativeError([r.gradNormSq], [golden.double("grad_norm_sq")]) < 1e-4)
        #expect(scaledRelativeError(r.gradOfGradNormSq, expectedSecond) < 1e-4)
    }
}

/// d/dA sum(f(A) * probe) for f = pinv or matrixExp.
func probeGradient<S: BLASScalar>(_ g: Golden, _ path: String, as: S.Type,
                                  _ f: (Variable<S>) -> Variable<S>) throws -> [Double] {
    let a = Variable(try goldenMatrix(g, "\(path)/A", as: S.self), requiresGrad: true)
    let probe = Variable(try goldenMatrix(g, "\(path)/probe", as: S.self))
    return grad(of: (f(a) * probe).sum(), wrt: [a])[0].value.doubles
}

@Suite(.requires(.golden("linalg.json")))
struct LinalgGolden {
    let golden: Golden
    init() throws { golden = try Golden.load("linalg.json") }

    @Test(arguments: ["wide", "tall", "square"])
    func pinvGradient(name: String) throws {
        let expected = try golden.matrix("pinv/\(name)/grad_probe").values
        let e64 = maxRelativeError(try probeGradient(golden, "pinv/\(name)", as: Double.self, pinv), expected)
        #expect(e64 < 1e-9)
        let e32 = scaledRelativeError(try probeGradient(golden, "pinv/\(name)", as: Float.self, pinv), expected)
        #expect(e32 < 1e-4)
    }

    @Test(arguments: ["wide", "tall", "square", "rank_deficient"])
    func pinvValue(name: String) throws {
        let a = Variable(try goldenMatrix(golden, "pinv/\(name)/A", as: Double.self), requiresGrad: true)
        let expected = try golden.matrix("pinv/\(name)/pinv").values
        #expect(normRelativeError(pinv(a).value.doubles, expected) < 1e-12)
    }

    @Test(arguments: ["small", "unit", "large"])
    func matrixExpGradient(name: String) throws {
        let expected = try golden.matrix("matrix_exp/\(name)/grad_probe").values
        let e64 = maxRelativeError(try probeGradient(golden, "matrix_exp/\(name)", as: Double.self, matrixExp), expected)
        #expect(e64 < 1e-9)
        let e32 = scaledRelativeError(try probeGradient(golden, "matrix_exp/\(name)", as: Float.self, matrixExp), expected)
        #expect(e32 < 1e-4)
    }
}
