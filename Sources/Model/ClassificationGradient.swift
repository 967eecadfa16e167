import Tensor

// The loss and gradients of the classification MLP after its first layer, with the backward
// pass written out beside the forward one instead of recorded by the autodiff. The sharpness
// teleport evaluates this for every perturbed network (900 of them per ascent step at the
// paper's settings), where the graph's bookkeeping and its two exponentials per logit cost as
// much as the products. `lossAndGradient(firstPreactivation:later:_:)` is the reference it is
// tested against.

/// `lossAndGradient(firstPreactivation:later:_:)` for `.classification(labels)`: the mean
/// cross-entropy of softmax over the output rows, and its gradients with respect to the first
/// pre-activation Z (k x batch) and the later weights W[1...], computed by hand:
/// forward a(i+1) = W[i] sigma(a(i)) with a(1) = Z; backward delta = (softmax - onehot) / batch
/// at the output, dL/dW[i] = delta h(i)^T, delta <- (W[i]^T delta) .* sigma'(a(i)).
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func classificationLossAndGradient<Scalar>(firstPreactivation Z: Matrix<Scalar>,
                                                  later W: ArraySlice<Matrix<Scalar>>,
                                                  labels: [Int]) -> (loss: Scalar, gradient: [Matrix<Scalar>]) {
    ensure(!W.isEmpty && labels.count == Z.cols, "classificationLossAndGradient: shapes")
    let slope = Scalar(leakySlope)
    // Forward: pre-activations a and activations h = sigma(a), layer by layer.
    var pre = [Z], h = [Z.leakyReLU(slope)]
    for w in W.dropLast() {
        pre.append(matmul(w, h[h.count - 1]))
        h.append(pre[pre.count - 1].leakyReLU(slope))
    }
    let (loss, outputDelta) = softmaxCrossEntropy(matmul(W[W.endIndex - 1], h[h.count - 1]), labels: labels)
    // Backward: from dL/df to every weight, then to Z.
    var gradient = [Matrix<Scalar>](repeating: Matrix.zeros(0, 0), count: W.count + 1)
    var delta = outputDelta
    for (i, w) in zip(W.indices, W).reversed() {
        let layer = i - W.startIndex
        gradient[layer + 1] = matmul(delta, h[layer], transposeB: true)
        delta = Matrix.zip(matmul(w, delta, transposeA: true), pre[layer]) { d, a in a > 0 ? d : slope * d }
    }
    gradient[0] = delta
    return (loss, gradient)
}

/// The mean over columns of -log softmax(f)[label] (classes along the rows) and its gradient
/// (softmax(f) - onehot) / batch, one exponential per logit. The reductions over a column run
/// along the rows, so every loop is over contiguous columns.
@_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
func softmaxCrossEntropy<Scalar: BLASScalar>(_ f: Matrix<Scalar>, labels: [Int]) -> (loss: Scalar, delta: Matrix<Scalar>) {
    let classes = f.rows, batch = f.cols
    var top = [Scalar](repeating: -.infinity, count: batch)
    var total = [Scalar](repeating: 0, count: batch)
    var delta = Matrix<Scalar>.zeros(classes, batch)
    var loss = 0.0
    // Each loop runs along one row of the classes x batch matrices through plain pointers, so
    // the compiler vectorises it over the batch (no index arithmetic to overflow-check).
    f.scalars.withUnsafeBufferPointer { zs in
        delta.scalars.withUnsafeMutableBufferPointer { es in
            top.withUnsafeMutableBufferPointer { tops in
                total.withUnsafeMutableBufferPointer { totals in
                    guard let z0 = zs.baseAddress, let e0 = es.baseAddress,
                          let top = tops.baseAddress, let total = totals.baseAddress else { return }
                    for r in 0..<classes {
                        let z = z0 + r &* batch
                        for j in 0..<batch { top[j] = Swift.max(top[j], z[j]) }
                    }
                    for r in 0..<classes {
                        let z = z0 + r &* batch, e = e0 + r &* batch
                        for j in 0..<batch { e[j] = z[j] - top[j] }
                    }
                    Scalar.exp(count: classes * batch, e0, e0)
                    for r in 0..<classes {
                        let e = e0 + r &* batch
                        for j in 0..<batch { total[j] += e[j] }
                    }
                    let scale = 1 / Scalar(batch)
                    for j in 0..<batch {
                        let label = labels[j]
                        ensure(label >= 0 && label < classes, "label out of range")
                        loss += Double(Scalar.log(total[j]) + top[j] - z0[label &* batch + j])
                        total[j] = scale / total[j]
                    }
                    for r in 0..<classes {
                        let e = e0 + r &* batch
                        for j in 0..<batch { e[j] *= total[j] }
                    }
                    for j in 0..<batch { e0[labels[j] &* batch + j] -= scale }
                }
            }
        }
    }
    return (Scalar(loss / Double(batch)), delta)
}
