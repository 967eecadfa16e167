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
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func transformPairs<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                   by g: [Matrix<Scalar>]) -> [Matrix<Scalar>] {
    transformPairs(W.map { Variable($0) }, input: Variable(X), by: g.map { Variable($0) }).map(\.value)
}

// MARK: the published code's hidden inputs

/// How a teleport obtains the hidden input each layer pair acts with.
public enum HiddenInputs: String, Sendable, Codable {
    /// PROTOCOL.md's correction: pair m acts with sigma(W'[m-1] h), recomputed from the
    /// already transformed weights, inside the graph (so dh/dT[m-1] counts).
    case exact
    /// The published code's: the hidden inputs of the teleport's start, held constant inside
    /// each step's graph and updated to first order after it, h[m] <- (I + T[m-1]) h[m].
    case firstOrder
}

/// The hidden inputs h(0) = X, h(m) = sigma(W[m-1] h(m-1)) of every pair (m = 0 ... L-2).
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func hiddenInputs<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>) -> [Matrix<Scalar>] {
    var h = [X]
    for m in 0..<max(0, W.count - 2) { h.append(matmul(W[m], h[m]).leakyReLU(Scalar(leakySlope))) }
    return h
}

/// The published `transformPairs`: pair m (in order) acts on the current U = W'[m+1] and
/// V = W'[m] with the given hidden input `hidden[m]`, which is not recomputed from the
/// transformed weights.
@inlinable
public func transformPairs<Scalar>(_ W: [Variable<Scalar>], hidden: [Variable<Scalar>],
                                   by g: [Variable<Scalar>]) -> [Variable<Scalar>] {
    ensure(g.count == W.count - 1 && hidden.count == W.count - 1, "one group element and hidden input per pair")
    var out = W
    for m in 0..<(W.count - 1) {
        let pair = groupAction(g[m], U: out[m + 1], V: out[m], h: hidden[m])
        out[m + 1] = pair.U
        out[m] = pair.V
    }
    return out
}

/// The published code's update of the hidden inputs after a step with g[m] = I + T[m]:
/// h[m] <- (I + T[m-1]) h[m] for m >= 1 (a first-order stand-in for sigma(g V h)).
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func firstOrderHiddenUpdate<Scalar>(_ hidden: [Matrix<Scalar>], T: [Matrix<Scalar>]) -> [Matrix<Scalar>] {
    var h = hidden
    for m in 1..<max(1, h.count) { h[m] = matmul(Matrix<Scalar>.identity(T[m - 1].rows) + T[m - 1], h[m]) }
    return h
}

// MARK: one teleport step, shared by the teleports

/// The teleport's variables at the identity: T[m] = 0 (one k x k leaf per pair, k = rows of
/// W[m]) and the weights g.W with g[m] = I + T[m], in the graph of T. With `hidden` (the
/// published code's held hidden inputs) pair m acts with hidden[m]; without, with the exact
/// hidden input of the already transformed weights.
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func actionAtIdentity<Scalar>(_ W: [Matrix<Scalar>], input x: Variable<Scalar>,
                                     hidden: [Matrix<Scalar>]?) -> (T: [Variable<Scalar>], gW: [Variable<Scalar>]) {
    let T = (0..<(W.count - 1)).map { m in
        Variable(Matrix<Scalar>.zeros(W[m].rows, W[m].rows), requiresGrad: true)
    }
    let g = T.map { eye($0.rows) + $0 }
    let w = W.map { Variable($0) }
    let gW = hidden.map { h in transformPairs(w, hidden: h.map { Variable($0) }, by: g) }
        ?? transformPairs(w, input: x, by: g)
    return (T, gW)
}

/// Applies the step g[m] = I + T[m] to every pair: with exact hidden inputs recomputed from X
/// when `hidden` is nil, else with the held `hidden`, which is then updated to first order
/// (`firstOrderHiddenUpdate`).
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func teleportStep<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>, T: [Matrix<Scalar>],
                                 hidden: inout [Matrix<Scalar>]?) -> [Matrix<Scalar>] {
    let g = T.map { Matrix<Scalar>.identity($0.rows) + $0 }
    guard let h = hidden else { return transformPairs(W, input: X, by: g) }
    hidden = firstOrderHiddenUpdate(h, T: T)
    return transformPairs(W.map { Variable($0) }, hidden: h.map { Variable($0) }, by: g.map { Variable($0) }).map(\.value)
}
