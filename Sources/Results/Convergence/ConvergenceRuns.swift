import Theory
import MetaLearning
import Model
import Foundation
import Teleport
import Tensor

// What the runs of Result 1 compute (PROTOCOL.md, Result 1), one function per kind of run,
// on the theory problems of the Theory module: the settings of each profile, SGD chunks for the
// bound of Theorem 3.1, Newton-alignment points, GD vs GD+teleport descents. Convergence.swift
// declares the runs and summarizes them.

/// Every parameter of the convergence checks; `quick`, `standard` and `paper` are the three
/// profiles of the `convergence` executable.
public struct ConvergenceSettings: Codable, Sendable, Equatable {
    /// (1a) SGD with teleportation on the stochastic quadratic.
    public struct QuadraticSGD: Codable, Sendable, Equatable {
        public var dimension: Int
        /// Eigenvalues of A are log-spaced in [smallest, largest]; beta = largest.
        public var smallestEigenvalue: Double
        public var largestEigenvalue: Double
        /// s: xi ~ N(0, s^2 I / n).
        public var noise: Double
        /// ||w0 - w*|| is about this.
        public var initialDistance: Double
        /// Horizons T; eta = 1 / (beta sqrt(T - 1)).
        public var horizons: [Int]
        /// Harness runs per horizon, each with `trajectories` Monte Carlo trajectories.
        public var chunks: Int
        public var trajectories: Int
    }

    /// (1b) SGD with a bounded teleport on the two-layer linear regression.
    public struct LinearSGD: Codable, Sendable, Equatable {
        public var inputs: Int
        public var hidden: Int
        public var outputs: Int
        public var samples: Int
        /// Label noise of Y = B X + noise.
        public var dataNoise: Double
        /// Initial weights N(0, initScale^2).
        public var initScale: Double
        public var batchSize: Int
        public var horizons: [Int]
        public var chunks: Int
        public var trajectories: Int
        /// The bounded teleport: ascent steps, step size, max ||T||_F per step, and the ball
        /// ||w|| <= radiusFactor ||w0|| it must stay in.
        public var teleportSteps: Int
        public var teleportStepSize: Double
        public var teleportMaxStep: Double
        public var radiusFactor: Double
        /// Minibatches drawn to estimate E[inf_w L(w, xi)].
        public var sigmaDraws: Int
        /// Power iterations per Hessian eigenvalue, and visited points sampled per trajectory.
        public var powerIterations: Int
        public var smoothnessSamples: Int
    }

    /// (2) Gradient / Hessian-eigenvector alignment before and after teleporting.
    public struct Newton: Codable, Sendable, Equatable {
        /// Random starting points per problem (Booth, random quadratics, Rosenbrock).
        public var starts: Int
        /// Random quadratics (one harness run each) and their dimension / eigenvalue range.
        public var quadratics: Int
        public var dimension: Int
        public var smallestEigenvalue: Double
        public var largestEigenvalue: Double
        /// Group gradient-ascent teleport on the quadratics (steps, step size).
        public var ascentSteps: Int
        public var ascentStepSize: Double
        /// Rosenbrock starting points have f = rosenbrockRadius^2.
        public var rosenbrockRadius: Double
    }

    /// (2, 3) GD versus GD + teleport: error sequences and time to a tolerance.
    public struct Descent: Codable, Sendable, Equatable {
        /// Starting points (seeds) per problem.
        public var seeds: Int
        /// Teleport before every `teleportEvery`-th step.
        public var teleportEvery: Int
        /// Quadratics (Booth and a random one): eta = learningRateFraction / beta.
        public var learningRateFraction: Double
        public var quadraticTolerance: Double
        public var quadraticMaxIterations: Int
        /// Rosenbrock: f(w0) = radius^2, step size, tolerance, iteration cap.
        public var rosenbrockRadius: Double
        public var rosenbrockLearningRate: Double
        public var rosenbrockTolerance: Double
        public var rosenbrockMaxIterations: Int
        /// The local fit uses only the pairs with e(t) <= localRadius.
        public var localRadius: Double
    }

