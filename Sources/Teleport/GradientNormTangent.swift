import Model
import Autodiff

// The gradient-norm ascent direction from the action's tangent at the identity, in closed
// form. f(T) = ||dL/dW (g.W)||^2 depends on T only through the transformed weights, so at
// T = 0 the chain rule gives df/dT = J^T c: c = 2 H t is the Hessian of the loss at W applied
// to its gradient t = dL/dW (`lossGradientAndHessianProduct`, by hand, with no group action
// involved), and J is the tangent of the action at the identity. For pair m (U = W[m+1],
// V = W[m], hidden input h, pre-activation P = V h, Y = sigma(P), S = sigma'(P)), moved by
// g = I + T (the action of GroupAction.swift):
//     dV = T V,    dU = -U (S .* (T P)) pinv(Y),
// because d(Y pinv(Y')) = (dY - dY') pinv(Y) when Y pinv(Y) = I (Y of full row rank, at most
// as many rows as the batch), with Y' = sigma(g V h) and dY' - dY = S .* (T P); the changes of
// V and h made by earlier pairs move Y and Y' alike and cancel. Hence
//     df/dT_m = c_V V^T - (S .* (U^T c_U pinv(Y)^T)) P^T.
// With the first layer in the hidden space (FirstLayerInHiddenSpace), c_V V^T for m = 0 is
// c_P P^T, c_P the Hessian product with respect to the first pre-activation, and the first
// layer's gradient enters t through the Gram matrix: t_P = D X^T X = D G.

/// One layer pair as the tangent sees it: its pre-activation P = V h, output Y = sigma(P) and
/// pinv(Y) with its rank.
public struct PairAtIdentity<Scalar: BLASScalar> {
    /// The pre-activation V h (k x batch).
    public var P: Matrix<Scalar>
    /// The output sigma(P), the next pair's exact hidden input.
    public var Y: Matrix<Scalar>
    /// pinv(Y) (batch x k), with PyTorch's cutoff.
    public var pinvY: Matrix<Scalar>
    /// The number of Y's singular values above the cutoff.
    public var rank: Int

    /// The pair with pre-activation P.
    public init(preactivation P: Matrix<Scalar>) {
        let Y = P.leakyReLU(Scalar(leakySlope))
        let inverse = pseudoInverse(Y)
        self.P = P; self.Y = Y; pinvY = inverse.pinv; rank = inverse.rank
    }

    /// Whether Y pinv(Y) = I: Y has full row rank, at most as many rows as the batch.
    var hasFullRowRank: Bool { Y.rows <= Y.cols && rank == Y.rows }
}

extension GradientNormTeleport {
    /// Every pair of W at the identity: pre-activations from the exact hidden inputs (each
    /// pair's output is the next one's input) or the held ones.
    static func pairsAtIdentity<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                        hidden: [Matrix<Scalar>]?) -> [PairAtIdentity<Scalar>] {
        var pairs: [PairAtIdentity<Scalar>] = []
        var h = hidden?[0] ?? X
        for m in 0..<(W.count - 1) {
            if m > 0 { h = hidden?[m] ?? pairs[m - 1].Y }
            pairs.append(PairAtIdentity(preactivation: matmul(W[m], h)))
        }
        return pairs
    }

    /// The step g_m = I + T_m on every pair in order with exact hidden inputs (`transformPairs`
    /// of GroupAction.swift, the same operations on plain matrices), and the new pairs at the
    /// identity, whose pre-activations g V h and pinvs the step has computed: the next
    /// direction starts from them.
    static func stepKeepingPairs<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                         T: [Matrix<Scalar>]) -> (weights: [Matrix<Scalar>], pairs: [PairAtIdentity<Scalar>]) {
        let slope = Scalar(leakySlope)
        var out = W, pairs: [PairAtIdentity<Scalar>] = []
        var h = X
        for m in 0..<(W.count - 1) {
            // V -> g V, U -> U sigma(V h) pinv(sigma(g V h)).
            let g = Matrix<Scalar>.identity(T[m].rows) + T[m]
            let Vh = matmul(out[m], h)
            let pair = PairAtIdentity(preactivation: matmul(g, Vh))
            out[m + 1] = matmul(matmul(out[m + 1], Vh.leakyReLU(slope)), pair.pinvY)
            out[m] = matmul(g, out[m])
            pairs.append(pair)
            h = pair.Y
        }
        return (out, pairs)
    }

    /// `ascentDirection(reduced:)` from the closed-form tangent of the action at the identity
    /// (see the top of this file): the same direction up to rounding, without differentiating
    /// through the action. `pairs` are W's pairs at the identity when known (from
    /// `stepKeepingPairs`). nil when some pair's output sigma(P) has more rows than the batch
    /// or is rank-deficient (pinv's cutoff), where Y pinv(Y) is not the identity: use the
    /// autodiff.
    @_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
    public static func tangentAscentDirection<Scalar>(reduced W: [Matrix<Scalar>], _ layer: FirstLayerInHiddenSpace<Scalar>,
                                                      _ objective: Objective<Scalar>, hidden: [Matrix<Scalar>]? = nil,
                                                      pairs known: [PairAtIdentity<Scalar>]? = nil)
        -> (loss: Scalar, squaredGradientNorm: Scalar, direction: [Matrix<Scalar>])? {
        let slope = Scalar(leakySlope)
        let pairs = known ?? pairsAtIdentity(W, input: layer.Z, hidden: hidden)
        guard pairs.allSatisfy(\.hasFullRowRank) else { return nil }

        // The loss from the first pre-activation (pair 0's P, unless the held input is not Z),
        // its gradient t = (D, dL/dW[1], ...) and c = 2 H t, where t's first entry, dL/dW[0] =
        // D X^T, moves the pre-activation by D X^T X = D G; f = ||D X^T||^2 + sum ||dL/dW[m]||^2.
        let p0 = hidden == nil || hidden![0] == layer.Z ? pairs[0].P : matmul(W[0], layer.Z)
        var f: Scalar = 0
        let (L, _, Ht) = lossGradientAndHessianProduct(firstPreactivation: p0, later: W.dropFirst(), objective) { t in
            let D = t[0]
            let (tP, firstTerm): (Matrix<Scalar>, Scalar) = {
                if let G = layer.gram { let dG = matmul(D, G); return (dG, dG.dot(D)) }
                let dX = matmul(D, layer.input, transposeB: true)
                return (matmul(dX, layer.input), dX.squaredNorm())
            }()
            f = t.dropFirst().reduce(firstTerm) { $0 + $1.squaredNorm() }
            return [tP] + t.dropFirst()
        }
        let c = Ht.map { $0 * 2 }

        // df/dT_m = c_V V^T - (S .* (U^T c_U pinv(Y)^T)) P^T, with c_P P^T for m = 0.
        let direction = pairs.indices.map { m -> Matrix<Scalar> in
            let P = pairs[m].P
            let cUPinv = matmul(matmul(W[m + 1], c[m + 1], transposeA: true), pairs[m].pinvY, transposeB: true)
            let N = Matrix.zip(cUPinv, P) { v, p in p > 0 ? v : slope * v }
            if m == 0 { return matmul(c[0] - N, P, transposeB: true) }
            return matmul(c[m], W[m], transposeB: true) - matmul(N, P, transposeB: true)
        }
        return (L, f, direction)
    }
}
