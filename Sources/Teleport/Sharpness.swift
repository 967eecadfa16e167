import Model
import Autodiff

// Sharpness of a minimum (PROTOCOL.md, "Sharpness phi and curvature psi"): the mean loss at
// randomly perturbed weights w + d, d with entries uniform in [0, 1) rescaled to norm r.
// The published statistic phi divides that mean by the batch size of the data used.

/// The loss at constant weights, without building a graph (forward pass only).
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func lossValue<Scalar>(_ W: [Matrix<Scalar>], _ X: Matrix<Scalar>,
                              _ objective: Objective<Scalar>) -> Scalar {
    var h = X
    for i in 0..<(W.count - 1) { h = matmul(W[i], h).leakyReLU(Scalar(leakySlope)) }
    let f = matmul(W[W.count - 1], h)
    switch objective {
    case .classification(let labels):
        // -log softmax(f)[label] = -(f[label] - logSumExp), only at the labels.
        let lse = f.logSumExp(over: .rows)
        var total: Scalar = 0
        for (j, label) in labels.enumerated() { total -= f[label, j] - lse[0, j] }
        return total / Scalar(labels.count)
    case .regression(let Y):
        return (f - Y).squaredNorm() / 2
    }
}

/// A random perturbation of every weight: entries uniform in [0, 1) (all positive, as in the
/// published code), rescaled so that the whole flattened vector has norm `radius`.
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func randomPerturbation<Scalar>(like W: [Matrix<Scalar>], radius: Double,
                                       using rng: inout SeededGenerator) -> [Matrix<Scalar>] {
    var d = W.map { w in
        Matrix<Scalar>(rows: w.rows, cols: w.cols, unsafeUninitialized: { entries in
            for i in entries.indices { entries[i] = Scalar(rng.uniform()) }
        })
    }
    let norm = d.reduce(Scalar(0)) { $0 + $1.squaredNorm() }.squareRoot()
    let scale = Scalar(radius) / norm
    for i in d.indices { d[i] *= scale }
    return d
}

/// Adds a perturbation layer by layer.
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func perturbed<Scalar>(_ W: [Matrix<Scalar>], by d: [Matrix<Scalar>]) -> [Matrix<Scalar>] {
    zip(W, d).map { $0 + $1 }
}

/// The radii of the sharpness statistic phi per dataset (PROTOCOL.md): MNIST 0.001..0.2 step
/// 0.01; Fashion-MNIST and CIFAR-10 0.0001..0.02 step 0.001 (numpy arange semantics: the end
/// is excluded).
public func sharpnessRadii(start: Double, end: Double, step: Double) -> [Double] {
    let n = Int(((end - start) / step).rounded(.up))
    return (0..<n).map { start + Double($0) * step }.filter { $0 < end }
}

/// phi(w) = mean over batches b and radii r (one fresh direction per radius per batch) of
/// L(w + d) on batch b, divided by the batch size (the published scaling).
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func phi<Scalar>(_ W: [Matrix<Scalar>], radii: [Double], batches: Int,
                        using rng: inout SeededGenerator,
                        batch: (Int) -> (input: Matrix<Scalar>, objective: Objective<Scalar>)) -> Double {
    var total = 0.0
    var batchSize = 0
    for b in 0..<batches {
        let (X, objective) = batch(b)
        batchSize = X.cols
        for r in radii {
            let d = randomPerturbation(like: W, radius: r, using: &rng)
            total += Double(lossValue(perturbed(W, by: d), X, objective))
        }
    }
    return total / Double(batches * radii.count) / Double(batchSize)
}

/// Sharpness teleportation (PROTOCOL.md): the gradient-norm loop with the objective replaced
/// by the mean perturbed loss at the transformed weights, over radii 0.1, 0.2, ..., 0.9 and
/// `directionsPerRadius` fresh random directions each (the true mean; the published code
/// divided by 10 radii while summing 9). Ascend to increase sharpness, descend to decrease;
/// stop once the objective exceeds `cap` (2.0).
///
/// Its gradient with respect to T is computed exactly but cheaply: d/dT mean_j L(g.W + d_j)
/// = (mean_j dL/dW at g.W + d_j) . d(g.W)/dT, one vector-Jacobian product through the action
/// instead of differentiating every perturbed forward pass.
public struct SharpnessTeleport: Sendable {
    /// Ascend (increase) or descend (decrease) the objective.
    public enum Direction: String, Sendable, Codable { case increase, decrease }

    public var steps: Int
    public var learningRate: Double
    public var direction: Direction
    public var radii: [Double]
    public var directionsPerRadius: Int
    public var cap: Double
    /// Exact hidden inputs (corrected) or the published code's first-order ones.
    public var hiddenInputs: HiddenInputs
    /// How many radii the mean divides by: nil for the true mean (`radii.count`); the
    /// published code divides by 10 while summing 9 radii.
    public var radiusDivisor: Int?
    /// How the perturbed losses are evaluated (`meanPerturbedLossInHiddenSpace`); the same
    /// values up to rounding.
    public var formulation: TeleportFormulation

    public init(steps: Int = 10, learningRate: Double, direction: Direction,
                radii: [Double] = (1...9).map { Double($0) / 10 }, directionsPerRadius: Int = 100,
                cap: Double = 2.0, hiddenInputs: HiddenInputs = .exact, radiusDivisor: Int? = nil,
                formulation: TeleportFormulation = .hiddenSpace) {
        self.steps = steps; self.learningRate = learningRate; self.direction = direction
        self.radii = radii; self.directionsPerRadius = directionsPerRadius; self.cap = cap
        self.hiddenInputs = hiddenInputs; self.radiusDivisor = radiusDivisor; self.formulation = formulation
    }