    /// (3) The [20, 20, 20, 20] LeakyReLU regression with gradient-norm teleportation.
    public struct LeakyRegression: Codable, Sendable, Equatable {
        public var seeds: Int
        public var learningRate: Double
        public var tolerance: Double
        public var maxIterations: Int
        public var teleportEvery: Int
        /// Gradient-norm teleport: ascent steps, each of Frobenius norm teleportStepNorm.
        public var teleportSteps: Int
        public var teleportStepNorm: Double
    }

    public var quadraticSGD: QuadraticSGD
    public var linearSGD: LinearSGD
    public var newton: Newton
    public var descent: Descent
    public var leaky: LeakyRegression

    /// Seeds of the fixed problems (the same across profiles).
    public static let quadraticProblemSeed: UInt64 = 2024
    public static let linearProblemSeed: UInt64 = 2305

    /// A few seconds on two cores; the claims tests run it.
    public static let quick = ConvergenceSettings(
        quadraticSGD: .init(dimension: 10, smallestEigenvalue: 0.1, largestEigenvalue: 10, noise: 1,
                            initialDistance: 3, horizons: [10, 100], chunks: 2, trajectories: 200),
        linearSGD: .init(inputs: 8, hidden: 6, outputs: 4, samples: 64, dataNoise: 0.5, initScale: 0.3,
                         batchSize: 8, horizons: [10, 100], chunks: 2, trajectories: 25,
                         teleportSteps: 5, teleportStepSize: 0.05, teleportMaxStep: 0.1, radiusFactor: 1.5,
                         sigmaDraws: 200, powerIterations: 40, smoothnessSamples: 5),
        newton: .init(starts: 5, quadratics: 2, dimension: 10, smallestEigenvalue: 0.1, largestEigenvalue: 10,
                      ascentSteps: 200, ascentStepSize: 0.2, rosenbrockRadius: 1),
        descent: .init(seeds: 4, teleportEvery: 1, learningRateFraction: 0.5, quadraticTolerance: 1e-10,
                       quadraticMaxIterations: 5000, rosenbrockRadius: 1, rosenbrockLearningRate: 1e-3,
                       rosenbrockTolerance: 1e-10, rosenbrockMaxIterations: 40000, localRadius: 0.3),
        leaky: .init(seeds: 2, learningRate: 1e-4, tolerance: 25, maxIterations: 3000, teleportEvery: 100,
                     teleportSteps: 1, teleportStepNorm: 0.01))

    /// The `default` profile: T up to 1000 and more Monte Carlo trajectories, points and seeds
    /// (a few minutes on two cores).
    public static let standard: ConvergenceSettings = {
        var s = quick
        s.quadraticSGD.horizons = [10, 100, 1000]
        s.quadraticSGD.chunks = 4
        s.quadraticSGD.trajectories = 1000
        s.linearSGD.horizons = [10, 100, 1000]
        s.linearSGD.chunks = 4
        s.linearSGD.trajectories = 50
        s.linearSGD.sigmaDraws = 2000
        s.newton.starts = 20
        s.newton.quadratics = 10
        s.descent.seeds = 16
        s.leaky.seeds = 5
        s.leaky.tolerance = 20
        s.leaky.maxIterations = 5000
        return s
    }()

    /// The paper states no sample sizes for these checks: `paper` is `standard` with more
    /// Monte Carlo chunks, problems and seeds.
    public static let paper: ConvergenceSettings = {
        var s = standard
        s.quadraticSGD.chunks = 10
        s.linearSGD.chunks = 10
        s.newton.quadratics = 50
        s.descent.seeds = 50
        s.leaky.seeds = 10
        return s
    }()
}

// MARK: - (1) SGD with teleportation versus the bound

