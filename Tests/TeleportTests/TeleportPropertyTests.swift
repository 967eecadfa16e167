import Autodiff
import Datasets
import Foundation
import Testing
import TestSupport
@testable import Teleport
@testable import Model

/// The properties the paper relies on, on synthetic networks and on real MNIST.
@Suite struct TeleportPropertyTests {
    /// A random bias-free MLP and data in the paper's layout.
    static func problem(dims: [Int], batch: Int, seed: UInt64) -> (W: [Matrix<Float>], X: Matrix<Float>, labels: [Int]) {
        var rng = SeededGenerator(seed: seed)
        let W = (0..<(dims.count - 1)).map { i in
            Matrix<Float>(rows: dims[i + 1], cols: dims[i]) { _, _ in Float(rng.uniform(-1, 1)) / Float(dims[i]).squareRoot() }
        }
        let X = Matrix<Float>(rows: dims[0], cols: batch) { _, _ in Float(rng.uniform()) }
        let labels = (0..<batch).map { _ in rng.int(below: dims.last!) }
        return (W, X, labels)
    }

    static func nearIdentity(_ W: [Matrix<Float>], scale: Double, seed: UInt64) -> [Matrix<Float>] {
        var rng = SeededGenerator(seed: seed)
        return (0..<(W.count - 1)).map { m in
            Matrix<Float>.identity(W[m].rows) + Matrix<Float>(rows: W[m].rows, cols: W[m].rows) { _, _ in
                Float(scale * rng.normal())
            }
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func actionPreservesTheLossWhenTheBatchFitsTheWidths(seed: UInt64) {
        // Widths 12 and 10, batch 8 <= every hidden width: pinv(sigma(gVh)) sigma(gVh) = I.
        let (W, X, labels) = Self.problem(dims: [20, 12, 10, 5], batch: 8, seed: seed)
        let g = Self.nearIdentity(W, scale: 0.05, seed: seed + 100)
        let before = lossValue(W, X, .classification(labels: labels))
        let after = lossValue(transformPairs(W, input: X, by: g), X, .classification(labels: labels))
        #expect(abs(after - before) / before < 1e-5, "loss \(before) -> \(after)")
    }

    @Test func actionDriftWithLargerBatchesIsMeasuredAndSmall() {
        // Batch 200 > widths 16 and 10: pinv(.)(.) is only a projector; the loss moves.
        let (W, X, labels) = Self.problem(dims: [784, 16, 10, 10], batch: 200, seed: 4)
        var drifts: [Double] = []
        for scale in [1e-3, 1e-2, 1e-1] {
            let g = Self.nearIdentity(W, scale: scale, seed: 5)
            let before = Double(lossValue(W, X, .classification(labels: labels)))
            let after = Double(lossValue(transformPairs(W, input: X, by: g), X, .classification(labels: labels)))
            drifts.append(abs(after - before) / before)
        }
        // The drift grows with the distance of g from I and stays small near I.
        #expect(drifts[0] < 1e-3, "drifts \(drifts)")
        #expect(drifts[0] < drifts[1] && drifts[1] < drifts[2], "drifts \(drifts)")
    }

    @Test func fusedTrainerGradientEqualsTheAutodiffPath() {
        let shape = MLPShape([30, 12, 10, 10])
        let trainer = FusedMLPTrainer(shape: shape, seed: 9, optimizer: .sgd(lr: 0.1))
        var rng = SeededGenerator(seed: 10)
        let rows = (0..<(20 * 30)).map { _ in Float(rng.uniform()) }
        let labels = (0..<20).map { _ in rng.int(below: 10) }
        let fusedLoss = trainer.gradient(images: rows, labels: labels, samples: 0..<20)
        let fused = trainer.lastGradient
        let X = columnBatch(images: rows, features: 30, indices: Array(0..<20))
        let (loss, grads) = lossAndGradient(shape.matrices(trainer.parameters), X, .classification(labels: labels))
        #expect(abs(Double(fusedLoss - loss)) / Double(loss) < 1e-5)
        let autodiff = shape.flatten(grads)
        let error = normRelativeError(fused.map(Double.init), autodiff.map(Double.init))
        #expect(error < 1e-5, "relative gradient difference \(error)")
    }

    @Test func sharpnessTeleportMovesPhiInTheAskedDirection() {
        let (W, X, labels) = Self.problem(dims: [20, 12, 10, 5], batch: 40, seed: 41)
        let objective = Objective<Float>.classification(labels: labels)
        func measure(_ W: [Matrix<Float>]) -> Double {
            var rng = SeededGenerator(seed: 78)
            return phi(W, radii: [0.1, 0.3, 0.5], batches: 20, using: &rng) { _ in (X, objective) }
        }
        let before = measure(W)
        for direction in [SharpnessTeleport.Direction.increase, .decrease] {
            var rng = SeededGenerator(seed: 51)
            let teleport = SharpnessTeleport(steps: 5, learningRate: 0.05, direction: direction,
                                             directionsPerRadius: 10)
            let after = measure(teleport(W, input: X, objective, using: &rng).weights)
            if direction == .increase { #expect(after > before, "phi \(before) -> \(after)") }
            else { #expect(after < before, "phi \(before) -> \(after)") }
        }
    }
}

/// Teleportation on real MNIST at a trained checkpoint (the settings of Results 3 and 4).
@Suite(.requires(.imageData))
struct TeleportOnMNIST {
    /// The MNIST MLP after one SGD epoch on 20,000 samples (seed 54321) and a batch of 200 of
    /// those samples (seed 3).
    static func checkpoint() throws -> (W: [Matrix<Float>], X: Matrix<Float>, labels: [Int]) {
        let (train, _) = try Datasets.load(.mnist, root: TestPaths.datasetsFolder)
        let trainer = FusedMLPTrainer(shape: .mnist, seed: 54321, optimizer: .sgd(lr: 1e-2))
        _ = trainer.trainEpoch(images: train.images, labels: train.labels, count: 20_000)
        var rng = SeededGenerator(seed: 3)
        let indices = (0..<200).map { _ in rng.int(below: 20_000) }
        return (MLPShape.mnist.matrices(trainer.parameters),
                columnBatch(images: train.images, features: 784, indices: indices), indices.map { train.labels[$0] })
    }

    @Test func increasesTheGradientNormAndKeepsTheLoss() throws {
        let (W, X, labels) = try Self.checkpoint()
        let objective = Objective<Float>.classification(labels: labels)
        // Result 4's setting for momentum, RMSProp and Adam: 10 ascent steps, lr 5e-2.
        let (moved, records) = GradientNormTeleport(steps: 10, learningRate: 5e-2)(W, input: X, objective)
        let before = squaredGradientNorm(W, X, objective), after = squaredGradientNorm(moved, X, objective)
        let lossBefore = lossValue(W, X, objective), lossAfter = lossValue(moved, X, objective)
        #expect(after > before, "||grad||^2 \(before) -> \(after) (\(records.count) steps)")
        #expect(abs(lossAfter - lossBefore) / lossBefore < 0.01, "loss \(lossBefore) -> \(lossAfter)")
    }

    /// Result 3's MNIST schedule at a trained checkpoint: 10 teleports of one step, lr 0.2, to
    /// increase psi; 5 teleports, lr 5e-2, to decrease it; each on a fresh batch of 2000.
    /// psi is measured before and after on the same 20 batches and directions.
    @Test func curvatureTeleportMovesPsiInTheAskedDirection() throws {
        let (train, _) = try Datasets.load(.mnist, root: TestPaths.datasetsFolder)
        let trainer = FusedMLPTrainer(shape: .mnist, seed: 54321, optimizer: .sgd(lr: 1e-2))
        _ = trainer.trainEpoch(images: train.images, labels: train.labels, count: 20_000)
        let W = MLPShape.mnist.matrices(trainer.parameters).map { Matrix<Double>($0) }
        func batch(_ size: Int, _ rng: inout SeededGenerator) -> Matrix<Double> {
            let indices = (0..<size).map { _ in rng.int(below: 20_000) }
            return Matrix<Double>(columnBatch(images: train.images, features: 784, indices: indices))
        }
        var measureRng = SeededGenerator(seed: 5)
        let measureBatches = (0..<20).map { _ in batch(200, &measureRng) }
        func measure(_ W: [Matrix<Double>]) -> Double {
            var rng = SeededGenerator(seed: 6)
            return psi(W, draws: measureBatches.count, using: &rng) { measureBatches[$0] }
        }
        let before = measure(W)
        for (direction, teleports, lr) in [(CurvatureTeleport.Direction.increase, 10, 0.2), (.decrease, 5, 5e-2)] {
            var rng = SeededGenerator(seed: 7)
            var moved = W
            for _ in 0..<teleports {
                let X = batch(2000, &rng)
                moved = CurvatureTeleport(steps: 1, learningRate: lr, direction: direction)(moved, input: X, using: &rng).weights
            }
            let after = measure(moved)
            if direction == .increase {
                #expect(after > before, "psi \(before) -> \(after)")
            } else {
                // A finding, pinned so that a change either way is noticed: one descent step on
                // the curvature along a random unnormalised M on the middle pair does not lower
                // the mean curvature over random normalised directions on all pairs; here psi
                // roughly doubles (0.00243 -> 0.00434; Result 3's verdicts show the same).
                #expect(after > 1.2 * before && after < 4 * before,
                        "decrease-psi teleports: psi \(before) -> \(after), expected a rise by 1.2x to 4x")
            }
        }
    }
}
