import Model
import Teleport
import Autodiff
import Foundation

/// The two-layer linear regression L(W1, W2) = 1/(2n) ||Y - W2 W1 X||_F^2 (X: inputs x n,
/// Y: outputs x n, W1: hidden x inputs, W2: outputs x hidden) with its GL(hidden) symmetry
/// g.(W1, W2) = (g W1, W2 g^-1), which leaves W2 W1 and hence the loss unchanged.
///
/// Stochastic loss L(w, xi): the same loss on a minibatch xi drawn uniformly without
/// replacement, so that E L(w, xi) = L(w). With hidden >= min(inputs, outputs) every
/// product W2 W1 is reachable: L* is the least-squares residual of Y on X, and
/// inf_w L(w, xi) is the least-squares residual on the batch.
///
/// The orbit is not compact: ||grad L|| is unbounded on it and so is the smoothness constant
/// beta on it. The teleport is therefore a bounded search (a few ascent steps on
/// ||grad L||^2, staying inside a ball ||w|| <= radius) and beta is estimated as the largest
/// Hessian eigenvalue met on visited points.
public struct TwoLayerLinearRegression: Sendable {
    public let X: Matrix<Double>
    public let Y: Matrix<Double>
    public let hidden: Int

    public init(X: Matrix<Double>, Y: Matrix<Double>, hidden: Int) {
        ensure(X.cols == Y.cols && hidden >= min(X.rows, Y.rows))
        self.X = X; self.Y = Y; self.hidden = hidden
    }

    /// A seeded instance: X standard normal, Y = B X + noise * N(0, 1) with B standard normal
    /// divided by sqrt(inputs).
    public static func random(inputs: Int, hidden: Int, outputs: Int, samples: Int, noise: Double,
                              using rng: inout SeededGenerator) -> TwoLayerLinearRegression {
        let X = Matrix<Double>.normal(inputs, samples, using: &rng)
        let B = Matrix<Double>.normal(outputs, inputs, std: 1 / Double(inputs).squareRoot(), using: &rng)
        let Y = matmul(B, X) + Matrix<Double>.normal(outputs, samples, std: noise, using: &rng)
        return TwoLayerLinearRegression(X: X, Y: Y, hidden: hidden)
    }

    /// Weights (W1, W2) with i.i.d. N(0, scale^2) entries.
    public func initialWeights(scale: Double, using rng: inout SeededGenerator) -> Weights {
        Weights(W1: .normal(hidden, X.rows, std: scale, using: &rng),
                W2: .normal(Y.rows, hidden, std: scale, using: &rng))
    }

    /// The two weight matrices (W1, W2) of a point of the problem.
    public struct Weights: Sendable, Equatable {
        public var W1: Matrix<Double>
        public var W2: Matrix<Double>
        public init(W1: Matrix<Double>, W2: Matrix<Double>) { self.W1 = W1; self.W2 = W2 }
        public var squaredNorm: Double { W1.squaredNorm() + W2.squaredNorm() }
    }

    /// The loss on the columns `batch` of (X, Y) (all of them when nil).
    public func loss(_ w: Weights, batch: [Int]? = nil) -> Double {
        let (x, y) = data(batch)
        return (matmul(w.W2, matmul(w.W1, x)) - y).squaredNorm() / (2 * Double(x.cols))
    }

    /// (dL/dW1, dL/dW2) on the batch: with M = (W2 W1 X - Y) X^T / n, dL/dW1 = W2^T M and
    /// dL/dW2 = M W1^T.
    public func gradient(_ w: Weights, batch: [Int]? = nil) -> Weights {
        let M = residualMoment(w, batch: batch)
        return Weights(W1: matmul(w.W2, M, transposeA: true), W2: matmul(M, w.W1, transposeB: true))
    }

    /// ||grad L(w)||^2 on the full data.
    public func squaredGradientNorm(_ w: Weights) -> Double { gradient(w).squaredNorm }

    func residualMoment(_ w: Weights, batch: [Int]?) -> Matrix<Double> {
        let (x, y) = data(batch)
        return matmul(matmul(w.W2, matmul(w.W1, x)) - y, x, transposeB: true) * (1 / Double(x.cols))
    }

    func data(_ batch: [Int]?) -> (Matrix<Double>, Matrix<Double>) {
        guard let batch else { return (X, Y) }
        return (X.columns(batch), Y.columns(batch))
    }

    /// min over W2 W1 of the loss on the batch: the least-squares residual of Y_b on X_b.
    public func infimum(batch: [Int]? = nil) -> Double {
        let (x, y) = data(batch)
        let B = matmul(y, pinv(x))
        return (matmul(B, x) - y).squaredNorm() / (2 * Double(x.cols))
    }

    /// L* = inf_w L(w) on the full data.
    public var optimalValue: Double { infimum() }

    /// sigma^2 = L* - E[inf_w L(w, xi)], the expectation estimated over `draws` minibatches.
    public func sigmaSquared(batchSize: Int, draws: Int, using rng: inout SeededGenerator) -> Double {
        var total = 0.0
        for _ in 0..<draws { total += infimum(batch: sampleBatch(batchSize, using: &rng)) }
        return optimalValue - total / Double(draws)
    }

    /// `size` distinct column indices, uniformly at random.
    public func sampleBatch(_ size: Int, using rng: inout SeededGenerator) -> [Int] {
        var idx = Array(0..<X.cols)
        for i in 0..<size { idx.swapAt(i, i + rng.int(below: X.cols - i)) }
        return Array(idx[0..<size])
    }