/// The constants of the theorem's bound for one problem.
public struct TheoremConstants: Codable, Sendable, Equatable {
    /// beta, the smoothness constant used for eta and the bound.
    public var beta: Double
    /// L(w0) - L*.
    public var initialGap: Double
    /// sigma^2 = L(w*) - E[inf_w L(w, xi)].
    public var sigmaSquared: Double

    public init(beta: Double, initialGap: Double, sigmaSquared: Double) {
        self.beta = beta; self.initialGap = initialGap; self.sigmaSquared = sigmaSquared
    }

    public func bound(steps T: Int) -> Double {
        sgdTeleportBound(beta: beta, initialGap: initialGap, sigmaSquared: sigmaSquared, steps: T)
    }
    public func learningRate(steps T: Int) -> Double { sgdTheoremStepSize(beta: beta, steps: T) }
}

/// One chunk of Monte Carlo trajectories of SGD and SGD + teleport at one horizon T.
public struct SGDChunk: Codable, Sendable {
    public var steps: Int
    public var constants: TheoremConstants
    /// Plain SGD: ||grad L(w_t)||^2.
    public var sgdSquaredGradientNorm: MonteCarloCurve
    /// Plain SGD: max_g ||grad L(g.w_t)||^2 (quadratic: exact; linear: the bounded search).
    public var sgdOrbitMax: MonteCarloCurve
    /// SGD + teleport: max_g ||grad L(g.w_t)||^2, the left side of the theorem.
    public var teleportOrbitMax: MonteCarloCurve
    /// SGD + teleport: L(w_t) - L*.
    public var teleportLossGap: MonteCarloCurve
    /// Largest Hessian eigenvalue on the sampled visited points (linear problem only).
    public var visitedSmoothness: Double?
}

/// The chunk `seed` of (1a): `trajectories` runs of SGD and SGD + teleport sharing their noise.
public func quadraticSGDChunk(_ s: ConvergenceSettings.QuadraticSGD, steps T: Int, seed: Int) -> SGDChunk {
    let problem = StochasticQuadratic(dimension: s.dimension, smallest: s.smallestEigenvalue,
                                      largest: s.largestEigenvalue, noise: s.noise,
                                      initialDistance: s.initialDistance, seed: ConvergenceSettings.quadraticProblemSeed)
    let constants = TheoremConstants(beta: problem.beta,
                                     initialGap: problem.expected.value(problem.initial) - problem.optimalValue,
                                     sigmaSquared: problem.sigmaSquared)
    let eta = constants.learningRate(steps: T)
    var chunk = SGDChunk(steps: T, constants: constants, sgdSquaredGradientNorm: .init(length: T),
                         sgdOrbitMax: .init(length: T), teleportOrbitMax: .init(length: T),
                         teleportLossGap: .init(length: T))
    for k in 0..<s.trajectories {
        let stream = SeededGenerator.stream(seed: UInt64(seed), index: UInt64(k))
        var rng = stream
        let plain = problem.sgd(steps: T, learningRate: eta, teleport: false, using: &rng)
        rng = stream
        let tele = problem.sgd(steps: T, learningRate: eta, teleport: true, using: &rng)
        chunk.sgdSquaredGradientNorm.add(plain.squaredGradientNorm)
        chunk.sgdOrbitMax.add(plain.maxOrbitSquaredGradientNorm)
        chunk.teleportOrbitMax.add(tele.maxOrbitSquaredGradientNorm)
        chunk.teleportLossGap.add(tele.maxOrbitSquaredGradientNorm.map { $0 / (2 * problem.beta) })
    }
    return chunk
}

/// The fixed linear-regression problem of (1b) with its initial point and bound constants.
public struct LinearSGDSetup: Codable, Sendable {
    var X: StoredMatrix
    var Y: StoredMatrix
    var W1: StoredMatrix
    var W2: StoredMatrix
    public var optimalValue: Double
    public var radius: Double
    /// beta estimated as the largest Hessian eigenvalue over the points visited by pilot runs
    /// of SGD + teleport (one per horizon, eta from the Hessian at w0), and at w0.
    public var constants: TheoremConstants
    /// The Hessian's largest eigenvalue at w0 (the pilot's beta).
    public var initialSmoothness: Double

