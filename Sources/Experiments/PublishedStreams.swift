import Model
import Tensor

/// The published code's random draws, from PyTorch's stream (`TorchGenerator`; PROTOCOL.md,
/// "Published mode and corrected mode"; ../reference/torch-rng/README.md).
public enum PublishedStreams {
    /// `random_split(range(count), [trainCount, count - trainCount],
    /// generator=torch.Generator().manual_seed(seed))`: the training indices in the order a
    /// SequentialSampler visits them (the published training order of MNIST and
    /// Fashion-MNIST), then the held-out ones.
    public static func split(count: Int = 60_000, trainCount: Int = 50_000, seed: UInt64 = 1)
        -> (train: [Int], validation: [Int]) {
        precondition(trainCount >= 0 && trainCount <= count)
        var generator = TorchGenerator(seed: seed)
        let order = generator.randperm(count)
        return (Array(order[..<trainCount]), Array(order[trainCount...]))
    }

    /// The initial-weights seed of run `i` in correlation.py and teleport_optimization.py.
    public static func runSeed(_ i: Int) -> UInt64 { UInt64(i + 1) * 54321 }
}

extension PublishedStreams {
    /// correlation.py's draws for measurement curve `curve` of a model of `shape`:
    /// `manual_seed(12345 curve)`, then for every layer pair m an M (k x k, k = dims[m + 1],
    /// `rand` in float32 divided by its Frobenius norm) for psi, then for every radius t a
    /// direction `rand(P) / norm * t` (float32, P parameters, in `shape.matrices` layout; the
    /// norm from the exactly rounded sum of squares, `TorchGenerator.randSquaredNorm`) for phi.
    /// The draws depend on the curve only, not on the model.
    public static func measurementDraws(curve: Int, shape: MLPShape, radii: [Double])
        -> (M: [Matrix<Double>], directions: [[Matrix<Float>]]) {
        var g = TorchGenerator(seed: UInt64(12345 * curve))
        let M = curvatureDirections(shape, &g)
        let directions = radii.map { t in
            var values = [Float](repeating: 0, count: shape.parameterCount)
            let norm = Float(values.withUnsafeMutableBufferPointer { g.randSquaredNorm(into: $0) }.squareRoot())
            return shape.matrices(values.map { $0 / norm * Float(t) })
        }
        return (M, directions)
    }

    /// The same draws with each phi direction added to `W` as it is drawn: `body` gets
    /// W + rand(P) / norm * t for every radius t in order, bit for bit
    /// `perturbed(W, by: measurementDraws(...).directions[i])`, and M is returned. The norm
    /// comes from a copy of the stream run ahead, then the same draws go straight into the
    /// perturbed copy of W, which is reused from radius to radius (in place unless `body` kept
    /// it): no direction is stored. The norms depend on the curve and the shape only, so the
    /// process keeps them (`directionNorms`) for the next model measured on the curve. This is
    /// what the experiments measure phi with.
    public static func measurementDraws(curve: Int, shape: MLPShape, radii: [Double],
                                        perturbing W: [Matrix<Float>],
                                        _ body: ([Matrix<Float>]) -> Void) -> [Matrix<Double>] {
        ensure(W.count == shape.layerCount && W.indices.allSatisfy {
            (W[$0].rows, W[$0].cols) == shape.weightShape($0) }, "measurementDraws: W is not of the shape")
        var g = TorchGenerator(seed: UInt64(12345 * curve))
        let M = curvatureDirections(shape, &g)
        var perturbed = W
        for (radius, t) in radii.enumerated() {
            let norm = directionNorms.value([curve, radius] + shape.dims) {
                var ahead = g
                return Float(ahead.randSquaredNorm(count: shape.parameterCount).squareRoot())
            }
            let scale = Float(t)
            for i in W.indices {
                W[i].scalars.withUnsafeBufferPointer { base in
                    perturbed[i].scalars.withUnsafeMutableBufferPointer { target in
                        g.rand(perturbing: base, over: norm, times: scale, into: target)
                    }
                }
            }
            body(perturbed)
        }
        return M
    }

    /// The norms of phi's directions by curve, radius index (not the radius itself: it only
    /// scales the direction) and the shape's widths, for the life of the process.
    static let directionNorms = SharedValues<[Int], Float>()

    /// psi's M of every layer pair m (k x k, k = dims[m + 1]): `rand` in float32 divided by its
    /// Frobenius norm, the first draws of a curve's stream.
    private static func curvatureDirections(_ shape: MLPShape, _ g: inout TorchGenerator) -> [Matrix<Double>] {
        (0..<(shape.layerCount - 1)).map { m in
            let k = shape.dims[m + 1]
            let values = g.rand(k * k)
            let norm = Float(values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
            return Matrix(rows: k, cols: k, scalars: values.map { Double($0 / norm) })
        }
    }
}
