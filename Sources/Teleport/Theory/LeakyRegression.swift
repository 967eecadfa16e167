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

    /// Gradient descent with step `learningRate` for at most `maxIterations`, teleporting
    /// before the steps t = k, 2k, ... (k = teleportEvery; not at t = 0, where the loss is
    /// about 5e5 and one ascent step on ||grad||^2 overflows) when `teleport` is given, stopping once
    /// the loss is at most `tolerance`. `lossGap` holds the loss (its infimum is 0 here, as
    /// the 20 samples can be fitted exactly); `distance` stays empty (the minimisers form a
    /// manifold).
    public func gradientDescent(learningRate: Double, maxIterations: Int, tolerance: Double,
                                teleport: GradientNormTeleport? = nil, teleportEvery: Int = 1) -> DescentTrace {
        let clock = ContinuousClock(), start = clock.now
        var W = initial
        var trace = DescentTrace(iteration: [0], lossGap: [loss(W)], distance: [], seconds: [0])
        for t in 0..<maxIterations where trace.iterationsToTolerance == nil {
            if let teleport, t > 0, t % teleportEvery == 0 { W = teleport(W, input: X, objective).weights }
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
