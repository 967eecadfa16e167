import Autodiff
import Testing
import TestSupport
@testable import Teleport
@testable import Model

@Suite(.requires(.golden("sharpness.json")))
struct SharpnessGoldenTests {
    let g: Golden
    init() throws { g = try Golden.load("sharpness.json") }

    /// Splits a flat row-major direction into per-layer matrices and rescales it to norm r.
    func perturbation(_ flat: [Double], like W: [Matrix<Double>], radius: Double) -> [Matrix<Double>] {
        let norm = flat.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var offset = 0
        return W.map { w in
            defer { offset += w.count }
            return Matrix(rows: w.rows, cols: w.cols, scalars: flat[offset..<(offset + w.count)].map { $0 / norm * radius })
        }
    }

    @Test func perturbedLossesAndPhi() throws {
        let W = try g.mats("W"), X = try g.mat("X")
        let objective = Objective<Double>.classification(labels: try g.labels("Y"))
        let radii = try g.vector("radii")
        let directions = try g.mat("directions")
        var losses: [Double] = []
        for (i, r) in radii.enumerated() {
            let flat = Array(directions.scalars[(i * directions.cols)..<((i + 1) * directions.cols)])
            losses.append(lossValue(perturbed(W, by: perturbation(flat, like: W, radius: r)), X, objective))
        }
        #expect(try maxRelativeError(losses, g.vector("perturbed_losses")) < 1e-12)
        let phiValue = losses.reduce(0, +) / Double(losses.count) / Double(X.cols)
        #expect(try relativeError(phiValue, g.double("mean_over_batch_size")) < 1e-12)
    }
}

@Suite struct SharpnessProperties {
    @Test func radiiFollowNumpyArange() {
        let mnist = sharpnessRadii(start: 0.001, end: 0.2, step: 0.01)
        #expect(mnist.count == 20)
        #expect(abs(mnist.last! - 0.191) < 1e-12)
        let fashion = sharpnessRadii(start: 0.0001, end: 0.02, step: 0.001)
        #expect(fashion.count == 20)
    }

    /// The classification loss at constant weights takes log softmax at the labels only: the
    /// bits of the mean of -logSoftmax over the whole output at the labels.
    @Test func lossValueIsTheLogSoftmaxAtTheLabels() {
        let (W, X, labels) = TeleportPropertyTests.problem(dims: [12, 8, 6, 10], batch: 30, seed: 4)
        var h = X
        for i in 0..<(W.count - 1) { h = matmul(W[i], h).leakyReLU(Float(leakySlope)) }
        let logp = matmul(W[W.count - 1], h).logSoftmax(over: .rows)
        var total: Float = 0
        for (j, label) in labels.enumerated() { total -= logp[label, j] }
        #expect(lossValue(W, X, .classification(labels: labels)).bitPattern == (total / Float(labels.count)).bitPattern)
    }

    @Test func perturbationHasTheAskedNorm() {
        var rng = SeededGenerator(seed: 3)
        let W = [Matrix<Double>.zeros(4, 3), Matrix<Double>.zeros(2, 4)]
        let d = randomPerturbation(like: W, radius: 0.37, using: &rng)
        let norm = d.reduce(0) { $0 + $1.squaredNorm() }.squareRoot()
        #expect(abs(norm - 0.37) < 1e-12)
        #expect(d.allSatisfy { $0.scalars.allSatisfy { $0 >= 0 } })
    }

    /// The cheap gradient (mean perturbed gradient pulled back through the action) equals
    /// differentiating the mean perturbed loss through the action directly.
    @Test func sharpnessAscentDirectionMatchesDirectDifferentiation() {
        var rng = SeededGenerator(seed: 5)
        let dims = [5, 4, 3, 3]
        let W = (0..<3).map { i in Matrix<Double>(rows: dims[i + 1], cols: dims[i]) { _, _ in rng.uniform(-1, 1) } }
        let X = Matrix<Double>(rows: 5, cols: 7) { _, _ in rng.uniform() }
        let objective = Objective<Double>.classification(labels: [0, 1, 2, 0, 1, 2, 0])
        let radii = [0.1, 0.3]
        // Direct: build every perturbed loss in the graph.
        var directRng = SeededGenerator(seed: 9)
        let x = Variable(X)
        let T = (0..<2).map { m in Variable(Matrix<Double>.zeros(W[m].rows, W[m].rows), requiresGrad: true) }
        let gW = transformPairs(W.map { Variable($0) }, input: x, identityPlus: T)
        var terms: [Variable<Double>] = []
        for r in radii {
            for _ in 0..<3 {
                let d = randomPerturbation(like: W, radius: r, using: &directRng)
                terms.append(loss(zip(gW, d).map { $0 + Variable($1) }, x, objective))
            }
        }
        let mean = sum(terms) / Double(terms.count)
        let direct = grad(of: mean, wrt: T).map(\.value)
        // Teleport's cheap path, one step with learning rate 1: g = I + dT.
        var cheapRng = SeededGenerator(seed: 9)
        let teleport = SharpnessTeleport(steps: 1, learningRate: 1, direction: .increase, radii: radii,
                                         directionsPerRadius: 3, cap: .infinity)
        let moved = teleport(W, input: X, objective, using: &cheapRng).weights
        let expected = transformPairs(W, input: X, by: direct.map { Matrix<Double>.identity($0.rows) + $0 })
        #expect(relativeError(moved, expected) < 1e-10)
    }

    /// The hidden-space evaluation (chunks of 16 directions; 20 per radius crosses a chunk)
    /// against the general one: the same records and weights up to rounding, the same draws.
    @Test(arguments: [false, true])
    func hiddenSpaceEqualsGeneral(published: Bool) {
        let (W, X, labels) = PublishedTeleportTests.problem(dims: [30, 6, 5, 4], batch: 12, seed: 13)
        let objective = Objective<Double>.classification(labels: labels)
        func run(_ formulation: TeleportFormulation) -> (weights: [Matrix<Double>], records: [SharpnessTeleport.Record], next: Double) {
            var teleport = published
                ? SharpnessTeleport.published(steps: 3, learningRate: 0.5, direction: .increase, directionsPerRadius: 20, cap: .infinity)
                : SharpnessTeleport(steps: 3, learningRate: 0.5, direction: .decrease, radii: [0.1, 0.4], directionsPerRadius: 20,
                                    cap: .infinity)
            teleport.formulation = formulation
            var rng = SeededGenerator(seed: 21)
            let out = teleport(W, input: X, objective, using: &rng)
            return (out.weights, out.records, rng.uniform())
        }
        let general = run(.general), hidden = run(.hiddenSpace)
        #expect(relativeError(general.weights, W) > 1e-4, "the teleport moves the weights")
        #expect(relativeError(hidden.weights, general.weights) < 1e-10)
        #expect(zip(hidden.records, general.records).allSatisfy {
            relativeError($0.meanPerturbedLoss, $1.meanPerturbedLoss) < 1e-12 })
        #expect(hidden.records.count == general.records.count && hidden.next == general.next)
    }
}
