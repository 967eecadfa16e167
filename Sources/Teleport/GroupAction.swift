import Model
import Autodiff

// The symmetry of PROTOCOL.md ("Symmetry and teleportation"): an invertible g (k x k, k =
// rows of V) acts on a consecutive pair of weights (U = W[m+1], V = W[m]) whose layer input
// is h = h(m):
//     V -> g V,    U -> U sigma(V h) pinv(sigma(g V h)).
// The network output on that batch is unchanged exactly when the batch size is at most the
// hidden width k; with larger batches pinv(.)(.) is only a projector and the loss moves a
// little (inherent to the method).

/// A transformed layer pair.
public struct LayerPair<Scalar: BLASScalar> {
    /// The outer weight W[m+1].
    public var U: Variable<Scalar>
    /// The inner weight W[m].
    public var V: Variable<Scalar>
    /// The next layer's input after the action, sigma(g V h) = sigma(V' h) (reused by
    /// `transformPairs` instead of recomputing the product V' h).
    public var output: Variable<Scalar>

    @inlinable
    public init(U: Variable<Scalar>, V: Variable<Scalar>, output: Variable<Scalar>) {
        self.U = U; self.V = V; self.output = output
    }
}

/// g . (U, V) with layer input h: V -> g V, U -> U sigma(V h) pinv(sigma(g V h)).
@inlinable
public func groupAction<Scalar>(_ g: Variable<Scalar>, U: Variable<Scalar>, V: Variable<Scalar>,
                                h: Variable<Scalar>) -> LayerPair<Scalar> {
    let Vh = matmul(V, h)
    let sigmaGVh = sigma(matmul(g, Vh))
    return LayerPair(U: matmul(matmul(U, sigma(Vh)), pinv(sigmaGVh)), V: matmul(g, V), output: sigmaGVh)
}

/// The action of g = I + T, T in the Lie algebra gl(k).
@inlinable
public func groupAction<Scalar>(identityPlus T: Variable<Scalar>, U: Variable<Scalar>,
                                V: Variable<Scalar>, h: Variable<Scalar>) -> LayerPair<Scalar> {
    groupAction(eye(T.rows) + T, U: U, V: V, h: h)
}

/// The action of g = exp(t M), a one-parameter subgroup (t is 1 x 1).
@inlinable
public func groupAction<Scalar>(exp t: Variable<Scalar>, M: Variable<Scalar>, U: Variable<Scalar>,
                                V: Variable<Scalar>, h: Variable<Scalar>) -> LayerPair<Scalar> {
    groupAction(matrixExp(M * t), U: U, V: V, h: h)
}

/// Applies g[m] to every pair (W[m+1], W[m]) in order m = 0, 1, ..., L-2. Each pair receives
/// the exact hidden input sigma(W'[m-1] h) computed from the already transformed weights (the
/// published code updated it only to first order, h <- (I + T) h; PROTOCOL.md asks for the
/// exact recomputation).
@inlinable
public func transformPairs<Scalar>(_ W: [Variable<Scalar>], input X: Variable<Scalar>,
                                   by g: [Variable<Scalar>]) -> [Variable<Scalar>] {
    ensure(g.count == W.count - 1, "one group element per layer pair")
    var out = W
    var h = X
    for m in 0..<(W.count - 1) {
        let pair = groupAction(g[m], U: out[m + 1], V: out[m], h: h)
        out[m + 1] = pair.U
        out[m] = pair.V
        h = pair.output
    }
    return out
}

/// `transformPairs` with g[m] = I + T[m].
@inlinable
public func transformPairs<Scalar>(_ W: [Variable<Scalar>], input X: Variable<Scalar>,
                                   identityPlus T: [Variable<Scalar>]) -> [Variable<Scalar>] {
    transformPairs(W, input: X, by: T.map { eye($0.rows) + $0 })
}

/// Constant-weight convenience: g . W for concrete matrices.
public func transformPairs<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                   by g: [Matrix<Scalar>]) -> [Matrix<Scalar>] {
    transformPairs(W.map { Variable($0) }, input: Variable(X), by: g.map { Variable($0) }).map(\.value)
}