    public var problem: TwoLayerLinearRegression { TwoLayerLinearRegression(X: X.matrix, Y: Y.matrix, hidden: W1.rows) }
    /// w0.
    public var initial: TwoLayerLinearRegression.Weights { .init(W1: W1.matrix, W2: W2.matrix) }
}

/// A matrix in a Codable form (for cached setups).
public struct StoredMatrix: Codable, Sendable, Equatable {
    public var rows: Int
    public var cols: Int
    public var scalars: [Double]
    public init(_ m: Matrix<Double>) { rows = m.rows; cols = m.cols; scalars = m.scalars }
    public var matrix: Matrix<Double> { Matrix(rows: rows, cols: cols, scalars: scalars) }
}

/// Builds the linear problem, L*, sigma^2 and beta (pilot runs; deterministic).
public func linearSGDSetup(_ s: ConvergenceSettings.LinearSGD) -> LinearSGDSetup {
    var rng = SeededGenerator(seed: ConvergenceSettings.linearProblemSeed)
    let problem = TwoLayerLinearRegression.random(inputs: s.inputs, hidden: s.hidden, outputs: s.outputs,
                                                  samples: s.samples, noise: s.dataNoise, using: &rng)
    let w0 = problem.initialWeights(scale: s.initScale, using: &rng)
    let radius = s.radiusFactor * w0.squaredNorm.squareRoot()
    let sigma2 = problem.sigmaSquared(batchSize: s.batchSize, draws: s.sigmaDraws, using: &rng)
    let beta0 = problem.hessianTopEigenvalue(w0, iterations: s.powerIterations, using: &rng)
    var beta = beta0
    let search = { (w: TwoLayerLinearRegression.Weights) in
        problem.teleport(w, steps: s.teleportSteps, stepSize: s.teleportStepSize, maxStep: s.teleportMaxStep,
                         radius: radius)
    }
    for T in s.horizons {
        let every = max(1, T / s.smoothnessSamples)
        let pilot = problem.sgd(from: w0, steps: T, learningRate: sgdTheoremStepSize(beta: beta0, steps: T),
                                batchSize: s.batchSize, teleport: true, search: search, sampleEvery: every,
                                using: &rng)
        for w in pilot.samples {
            beta = max(beta, problem.hessianTopEigenvalue(w, iterations: s.powerIterations, using: &rng))
        }
    }
    let lStar = problem.optimalValue
    return LinearSGDSetup(X: StoredMatrix(problem.X), Y: StoredMatrix(problem.Y), W1: StoredMatrix(w0.W1),
                          W2: StoredMatrix(w0.W2), optimalValue: lStar, radius: radius,
                          constants: TheoremConstants(beta: beta, initialGap: problem.loss(w0) - lStar,
                                                      sigmaSquared: sigma2),
                          initialSmoothness: beta0)
}

