import Model
import Teleport
import Autodiff
import Tensor

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

    /// The published code's problem for `seed` (`init_param(dim, seed)` of the meta-learning
    /// scripts): `torch.manual_seed(seed)`, then `torch.rand` for each weight, X and Y, in the
    /// order and shapes of `init(dimensions:seed:)`, in float32 widened to `Scalar`. A negative
    /// seed (the published training seeds are n*n*12345 - 1, so -1 for n = 0) is read as its
    /// two's complement, as `torch.manual_seed` reinterprets it.
    public init(publishedDimensions d: [Int], seed: Int) {
        ensure(d.count >= 3, "dimensions are [batch, input, ..., output]")
        var torch = TorchGenerator(seed: UInt64(bitPattern: Int64(seed)))
        func rand(_ rows: Int, _ cols: Int) -> Matrix<Scalar> {
            Matrix(rows: rows, cols: cols, scalars: torch.rand(rows * cols).map { Scalar(Double($0)) })
        }
        initialWeights = (0..<(d.count - 2)).map { i in rand(d[i + 2], d[i + 1]) }
        X = rand(d[1], d[0])
        Y = rand(d[d.count - 1], d[0])
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
