import Model
import Teleport
import Autodiff

// The action used by the meta-learned optimisers of Result 5 (PROTOCOL.md): the group element
// is g = I + T with T in the Lie algebra gl(k), applied to first order in T. For the pair
// (U = W[m+1], V = W[m]) with layer input h,
//     U -> U (I - T),    V -> sigmaInv((I + T) sigma(V h)) pinv(h).
// U (I - T) approximates U g^{-1}, and V h -> sigmaInv(g sigma(V h)) exactly when h has full
// row rank, so the loss is preserved only to first order in T (unlike `groupAction`, which
// is exact for small batches). The meta-optimisers keep ||T||_F small (0.01) for that reason.

/// T / ||T||_F * magnitude: T rescaled to Frobenius norm `magnitude` (differentiable).
/// A zero T is returned unchanged.
@inlinable
public func rescaled<Scalar>(_ T: Variable<Scalar>, toFrobeniusNorm magnitude: Scalar) -> Variable<Scalar> {
    let norm = T.frobeniusNorm()
    if norm.scalar == 0 { return T }
    return T / norm * magnitude
}

/// The first-order action of g = I + T on the pair (U, V) with layer input h:
/// U -> U (I - T), V -> sigmaInv((I + T) sigma(V h)) pinv(h). `hPinv`, when given, is pinv(h).
@inlinable
public func lieAlgebraAction<Scalar>(_ T: Variable<Scalar>, U: Variable<Scalar>, V: Variable<Scalar>,
                                     h: Variable<Scalar>, hPinv: Variable<Scalar>? = nil) -> LayerPair<Scalar> {
    let s = sigma(matmul(V, h))
    let gs = s + matmul(T, s)
    let newV = matmul(sigmaInverse(gs), hPinv ?? pinv(h))
    // The action is first order only: sigma(V' h) is recomputed, not taken to be (I + T) s.
    return LayerPair(U: U - matmul(U, T), V: newV, output: sigma(matmul(newV, h)))
}

/// Applies `lieAlgebraAction` with T[m] to every pair (W[m+1], W[m]) in order m = 0, 1, ...,
/// each with the hidden input recomputed from the already transformed weights,
/// h(m+1) = sigma(W'[m] h(m)), h(0) = X. With `magnitude`, each T[m] is first rescaled to that
/// Frobenius norm. Differentiable in W, X and T.
@inlinable
public func lieAlgebraTeleport<Scalar>(_ W: [Variable<Scalar>], input X: Variable<Scalar>,
                                       T: [Variable<Scalar>], magnitude: Scalar? = nil) -> [Variable<Scalar>] {
    ensure(T.count == W.count - 1, "one Lie algebra element per layer pair")
    var out = W
    var h = X
    for m in 0..<(W.count - 1) {
        let t = magnitude.map { rescaled(T[m], toFrobeniusNorm: $0) } ?? T[m]
        let pair = lieAlgebraAction(t, U: out[m + 1], V: out[m], h: h)
        out[m + 1] = pair.U
        out[m] = pair.V
        h = pair.output
    }
    return out
}

/// Constant-weight convenience: `lieAlgebraTeleport` on concrete matrices.
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func lieAlgebraTeleport<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                       T: [Matrix<Scalar>], magnitude: Scalar? = nil) -> [Matrix<Scalar>] {
    lieAlgebraTeleport(W.map { Variable($0) }, input: Variable(X), T: T.map { Variable($0) },
                       magnitude: magnitude).map(\.value)
}

/// Teleportation by gradient ascent on the Lie algebra action (the baseline the learned
/// teleports of Result 5 replace). Each of `steps` iterations sets T_m = 0 for every pair,
/// evaluates f(T) = ||dL/dW (g.W)||^2 on (X, objective) with g.W from `lieAlgebraTeleport`,
/// sets T_m = learningRate * df/dT_m and applies `lieAlgebraTeleport` with these T (no
/// rescaling).
public struct LieAlgebraGradientAscent: Sendable {
    /// Number of ascent steps.
    public var steps: Int
    /// Step size of the ascent on T.
    public var learningRate: Double

    public init(steps: Int = 10, learningRate: Double) {
        self.steps = steps; self.learningRate = learningRate
    }

    /// df/dT_m at T = 0 for every pair, with f(T) = ||dL/dW(g.W)||^2.
    @_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
    public static func ascentDirection<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                               _ objective: Objective<Scalar>) -> [Matrix<Scalar>] {
        let x = Variable(X)
        let T = (0..<(W.count - 1)).map { m in
            Variable(Matrix<Scalar>.zeros(W[m].rows, W[m].rows), requiresGrad: true)
        }
        // The loss gets its own copies of the transformed weights, so that dL/dW is the
        // gradient at g.W rather than a total derivative through later pairs' hidden inputs.
        let gW = lieAlgebraTeleport(W.map { Variable($0) }, input: x, T: T).map { $0 + 0 }
        let dLdW = grad(of: loss(gW, x, objective), wrt: gW, createGraph: true)
        let f = sum(dLdW.map { $0.squaredNorm() })
        return grad(of: f, wrt: T).map(\.value)
    }

    /// The teleported weights.
    @_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
    public func callAsFunction<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                       _ objective: Objective<Scalar>) -> [Matrix<Scalar>] {
        var W = W
        for _ in 0..<steps {
            let T = Self.ascentDirection(W, input: X, objective).map { $0 * Scalar(learningRate) }
            W = lieAlgebraTeleport(W, input: X, T: T)
        }
        return W
    }
}