/// The chunk `seed` of (1b): SGD and SGD + bounded teleport with the setup's beta; the
/// plain run's "max_g" column is the bounded search's value at its iterates. Also the largest
/// Hessian eigenvalue over sampled visited points of the first trajectory of each method.
public func linearSGDChunk(_ s: ConvergenceSettings.LinearSGD, setup: LinearSGDSetup, steps T: Int,
                           seed: Int) -> SGDChunk {
    let problem = setup.problem
    let eta = setup.constants.learningRate(steps: T)
    let search = { (w: TwoLayerLinearRegression.Weights) in
        problem.teleport(w, steps: s.teleportSteps, stepSize: s.teleportStepSize, maxStep: s.teleportMaxStep,
                         radius: setup.radius)
    }
    var chunk = SGDChunk(steps: T, constants: setup.constants, sgdSquaredGradientNorm: .init(length: T),
                         sgdOrbitMax: .init(length: T), teleportOrbitMax: .init(length: T),
                         teleportLossGap: .init(length: T), visitedSmoothness: 0)
    var hessianRNG = SeededGenerator.stream(seed: UInt64(seed), index: 1 << 32)
    let every = max(1, T / s.smoothnessSamples)
    for k in 0..<s.trajectories {
        let stream = SeededGenerator.stream(seed: UInt64(seed), index: UInt64(k))
        var rng = stream
        let plain = problem.sgd(from: setup.initial, steps: T, learningRate: eta, batchSize: s.batchSize,
                                teleport: false, search: search, sampleEvery: every, using: &rng)
        rng = stream
        let tele = problem.sgd(from: setup.initial, steps: T, learningRate: eta, batchSize: s.batchSize,
                               teleport: true, search: search, sampleEvery: every, using: &rng)
        chunk.sgdSquaredGradientNorm.add(padded(plain.squaredGradientNorm, T))
        chunk.sgdOrbitMax.add(padded(plain.teleportSquaredGradientNorm, T))
        chunk.teleportOrbitMax.add(padded(tele.teleportSquaredGradientNorm, T))
        chunk.teleportLossGap.add(padded(tele.loss.map { $0 - setup.optimalValue }, T))
        if k == 0 {
            for w in plain.samples + tele.samples {
                chunk.visitedSmoothness = max(chunk.visitedSmoothness!,
                                              problem.hessianTopEigenvalue(w, iterations: s.powerIterations,
                                                                           using: &hessianRNG))
            }
        }
    }
    return chunk
}

/// A trajectory cut short by a non-finite loss, padded with NaN to length T.
func padded(_ x: [Double], _ T: Int) -> [Double] { x + Array(repeating: .nan, count: max(0, T - x.count)) }

/// The theorem's two sides at one horizon, from all chunks of that horizon.
public struct TheoremCheck: Codable, Sendable, Equatable {
    public var steps: Int
    public var learningRate: Double
    public var constants: TheoremConstants
    public var bound: Double
    /// min_t of the Monte Carlo mean of max_g ||grad L(g.w_t)||^2 with teleport, its
    /// standard error and argmin.
    public var teleportMin: Double
    public var teleportStandardError: Double
    public var teleportArgmin: Int
    /// Plain SGD: min_t E||grad L(w_t)||^2 and min_t E max_g ||grad L(g.w_t)||^2.
    public var sgdGradientMin: Double
    public var sgdOrbitMaxMin: Double
    public var trajectories: Int
    /// Largest Hessian eigenvalue on sampled visited points (linear problem), else nil.
    public var visitedSmoothness: Double?
    /// Whether min_t E[...] <= bound.
    public var holds: Bool { teleportMin <= bound }

    public init(chunks: [SGDChunk]) {
        ensure(!chunks.isEmpty)
        var tele = chunks[0].teleportOrbitMax, sgd = chunks[0].sgdSquaredGradientNorm, orbit = chunks[0].sgdOrbitMax
        for c in chunks.dropFirst() {
            tele.merge(c.teleportOrbitMax); sgd.merge(c.sgdSquaredGradientNorm); orbit.merge(c.sgdOrbitMax)
        }
        steps = chunks[0].steps
        constants = chunks[0].constants
        learningRate = constants.learningRate(steps: steps)
        bound = constants.bound(steps: steps)
        (teleportMin, teleportStandardError, teleportArgmin) = tele.minimum
        sgdGradientMin = sgd.minimum.value
        sgdOrbitMaxMin = orbit.minimum.value
        trajectories = tele.count
        let v = chunks.compactMap(\.visitedSmoothness)
        visitedSmoothness = v.isEmpty ? nil : v.max()
    }
}

// MARK: - (2) Alignment of the gradient with the Newton direction

/// The problems of checks (2) and (3).
public enum TheoryProblem: String, Codable, Sendable, CaseIterable {
    case booth, quadratic, rosenbrock
    case leakyReLU = "leaky-relu"
}