    /// The gradient of f(g) = ||grad L(g.w)||^2 over g = I + T at T = 0: with
    /// P = W1 M^T M W1^T and Q = W2^T M M^T W2, f(g) = tr(g P g^T) + tr(g^-T Q g^-1), so
    /// df/dT = 2 (P - Q).
    public func teleportAscentDirection(_ w: Weights) -> Matrix<Double> {
        let M = residualMoment(w, batch: nil)
        let MW1 = matmul(M, w.W1, transposeB: true)        // M W1^T
        let MtW2 = matmul(M, w.W2, transposeA: true)       // M^T W2
        let P = matmul(MW1, MW1, transposeA: true)
        let Q = matmul(MtW2, MtW2, transposeA: true)
        return (P - Q) * 2
    }

    /// g.w = (g W1, W2 g^-1).
    public func act(_ g: Matrix<Double>, on w: Weights) -> Weights? {
        guard let gInvT = solve(g.transposed(), w.W2.transposed()) else { return nil }
        return Weights(W1: matmul(g, w.W1), W2: gInvT.transposed())
    }

    /// Bounded teleport: `steps` ascent steps g = I + T on ||grad L||^2 (full data), T =
    /// stepSize * df/dT with ||T||_F clipped to `maxStep`; a step whose result leaves the ball
    /// ||w|| <= radius is halved (up to 30 times) and the search stops when none fits.
    public func teleport(_ w: Weights, steps: Int, stepSize: Double, maxStep: Double, radius: Double) -> Weights {
        var w = w
        for _ in 0..<steps {
            var T = teleportAscentDirection(w) * stepSize
            let size = T.norm()
            if size == 0 || !size.isFinite { break }
            if size > maxStep { T = T * (maxStep / size) }
            var accepted: Weights? = nil
            for _ in 0..<30 {
                if let next = act(Matrix.identity(hidden) + T, on: w), next.squaredNorm <= radius * radius {
                    accepted = next; break
                }
                T = T * 0.5
            }
            guard let next = accepted else { break }
            w = next
        }
        return w
    }

    /// The largest |eigenvalue| of the Hessian of the full-data loss at w (the local
    /// smoothness constant), by power iteration on Hessian-vector products: H v is the
    /// Jacobian-vector product of the autodiff gradient along v.
    public func hessianTopEigenvalue(_ w: Weights, iterations: Int = 50,
                                     using rng: inout SeededGenerator) -> Double {
        let W1 = Variable(w.W1, requiresGrad: true), W2 = Variable(w.W2, requiresGrad: true)
        let L = (matmul(W2, matmul(W1, Variable(X))) - Variable(Y)).squaredNorm() * (0.5 / Double(X.cols))
        let g = grad(of: L, wrt: [W1, W2], createGraph: true)
        let flat = vconcat([g[0].flattened(), g[1].flattened()])
        var v = Matrix<Double>.normal(flat.rows, 1, using: &rng)
        var lambda = 0.0
        for _ in 0..<iterations {
            v = v * (1 / v.norm())
            let v1 = v.slice(rows: 0..<w.W1.count).reshaped(w.W1.rows, w.W1.cols)
            let v2 = v.slice(rows: w.W1.count..<v.rows).reshaped(w.W2.rows, w.W2.cols)
            let Hv = jvp(of: flat, wrt: [W1, W2], tangents: [Variable(v1), Variable(v2)]).value
            lambda = Hv.norm()
            v = Hv
            if lambda == 0 { break }
        }
        return lambda
    }

    /// What one SGD trajectory records per iteration t = 0..<T (full-data quantities).
    public struct Trajectory: Sendable {
        /// ||grad L(w_t)||^2.
        public var squaredGradientNorm: [Double]
        /// ||grad L(w_t^+)||^2 at the bounded teleport target w_t^+ of w_t (for plain SGD
        /// computed for comparison only; the iterate does not move there).
        public var teleportSquaredGradientNorm: [Double]
        /// L(w_t).
        public var loss: [Double]
        /// Points visited (teleport targets when teleporting, else iterates), every
        /// `sampleEvery` steps, for the post-hoc smoothness check.
        public var samples: [Weights]
    }

    /// SGD on minibatches of `batchSize` with step eta for T steps, teleporting (bounded
    /// search) before every step when asked.
    public func sgd(from w0: Weights, steps T: Int, learningRate eta: Double, batchSize: Int, teleport: Bool,
                    search: (Weights) -> Weights, sampleEvery: Int,
                    using rng: inout SeededGenerator) -> Trajectory {
        var w = w0
        var out = Trajectory(squaredGradientNorm: [], teleportSquaredGradientNorm: [], loss: [], samples: [])
        for t in 0..<T {
            out.squaredGradientNorm.append(squaredGradientNorm(w))
            out.loss.append(loss(w))
            let target = search(w)
            out.teleportSquaredGradientNorm.append(squaredGradientNorm(target))
            if teleport { w = target }
            if t % sampleEvery == 0 { out.samples.append(w) }
            let g = gradient(w, batch: sampleBatch(batchSize, using: &rng))
            w = Weights(W1: w.W1 - g.W1 * eta, W2: w.W2 - g.W2 * eta)
            if !out.loss[t].isFinite { break }
        }
        return out
    }
}
