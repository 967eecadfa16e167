import Testing
import Autodiff
@testable import MetaLearning
@testable import Model

/// `MetaTrainer.trainPublished`: `train_meta_opt`'s unroll boundaries (PROTOCOL.md, "Published
/// mode"), checked against the same trajectory assembled step by step from `descend` and
/// `teleport`.
@Suite struct PublishedUnrollTests {
    /// Runs `steps` steps from (W, state) with `optimizer`, cutting the graph after each step;
    /// returns the losses L(W_t) and the end point.
    func walk<O: MetaOptimizer>(_ optimizer: O, from W: [Matrix<Double>], _ state: MetaState<Double>, steps: Int)
        -> (losses: [Double], weights: [Matrix<Double>], state: MetaState<Double>) where O.Scalar == Double {
        var W = W, state = state, losses: [Double] = []
        for _ in 0..<steps {
            let s = optimizer.step(W.map { Variable($0) }, problem: tinyProblem, state: state)
            losses.append(s.loss.scalar)
            W = s.weights.map(\.value)
            state = s.state.detached()
        }
        return (losses, W, state)
    }

    /// Published boundaries with unroll 10: 21 steps give two unrolls. The first sums the
    /// 11 losses L(W_0) ... L(W_10) of the initial parameters; the second starts with the
    /// boundary step's teleport made by the parameters after the first Adam step, applied to
    /// that step's descent by the parameters before it.
    func checkBoundaries<O: MetaOptimizer>(_ initial: O) where O.Scalar == Double {
        var trainer = MetaTrainer(optimizer: initial, unrollLength: 10, updateLearningRate: 1e-2,
                                  teleportLearningRate: 1e-2)
        let sums = trainer.trainPublished(on: tinyProblem, steps: 21)
        #expect(sums.count == 2)
        #expect(trainer.adam.stepCount == 2)

        var once = MetaTrainer(optimizer: initial, unrollLength: 10, updateLearningRate: 1e-2,
                               teleportLearningRate: 1e-2)
        once.trainPublished(on: tinyProblem, steps: 11)
        let after = once.optimizer
        #expect(once.adam.stepCount == 1)
        #expect(after.parameterValues != initial.parameterValues, "the boundary step updates the parameters")

        let first = walk(initial, from: tinyProblem.initialWeights, initial.initialState(), steps: 10)
        let G = lossAndGradient(first.weights, tinyProblem.X, tinyProblem.objective).gradient
        let d = initial.descend(first.weights.map { Variable($0) }, problem: tinyProblem, state: first.state,
                                gradients: G)
        let firstSum = (first.losses + [d.loss.scalar]).reduce(0, +)
        #expect(abs(sums[0] - firstSum) <= 1e-12 * abs(firstSum), "\(sums[0]) vs \(firstSum)")

        let cut = MetaStep(weights: d.weights.map { Variable($0.value) }, loss: d.loss, state: d.state.detached())
        let t = after.teleport(cut, problem: tinyProblem, gradients: G)
        let second = walk(after, from: t.weights.map(\.value), t.state.detached(), steps: 10)
        let secondSum = second.losses.reduce(0, +)
        #expect(abs(sums[1] - secondSum) <= 1e-10 * abs(secondSum), "\(sums[1]) vs \(secondSum)")
    }

    @Test func rateTeleportBoundaries() { checkBoundaries(tinyRateTeleport()) }
    @Test func updateBoundaries() { checkBoundaries(tinyUpdate()) }
    @Test func updateTeleportBoundaries() { checkBoundaries(tinyUpdateTeleport()) }

    /// The tail after the last boundary is dropped: 10 steps make no Adam step, 100 make 9
    /// (the corrected trainer makes 10).
    @Test func tailIsDropped() {
        var short = MetaTrainer(optimizer: tinyUpdate(), unrollLength: 10)
        #expect(short.trainPublished(on: tinyProblem, steps: 10).isEmpty)
        #expect(short.adam.stepCount == 0)
        var long = MetaTrainer(optimizer: tinyUpdate(), unrollLength: 10)
        #expect(long.trainPublished(on: tinyProblem, steps: 100).count == 9)
        var corrected = MetaTrainer(optimizer: tinyUpdate(), unrollLength: 10)
        #expect(corrected.train(on: tinyProblem, steps: 100).count == 10)
    }

    /// init_param's problems: torch.manual_seed(seed), then torch.rand per weight, X, Y.
    @Test func publishedProblemsFollowTorchsStream() {
        let p = RegressionProblem<Float>(publishedDimensions: [20, 20, 20, 20], seed: 12345)
        var torch = TorchGenerator(seed: 12345)
        let all = torch.rand(4 * 400)
        #expect(p.initialWeights[0].scalars == Array(all[0..<400]))
        #expect(p.initialWeights[1].scalars == Array(all[400..<800]))
        #expect(p.X.scalars == Array(all[800..<1200]))
        #expect(p.Y.scalars == Array(all[1200..<1600]))
        // Negative seeds: two's complement, truncated to 32 bits like every seed.
        let minusOne = RegressionProblem<Float>(publishedDimensions: [20, 20, 20, 20], seed: -1)
        var t2 = TorchGenerator(seed: 0xFFFF_FFFF)
        #expect(minusOne.initialWeights[0].scalars == t2.rand(400))
    }
}
