import Autodiff
import Testing
import TestSupport

// The composition the teleportation algorithms differentiate: the gradient norm of the MLP
// loss after the group action g = I + T on every layer pair, differentiated in T (double
// backpropagation through pinv).

/// Weights after g_m = I + T_m acts on each pair (V, U) = (W[m], W[m+1]) in order:
/// V -> g V, U -> U sigma(V h) pinv(sigma(g V h)), with h recomputed after each pair.
func actOnPairs<S>(_ w: [Variable<S>], _ t: [Variable<S>], x: Variable<S>) -> [Variable<S>] {
    var w = w
    var h = x
    for m in 0..<(w.count - 1) {
        let v = w[m], u = w[m + 1]
        let gv = matmul(eye(v.rows) + t[m], v)
        let hNext = matmul(gv, h).leakyReLU(0.1)
        w[m + 1] = matmul(matmul(u, matmul(v, h).leakyReLU(0.1)), pinv(hNext))
        w[m] = gv
        h = hNext
    }
    return w
}

/// |dL/dW(g.W)|^2 as a function of the T_m.
func gradientNormAfterAction<S>(_ t: [Variable<S>], w: [Matrix<S>], x: Matrix<S>, labels: [Int]) -> Variable<S> {
    let params = actOnPairs(w.map { Variable($0) }, t, x: Variable(x))
    let loss = mlpLoss(params, x: Variable(x), labels: labels)
    return sum(grad(of: loss, wrt: params, createGraph: true).map { $0.squaredNorm() })
}

@Suite struct TeleportShape {
    let dims = [12, 6, 5, 4]
    let batch = 15   // larger than the hidden widths: pinv(.)(.) is a projector here

    func problem() -> (w: [Matrix<Double>], x: Matrix<Double>, labels: [Int], t: [Matrix<Double>]) {
        var g = SeededGenerator(seed: 21)
        let w = (0..<3).map { i in
            Matrix<Double>.uniform(dims[i + 1], dims[i], low: -1, high: 1, using: &g)
        }
        let x = Matrix<Double>.uniform(dims[0], batch, using: &g)
        let labels = (0..<batch).map { _ in g.int(below: dims[3]) }
        // A point T != 0 so that the check is not at the identity only.
        let t = (0..<2).map { m in Matrix<Double>.uniform(dims[m + 1], dims[m + 1], low: -0.05, high: 0.05, using: &g) }
        return (w, x, labels, t)
    }

    @Test func secondOrderThroughActionMatchesFiniteDifferences() {
        let p = problem()
        let result = gradientCheck(at: p.t) { t in
            gradientNormAfterAction(t, w: p.w, x: p.x, labels: p.labels)
        }
        #expect(result.passes(1e-6), "max error \(result.maxError)")
    }

    @Test func float32AgreesWithFloat64() {
        let p = problem()
        func dT<S: BLASScalar>(_ type: S.Type) -> [Double] {
            let t = p.t.map { Variable(Matrix<S>($0), requiresGrad: true) }
            let f = gradientNormAfterAction(t, w: p.w.map { Matrix<S>($0) }, x: Matrix<S>(p.x), labels: p.labels)
            return grad(of: f, wrt: t).flatMap(\.value.doubles)
        }
        let exact = dT(Double.self), single = dT(Float.self)
        let error = normRelativeError(single, exact)
        #expect(error < 1e-3, "Float32 vs Float64 relative error \(error)")
    }
}
