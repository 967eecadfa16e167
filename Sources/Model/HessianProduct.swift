import Tensor

// The loss of the MLP after its first layer as a function of (Z, W[1...]), Z the first
// pre-activation: its gradient t and a Hessian product H v, written out by hand (forward-mode
// differentiation of the backward pass along v) instead of a double backpropagation through
// the autodiff's graph. The gradient-norm teleport needs c = 2 H t at every ascent step
// (`GradientNormTeleport.tangentAscentDirection`); its graph cost more than its products.
// sigma = LeakyReLU is piecewise linear, so its second derivative vanishes and the tangent of
// sigma'(a) is 0. `lossAndGradient(firstPreactivation:later:_:)` with the autodiff's double
// backward is the reference it is tested against.

/// The loss, its gradient t with respect to (Z, W[1...]) and the Hessian product H v along
/// v = `direction(t)` (shapes of t), for either objective:
/// - forward a(0) = Z, h(i) = sigma(a(i)), a(i+1) = W[i] h(i), output f = W[last] h(last);
/// - backward delta(out) = dL/df (softmax - onehot over the batch, or f - Y),
///   dL/dW[i] = delta(i+1) h(i)^T, delta(i) = sigma'(a(i)) .* (W[i]^T delta(i+1));
/// - tangents along v: da(0) = v_Z, dh = sigma' .* da, da(i+1) = v_W[i] h(i) + W[i] dh(i);
///   d delta(out) = (p .* df - p (p^T df)) / batch (softmax p) or df;
///   (H v)_W[i] = d delta(i+1) h(i)^T + delta(i+1) dh(i)^T,
///   d delta(i) = sigma'(a(i)) .* (v_W[i]^T delta(i+1) + W[i]^T d delta(i+1)), (H v)_Z = d delta(0).
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func lossGradientAndHessianProduct<Scalar>(firstPreactivation Z: Matrix<Scalar>, later W: ArraySlice<Matrix<Scalar>>,
                                                  _ objective: Objective<Scalar>,
                                                  direction: ([Matrix<Scalar>]) -> [Matrix<Scalar>])
    -> (loss: Scalar, gradient: [Matrix<Scalar>], hessianProduct: [Matrix<Scalar>]) {
    let W = Array(W), n = W.count
    ensure(n >= 1, "lossGradientAndHessianProduct: at least one later layer")
    let slope = Scalar(leakySlope)
    let gate = { (d: Matrix<Scalar>, a: Matrix<Scalar>) in Matrix.zip(d, a) { d, a in a > 0 ? d : slope * d } }
    // Forward.
    var a = [Z], h = [Z.leakyReLU(slope)]
    for i in 0..<(n - 1) {
        a.append(matmul(W[i], h[i]))
        h.append(a[i + 1].leakyReLU(slope))
    }
    let f = matmul(W[n - 1], h[n - 1])
    let loss: Scalar, outputDelta: Matrix<Scalar>
    var p: Matrix<Scalar>? = nil
    switch objective {
    case .classification(let labels):
        (loss, outputDelta) = softmaxCrossEntropy(f, labels: labels)
        p = f.softmax(over: .rows)
    case .regression(let Y):
        let r = f - Y
        (loss, outputDelta) = (r.squaredNorm() / 2, r)
    }
    // Backward: delta[i] = dL/da(i) for i < n, delta[n] = dL/df.
    var delta = [Matrix<Scalar>](repeating: Matrix.zeros(0, 0), count: n + 1)
    var gradient = delta
    delta[n] = outputDelta
    for i in stride(from: n - 1, through: 0, by: -1) {
        gradient[i + 1] = matmul(delta[i + 1], h[i], transposeB: true)
        delta[i] = gate(matmul(W[i], delta[i + 1], transposeA: true), a[i])
    }
    gradient[0] = delta[0]
    // Tangents of the forward pass along v.
    let v = direction(gradient)
    ensure(v.count == n + 1, "lossGradientAndHessianProduct: one direction per variable")
    var dh = [gate(v[0], a[0])]
    for i in 0..<(n - 1) { dh.append(gate(matmul(v[i + 1], h[i]) + matmul(W[i], dh[i]), a[i + 1])) }
    let df = matmul(v[n], h[n - 1]) + matmul(W[n - 1], dh[n - 1])
    // Tangent of the output delta, then of the backward pass.
    var dDelta: Matrix<Scalar>
    if let p {
        let pdf = Matrix.zip(p, df, *)
        let columnSums = Matrix(rows: 1, cols: pdf.cols) { _, j in (0..<pdf.rows).reduce(Scalar(0)) { $0 + pdf[$1, j] } }
        let scale = 1 / Scalar(f.cols)
        dDelta = Matrix(rows: p.rows, cols: p.cols) { i, j in (pdf[i, j] - p[i, j] * columnSums[0, j]) * scale }
    } else {
        dDelta = df
    }
    var product = [Matrix<Scalar>](repeating: Matrix.zeros(0, 0), count: n + 1)
    for i in stride(from: n - 1, through: 0, by: -1) {
        product[i + 1] = matmul(dDelta, h[i], transposeB: true) + matmul(delta[i + 1], dh[i], transposeB: true)
        dDelta = gate(matmul(v[i + 1], delta[i + 1], transposeA: true) + matmul(W[i], dDelta, transposeA: true), a[i])
    }
    product[0] = dDelta
    return (loss, gradient, product)
}
