import Model
import Teleport
import Autodiff

/// One base problem of Result 5: the regression 0.5 ||Y - f(X)||_F^2 of a bias-free MLP
/// (PROTOCOL.md), with X, Y and the initial weights all uniform in [0, 1).
public struct RegressionProblem<Scalar: BLASScalar>: Sendable {
    /// Inputs, (features x batch).
    public var X: Matrix<Scalar>
    /// Targets, (outputs x batch).
    public var Y: Matrix<Scalar>
    /// The initial weights W[0], ..., W[L-1].
    public var initialWeights: [Matrix<Scalar>]

    public init(X: Matrix<Scalar>, Y: Matrix<Scalar>, initialWeights: [Matrix<Scalar>]) {
        self.X = X; self.Y = Y; self.initialWeights = initialWeights
    }

    /// A random problem with `dimensions` [n, d0, d1, ..., dL] in the published code's
    /// convention: X is (d0 x n), W[i] is (d(i+1) x d(i)), Y is (dL x n); every entry uniform in
    /// [0, 1), drawn weights first, then X, then Y. Result 5 uses [20, 20, 20, 20].
    public init(dimensions: [Int], seed: UInt64) {
        ensure(dimensions.count >= 3, "dimensions are [batch, input, ..., output]")
        var rng = SeededGenerator(seed: seed)
        let d = dimensions
        initialWeights = (0..<(d.count - 2)).map { i in Matrix.uniform(d[i + 2], d[i + 1], using: &rng) }
        X = Matrix.uniform(d[1], d[0], using: &rng)
        Y = Matrix.uniform(d[d.count - 1], d[0], using: &rng)
    }

    /// The regression objective with target Y.
    public var objective: Objective<Scalar> { .regression(target: Y) }

    /// The shapes (rows, cols) of the weights.
    public var weightShapes: [(rows: Int, cols: Int)] { initialWeights.map { ($0.rows, $0.cols) } }

    /// The loss L(W) at concrete weights.
    public func loss(_ W: [Matrix<Scalar>]) -> Scalar {
        Model.loss(W.map { Variable($0) }, Variable(X), objective).scalar
    }
}
