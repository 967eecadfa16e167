import Model
import Teleport
import Autodiff
import Foundation

/// The regression of the paper's meta-learning section, 0.5 ||Y - W2 sigma(W1 X)||_F^2 with
/// dims [20, 20, 20, 20] (X, Y, W1, W2 all 20 x 20, entries uniform in [0, 1)), trained by
/// full-batch gradient descent, optionally with gradient-norm teleportation
/// (`GradientNormTeleport`, exact invariance since the batch is no larger than the hidden
/// width) every `teleportEvery` steps.
public struct LeakyReLURegression: Sendable {
    public let X: Matrix<Double>
    public let Y: Matrix<Double>
    public let initial: [Matrix<Double>]

    /// One problem per seed: W1, W2, X, Y drawn in that order (as Result 5's problems),
    /// uniform in [0, 1).
    public init(size n: Int = 20, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        initial = [.uniform(n, n, using: &rng), .uniform(n, n, using: &rng)]
        X = .uniform(n, n, using: &rng)
        Y = .uniform(n, n, using: &rng)
    }

    public var objective: Objective<Double> { .regression(target: Y) }

    /// The loss at W.
    public func loss(_ W: [Matrix<Double>]) -> Double { lossAndGradient(W, X, objective).loss }

    /// One gradient-norm teleport: `steps` ascent steps of `GradientNormTeleport` (its
    /// ascent direction df/dT of f = ||dL/dW(g.W)||^2 at g = I and its exact group action),
    /// each scaled to ||T||_F = stepNorm (as the meta-learning section rescales T to a fixed
    /// norm): a fixed learning rate on df/dT either does nothing or overflows here, as
    /// ||df/dT|| varies over orders of magnitude between problems and iterations.
    public func teleport(_ W: [Matrix<Double>], steps: Int, stepNorm: Double) -> [Matrix<Double>] {
        var W = W
        for _ in 0..<steps {
            let direction = GradientNormTeleport.ascentDirection(W, input: X, objective).direction
            let size = direction.reduce(0) { $0 + $1.squaredNorm() }.squareRoot()
            guard size > 0, size.isFinite else { break }
            let g = direction.map { Matrix<Double>.identity($0.rows) + $0 * (stepNorm / size) }
            W = transformPairs(W, input: X, by: g)
        }
        return W
    }

    /// Gradient descent with step `learningRate` for at most `maxIterations`, teleporting
    /// (`teleportSteps` normalised ascent steps of norm `teleportStepNorm`) before the steps
    /// t = k, 2k, ... (k = teleportEvery; not at t = 0, where the loss is about 5e5) when
    /// `teleportSteps` > 0, stopping once the loss is at most `tolerance`. `lossGap` holds
    /// the loss (its infimum is 0 here, as the 20 samples can be fitted exactly); `distance`
    /// stays empty (the minimisers form a manifold).
    public func gradientDescent(learningRate: Double, maxIterations: Int, tolerance: Double,
                                teleportSteps: Int = 0, teleportStepNorm: Double = 0,
                                teleportEvery: Int = 1) -> DescentTrace {
        let clock = ContinuousClock(), start = clock.now
        var W = initial
        var trace = DescentTrace(iteration: [0], lossGap: [loss(W)], distance: [], seconds: [0])
        for t in 0..<maxIterations where trace.iterationsToTolerance == nil {
            if teleportSteps > 0, t > 0, t % teleportEvery == 0 {
                let before = loss(W)
                W = teleport(W, steps: teleportSteps, stepNorm: teleportStepNorm)
                trace.teleportLossChange = max(trace.teleportLossChange, abs(loss(W) - before) / before)
            }
            let (_, g) = lossAndGradient(W, X, objective)
            for i in W.indices { W[i].add(g[i], scaledBy: -learningRate) }
            let L = loss(W)
            let elapsed = (clock.now - start) / .seconds(1)
            trace.iteration.append(t + 1)
            trace.lossGap.append(L)
            trace.seconds.append(elapsed)
            if !L.isFinite { break }
            if L <= tolerance { trace.iterationsToTolerance = t + 1; trace.secondsToTolerance = elapsed }
        }
        return trace
    }
}
