import Autodiff

// The bias-free MLP of the paper as a differentiable function (PROTOCOL.md, Notation):
// data is column-major, X of shape (features x batch); h(0) = X, h(i+1) = sigma(W[i] h(i))
// for the hidden layers, output W[L-1] h(L-1). The fused trainer (FusedTrainer.swift) is the
// fast path for plain training; this is the path that teleportation differentiates through.

/// Negative-side slope of the paper's hidden activation sigma = LeakyReLU(0.1) (the one definition).
public let leakySlope = 0.1

/// sigma(x) = LeakyReLU(0.1)(x).
@inlinable
public func sigma<Scalar>(_ x: Variable<Scalar>) -> Variable<Scalar> {
    x.leakyReLU(Scalar(leakySlope))
}

/// sigma^{-1}(x) = LeakyReLU(10)(x), the inverse of sigma.
@inlinable
public func sigmaInverse<Scalar>(_ x: Variable<Scalar>) -> Variable<Scalar> {
    x.leakyReLU(Scalar(1 / leakySlope))
}

/// What the network is trained for on one batch.
public enum Objective<Scalar: BLASScalar> {
    /// Mean over the batch of the cross-entropy of softmax over the output rows; `labels[j]`
    /// is the class of column j of X.
    case classification(labels: [Int])
    /// 0.5 ||Y - f(X)||_F^2 (a sum over all entries), Y of shape (outputs x batch).
    case regression(target: Matrix<Scalar>)
}

/// The network output f(X) = W[L-1] sigma(W[L-2] ... sigma(W[0] X)), of shape (outputs x batch).
@inlinable
public func networkOutput<Scalar>(_ W: [Variable<Scalar>], _ X: Variable<Scalar>) -> Variable<Scalar> {
    var h = X
    for i in 0..<(W.count - 1) { h = sigma(matmul(W[i], h)) }
    return matmul(W[W.count - 1], h)
}

/// The loss L(W) on the batch X (features x batch).
@inlinable
public func loss<Scalar>(_ W: [Variable<Scalar>], _ X: Variable<Scalar>,
                         _ objective: Objective<Scalar>) -> Variable<Scalar> {
    loss(output: networkOutput(W, X), objective)
}

/// The loss as a function of the first layer's pre-activation Z = W[0] X and the later weights
/// W[1...] (the same value as `loss(W, X, objective)`; at least two layers).
@inlinable
public func loss<Scalar>(firstPreactivation Z: Variable<Scalar>, later W: ArraySlice<Variable<Scalar>>,
                         _ objective: Objective<Scalar>) -> Variable<Scalar> {
    var h = sigma(Z)
    for i in W.indices.dropLast() { h = sigma(matmul(W[i], h)) }
    return loss(output: matmul(W[W.endIndex - 1], h), objective)
}

/// The loss of the network output f (outputs x batch) for the objective.
@inlinable
public func loss<Scalar>(output f: Variable<Scalar>, _ objective: Objective<Scalar>) -> Variable<Scalar> {
    switch objective {
    case .classification(let labels):
        return f.crossEntropy(labels: labels, classesAlong: .rows)
    case .regression(let Y):
        return (f - Variable(Y)).squaredNorm() * Scalar(0.5)
    }
}

/// The loss and its gradient dL/dW at constant weights (no graph kept).
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func lossAndGradient<Scalar>(_ W: [Matrix<Scalar>], _ X: Matrix<Scalar>,
                                    _ objective: Objective<Scalar>)
    -> (loss: Scalar, gradient: [Matrix<Scalar>]) {
    let x = Variable(X)
    let r = valueWithGradient(at: W) { loss($0, x, objective) }
    return (r.value, r.gradient)
}

/// The loss and its gradients with respect to the first pre-activation Z = W[0] X and the
/// later weights W[1...], at constant values (no graph kept): dL/dW[0] is then dL/dZ X^T.
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func lossAndGradient<Scalar>(firstPreactivation Z: Matrix<Scalar>, later W: ArraySlice<Matrix<Scalar>>,
                                    _ objective: Objective<Scalar>)
    -> (loss: Scalar, gradient: [Matrix<Scalar>]) {
    let r = valueWithGradient(at: [Z] + W) { v in loss(firstPreactivation: v[0], later: v.dropFirst(), objective) }
    return (r.value, r.gradient)
}

/// ||dL/dW||^2 summed over all layers (the quantity gradient-norm teleportation increases).
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func squaredGradientNorm<Scalar>(_ W: [Matrix<Scalar>], _ X: Matrix<Scalar>,
                                        _ objective: Objective<Scalar>) -> Scalar {
    lossAndGradient(W, X, objective).gradient.reduce(0) { $0 + $1.dot($1) }
}