/// One starting point of check (2): alignment at the point and at its teleport target.
public struct NewtonRow: Codable, Sendable {
    public var problem: TheoryProblem
    public var seed: Int
    public var start: Int
    public var before: NewtonAlignment
    /// At the closed-form (quadratic, Booth) or searched (Rosenbrock) teleport target.
    public var teleported: NewtonAlignment
    /// At the target of the group gradient-ascent teleport (quadratics only).
    public var ascent: NewtonAlignment?
    /// (f(w - g / rho) - f*) / (f(w) - f*) for one gradient step with eta = 1 / rho, from the
    /// point and from its teleport target (0 when the step is an exact Newton step).
    public var stepGapRatioBefore: Double
    public var stepGapRatioTeleported: Double
}

/// The random n-dimensional quadratic of check (2) or (3) for `seed`.
public func randomQuadratic(dimension n: Int, smallest: Double, largest: Double, seed: Int) -> OrbitQuadratic {
    var rng = SeededGenerator.stream(seed: 7, index: UInt64(seed))
    return OrbitQuadratic.random(dimension: n, smallest: smallest, largest: largest, using: &rng)
}


/// Check (2) on one problem instance: `starts` seeded starting points.
public func newtonCheck(_ problem: TheoryProblem, _ s: ConvergenceSettings.Newton, seed: Int) -> [NewtonRow] {
    let objective: any SymmetricObjective
    switch problem {
    case .booth: objective = Booth()
    case .rosenbrock: objective = Rosenbrock()
    default: objective = randomQuadratic(dimension: s.dimension, smallest: s.smallestEigenvalue,
                                         largest: s.largestEigenvalue, seed: seed)
    }
    var rng = SeededGenerator.stream(seed: 11, index: UInt64(seed))
    return (0..<s.starts).map { k in
        let w = startingPoint(objective, radius: s.rosenbrockRadius, using: &rng)
        let target = objective.teleport(w)
        func stepRatio(_ p: [Double]) -> Double {
            let a = NewtonAlignment(objective, at: p)
            let next = axpy(p, -1 / a.rayleigh, objective.gradient(p))
            return (objective.value(next) - objective.minimumValue) / (objective.value(p) - objective.minimumValue)
        }
        var ascent: NewtonAlignment? = nil
        if let q = objective as? OrbitQuadratic {
            ascent = NewtonAlignment(q, at: q.teleportByAscent(w, steps: s.ascentSteps, stepSize: s.ascentStepSize))
        }
        return NewtonRow(problem: problem, seed: seed, start: k, before: NewtonAlignment(objective, at: w),
                         teleported: NewtonAlignment(objective, at: target), ascent: ascent,
                         stepGapRatioBefore: stepRatio(w), stepGapRatioTeleported: stepRatio(target))
    }
}

// MARK: - (2, 3) GD versus GD + teleport

/// GD and GD + teleport from one seeded starting point.
public struct DescentComparison: Codable, Sendable {
    public var problem: TheoryProblem
    public var seed: Int
    public var learningRate: Double
    public var tolerance: Double
    /// Thinned traces (for storage and plots); fits use every iteration.
    public var gd: DescentTrace
    public var teleport: DescentTrace
    /// Moments of (e(t), e(t+1)), e = ||w_t - w*|| (empty for the LeakyReLU regression):
    /// all pairs, and the local ones (e(t) <= localRadius).
    public var gdPairs: ErrorPairMoments
    public var teleportPairs: ErrorPairMoments
    public var gdLocalPairs: ErrorPairMoments
    public var teleportLocalPairs: ErrorPairMoments
    /// The same with the teleport-invariant error sqrt(f(w_t) - f*) (equivalent to the
    /// distance near a non-degenerate minimum; a teleport keeps it while it can move the
    /// iterate farther from w*), local ones with sqrt(f - f*) <= localRadius.
    public var gdLossPairs: ErrorPairMoments
    public var teleportLossPairs: ErrorPairMoments
    public var gdLocalLossPairs: ErrorPairMoments
    public var teleportLocalLossPairs: ErrorPairMoments
}