    /// The published code's sharpness teleport: first-order hidden inputs, the sum over 9
    /// radii divided by 10.
    public static func published(steps: Int = 10, learningRate: Double, direction: Direction,
                                 directionsPerRadius: Int = 100, cap: Double = 2.0) -> SharpnessTeleport {
        SharpnessTeleport(steps: steps, learningRate: learningRate, direction: direction,
                          directionsPerRadius: directionsPerRadius, cap: cap, hiddenInputs: .firstOrder, radiusDivisor: 10)
    }

    /// One record per evaluation: the mean perturbed loss before that step's update.
    public struct Record: Sendable { public var meanPerturbedLoss: Double }

    @_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
    public func callAsFunction<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                       _ objective: Objective<Scalar>,
                                       using rng: inout SeededGenerator)
        -> (weights: [Matrix<Scalar>], records: [Record]) {
        var W = W
        var records: [Record] = []
        let x = Variable(X)
        var hidden = hiddenInputs == .firstOrder ? Teleport.hiddenInputs(W, input: X) : nil
        for _ in 0..<steps {
            let (T, gW) = actionAtIdentity(W, input: x, hidden: hidden)
            let point = gW.map(\.value)
            let (meanLoss, meanGrad) = formulation == .general
                ? meanPerturbedLoss(point, X, objective, using: &rng)
                : meanPerturbedLossInHiddenSpace(point, X, objective, using: &rng)
            records.append(Record(meanPerturbedLoss: meanLoss))
            if meanLoss > cap || !meanLoss.isFinite { break }
            let pairing = sum(zip(gW, meanGrad).map { $0.dot(Variable($1)) })
            let dT = grad(of: pairing, wrt: T)
            let sign: Scalar = direction == .increase ? 1 : -1
            W = teleportStep(W, input: X, T: dT.map { $0.value * (sign * Scalar(learningRate)) }, hidden: &hidden)
        }
        return (W, records)
    }

    /// The divisor of the mean: the true count, or the published 10 radii.
    var count: Int { (radiusDivisor ?? radii.count) * directionsPerRadius }

    /// The mean perturbed loss at `point` and the mean gradient at the perturbed points, each
    /// perturbed network evaluated on the batch X (the reference).
    func meanPerturbedLoss<Scalar>(_ point: [Matrix<Scalar>], _ X: Matrix<Scalar>, _ objective: Objective<Scalar>,
                                   using rng: inout SeededGenerator) -> (Double, [Matrix<Scalar>]) {
        var meanLoss = 0.0
        var meanGrad = point.map { Matrix<Scalar>.zeros($0.rows, $0.cols) }
        for r in radii {
            for _ in 0..<directionsPerRadius {
                let d = randomPerturbation(like: point, radius: r, using: &rng)
                let (L, g) = lossAndGradient(perturbed(point, by: d), X, objective)
                meanLoss += Double(L) / Double(count)
                for m in meanGrad.indices { meanGrad[m].add(g[m], scaledBy: 1 / Scalar(count)) }
            }
        }
        return (meanLoss, meanGrad)
    }

    /// `meanPerturbedLoss` with the first layer in the hidden space: (W[0] + d[0]) X =
    /// Z + d[0] X with Z = W[0] X formed once, the products d[0] X of 16 directions as one
    /// matrix product, and the mean of dL/dW[0] = D X^T (D = dL/dZ) formed as (mean of D) X^T,
    /// one product instead of one per direction. The directions are drawn in the same order.
    func meanPerturbedLossInHiddenSpace<Scalar>(_ point: [Matrix<Scalar>], _ X: Matrix<Scalar>,
                                                _ objective: Objective<Scalar>,
                                                using rng: inout SeededGenerator) -> (Double, [Matrix<Scalar>]) {
        let Z = matmul(point[0], X), k = point[0].rows
        var meanD = Matrix<Scalar>.zeros(Z.rows, Z.cols)
        var meanLater = point.dropFirst().map { Matrix<Scalar>.zeros($0.rows, $0.cols) }
        var meanLoss = 0.0
        let scale = 1 / Scalar(count)
        for r in radii {
            var left = directionsPerRadius
            while left > 0 {
                let chunk = min(16, left)
                left -= chunk
                let d = (0..<chunk).map { _ in randomPerturbation(like: point, radius: r, using: &rng) }
                let dX = matmul(vconcat(d.map { $0[0] }), X)                       // (chunk k) x batch
                for j in 0..<chunk {
                    let later = zip(point.dropFirst(), d[j].dropFirst()).map { $0 + $1 }
                    let (L, g) = perturbedLossAndGradient(Z + dX.slice(rows: (j * k)..<((j + 1) * k)),
                                                          later: later[...], objective)
                    meanLoss += Double(L) / Double(count)
                    meanD.add(g[0], scaledBy: scale)
                    for m in meanLater.indices { meanLater[m].add(g[m + 1], scaledBy: scale) }
                }
            }
        }
        return (meanLoss, [matmul(meanD, X, transposeB: true)] + meanLater)
    }

    /// The loss of one perturbed network from its first pre-activation, and the gradients:
    /// written out by hand for classification (`classificationLossAndGradient`), through the
    /// autodiff otherwise.
    private func perturbedLossAndGradient<Scalar>(_ Z: Matrix<Scalar>, later: ArraySlice<Matrix<Scalar>>,
                                                  _ objective: Objective<Scalar>) -> (Scalar, [Matrix<Scalar>]) {
        switch objective {
        case .classification(let labels):
            return classificationLossAndGradient(firstPreactivation: Z, later: later, labels: labels)
        case .regression:
            return lossAndGradient(firstPreactivation: Z, later: later, objective)
        }
    }
}