/// Check (3) (and the error sequences of (2)) for `problem` from starting point `seed`.
public func descentComparison(_ problem: TheoryProblem, _ settings: ConvergenceSettings, seed: Int) -> DescentComparison {
    let d = settings.descent
    func compare<F: SymmetricObjective>(_ f: F, eta: Double, tolerance: Double, maxIterations: Int) -> DescentComparison {
        var rng = SeededGenerator.stream(seed: 13, index: UInt64(seed))
        let w0 = startingPoint(f, radius: d.rosenbrockRadius, using: &rng)
        let gd = gradientDescent(f, from: w0, learningRate: eta, maxIterations: maxIterations, tolerance: tolerance)
        let tp = gradientDescent(f, from: w0, learningRate: eta, maxIterations: maxIterations, tolerance: tolerance,
                                 teleportEvery: d.teleportEvery)
        return DescentComparison(problem: problem, seed: seed, learningRate: eta, tolerance: tolerance,
                                 gd: gd.thinned(), teleport: tp.thinned(),
                                 gdPairs: ErrorPairMoments(errors: gd.distance),
                                 teleportPairs: ErrorPairMoments(errors: tp.distance),
                                 gdLocalPairs: ErrorPairMoments(errors: gd.distance, ceiling: d.localRadius),
                                 teleportLocalPairs: ErrorPairMoments(errors: tp.distance, ceiling: d.localRadius),
                                 gdLossPairs: ErrorPairMoments(errors: gd.lossGap.map { $0.squareRoot() }),
                                 teleportLossPairs: ErrorPairMoments(errors: tp.lossGap.map { $0.squareRoot() }),
                                 gdLocalLossPairs: ErrorPairMoments(errors: gd.lossGap.map { $0.squareRoot() },
                                                                    ceiling: d.localRadius),
                                 teleportLocalLossPairs: ErrorPairMoments(errors: tp.lossGap.map { $0.squareRoot() },
                                                                          ceiling: d.localRadius))
    }
    switch problem {
    case .booth:
        let f = Booth()
        return compare(f, eta: d.learningRateFraction / 18, tolerance: d.quadraticTolerance,
                       maxIterations: d.quadraticMaxIterations)
    case .quadratic:
        let n = settings.newton
        let f = randomQuadratic(dimension: n.dimension, smallest: n.smallestEigenvalue, largest: n.largestEigenvalue,
                                seed: 1000 + seed)
        return compare(f, eta: d.learningRateFraction / f.beta, tolerance: d.quadraticTolerance,
                       maxIterations: d.quadraticMaxIterations)
    case .rosenbrock:
        return compare(Rosenbrock(), eta: d.rosenbrockLearningRate, tolerance: d.rosenbrockTolerance,
                       maxIterations: d.rosenbrockMaxIterations)
    case .leakyReLU:
        let l = settings.leaky
        let p = LeakyReLURegression(seed: UInt64(seed))
        let gd = p.gradientDescent(learningRate: l.learningRate, maxIterations: l.maxIterations, tolerance: l.tolerance)
        let tp = p.gradientDescent(learningRate: l.learningRate, maxIterations: l.maxIterations, tolerance: l.tolerance,
                                   teleportSteps: l.teleportSteps, teleportStepNorm: l.teleportStepNorm,
                                   teleportEvery: l.teleportEvery)
        return DescentComparison(problem: problem, seed: seed, learningRate: l.learningRate, tolerance: l.tolerance,
                                 gd: gd.thinned(), teleport: tp.thinned(), gdPairs: .init(), teleportPairs: .init(),
                                 gdLocalPairs: .init(), teleportLocalPairs: .init(), gdLossPairs: .init(),
                                 teleportLossPairs: .init(), gdLocalLossPairs: .init(), teleportLocalLossPairs: .init())
    }
}
