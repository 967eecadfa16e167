import Model
import Teleport
import Tensor
import Foundation

// Section 3.2 of the paper: at a teleport target (a critical point of ||grad L||^2 on the
// level set) the gradient is an eigenvector of the Hessian, H g = lambda g, so the gradient
// step -eta g equals the damped Newton step -eta lambda H^-1 g. Convergence then mixes a
// linear and a quadratic contraction term: e(t+1) <= a e(t)^2 + b e(t).

/// How far the gradient g at w is from being an eigenvector of the Hessian H at w.
public struct NewtonAlignment: Codable, Sendable, Equatable {
    /// ||H g - rho g|| / ||H g|| with rho = g^T H g / g^T g (0 for an eigenvector).
    public var eigenResidual: Double
    /// cos(g, H^-1 g) (1 when the gradient step is a damped Newton step).
    public var newtonCosine: Double
    /// The Rayleigh quotient rho.
    public var rayleigh: Double
    /// ||g||^2.
    public var squaredGradientNorm: Double

    public init(gradient g: [Double], hessian H: Matrix<Double>) {
        let Hg = matVec(H, g)
        let rho = vdot(g, Hg) / vdot(g, g)
        eigenResidual = vnorm(axpy(Hg, -rho, g)) / vnorm(Hg)
        let newton = solve(H, Matrix.column(g)).map(\.scalars) ?? g.map { _ in .nan }
        newtonCosine = vdot(g, newton) / (vnorm(g) * vnorm(newton))
        rayleigh = rho
        squaredGradientNorm = vdot(g, g)
    }

    /// The alignment of `objective` at `w`.
    public init<F: SymmetricObjective>(_ objective: F, at w: [Double]) {
        self.init(gradient: objective.gradient(w), hessian: objective.hessian(w))
    }
}

/// Sums of products of consecutive errors (e(t), e(t+1)), enough for the least-squares fit
/// of e(t+1) = a e(t)^2 + b e(t); sums from several trajectories add (a pooled fit).
public struct ErrorPairMoments: Codable, Sendable, Equatable {
    var s22 = 0.0, s21 = 0.0, s11 = 0.0, y2 = 0.0, y1 = 0.0, yy = 0.0
    public var pairs = 0

    public init() {}

    /// Adds the pairs (e[t], e[t+1]) with both entries above `floor` (below it rounding
    /// dominates) and e[t] at most `ceiling` (to fit only the local regime).
    public init(errors e: [Double], floor: Double = 1e-12, ceiling: Double = .infinity) {
        for t in 0..<max(0, e.count - 1)
        where e[t] > floor && e[t + 1] > floor && e[t] <= ceiling && e[t].isFinite && e[t + 1].isFinite {
            let x1 = e[t], x2 = e[t] * e[t], y = e[t + 1]
            s22 += x2 * x2; s21 += x2 * x1; s11 += x1 * x1; y2 += x2 * y; y1 += x1 * y; yy += y * y
            pairs += 1
        }
    }

    public static func + (p: ErrorPairMoments, q: ErrorPairMoments) -> ErrorPairMoments {
        var r = p
        r.s22 += q.s22; r.s21 += q.s21; r.s11 += q.s11; r.y2 += q.y2; r.y1 += q.y1; r.yy += q.yy
        r.pairs += q.pairs
        return r
    }

    /// The least-squares fit.
    public var fit: QuadraticLinearFit { QuadraticLinearFit(self) }
}

/// Least-squares fit of e(t+1) = a e(t)^2 + b e(t) (no intercept) on consecutive errors.
public struct QuadraticLinearFit: Codable, Sendable, Equatable {
    /// The quadratic coefficient a.
    public var a: Double
    /// The linear coefficient b.
    public var b: Double
    /// Root-mean-square residual of the fit relative to the rms of e(t+1).
    public var relativeResidual: Double
    /// Number of pairs (e(t), e(t+1)) used.
    public var pairs: Int

    /// The fit of the pairs summarised in `m` (normal equations of the two regressors).
    public init(_ m: ErrorPairMoments) {
        pairs = m.pairs
        let det = m.s22 * m.s11 - m.s21 * m.s21
        guard m.pairs >= 2, det > 0 else { a = .nan; b = .nan; relativeResidual = .nan; return }
        a = (m.y2 * m.s11 - m.y1 * m.s21) / det
        b = (m.s22 * m.y1 - m.s21 * m.y2) / det
        // sum (y - a x2 - b x1)^2 expanded in the moments.
        let rss = m.yy - 2 * a * m.y2 - 2 * b * m.y1 + a * a * m.s22 + 2 * a * b * m.s21 + b * b * m.s11
        relativeResidual = (max(rss, 0) / m.yy).squareRoot()
    }

    /// The fit of the consecutive pairs of one sequence.
    public init(errors e: [Double], floor: Double = 1e-12) {
        self.init(ErrorPairMoments(errors: e, floor: floor))
    }
}

/// A gradient-descent trajectory, with or without teleportation.
public struct DescentTrace: Codable, Sendable {
    /// Iteration number of each entry (0, 1, 2, ... unless thinned).
    public var iteration: [Int]
    /// f(w_t) - f* per iteration (t = 0 is the start).
    public var lossGap: [Double]
    /// ||w_t - w*|| per iteration.
    public var distance: [Double]
    /// Seconds since the start after each iteration, teleports included.
    public var seconds: [Double]
    /// Iterations until f - f* <= tolerance (nil when not reached).
    public var iterationsToTolerance: Int?
    /// Seconds until f - f* <= tolerance (nil when not reached).
    public var secondsToTolerance: Double?
    /// Largest |f(after) - f(before)| / f(before) over the teleports (they should keep f).
    public var teleportLossChange: Double = 0

    /// At most about `maxPoints` entries: all of the first ones, then log-spaced iterations
    /// (always keeping the last), for storage and plots.
    public func thinned(maxPoints: Int = 400) -> DescentTrace {
        let n = iteration.count
        guard n > maxPoints else { return self }
        var keep = Set(0..<min(n, maxPoints / 4))
        let ratio = pow(Double(n - 1), 1 / Double(maxPoints - maxPoints / 4))
        var x = Double(maxPoints / 4)
        while Int(x) < n { keep.insert(Int(x)); x = max(x * ratio, x + 1) }
        keep.insert(n - 1)
        let idx = keep.sorted()
        var out = self
        out.iteration = idx.map { iteration[$0] }
        out.lossGap = idx.map { lossGap[$0] }
        out.distance = distance.isEmpty ? [] : idx.map { distance[$0] }
        out.seconds = idx.map { seconds[$0] }
        return out
    }
}

/// Gradient descent w <- w - eta grad f(w) for at most `maxIterations`, teleporting to the
/// maximum-gradient-norm point of the orbit before the steps t with t % teleportEvery == 0
/// (never when nil), stopping early once f - f* <= tolerance.
public func gradientDescent<F: SymmetricObjective>(_ objective: F, from w0: [Double], learningRate eta: Double,
                                                   maxIterations: Int, tolerance: Double,
                                                   teleportEvery: Int? = nil) -> DescentTrace {
    let clock = ContinuousClock(), start = clock.now
    var w = w0
    let fStar = objective.minimumValue
    var trace = DescentTrace(iteration: [0], lossGap: [objective.value(w) - fStar],
                             distance: [vnorm(axpy(w, -1, objective.minimizer))], seconds: [0])
    if trace.lossGap[0] <= tolerance { trace.iterationsToTolerance = 0; trace.secondsToTolerance = 0 }
    for t in 0..<maxIterations where trace.iterationsToTolerance == nil {
        if let k = teleportEvery, t % k == 0 { w = objective.teleport(w) }
        w = axpy(w, -eta, objective.gradient(w))
        let gap = objective.value(w) - fStar
        let elapsed = (clock.now - start) / .seconds(1)
        trace.iteration.append(t + 1)
        trace.lossGap.append(gap)
        trace.distance.append(vnorm(axpy(w, -1, objective.minimizer)))
        trace.seconds.append(elapsed)
        if !gap.isFinite { break }
        if gap <= tolerance { trace.iterationsToTolerance = t + 1; trace.secondsToTolerance = elapsed }
    }
    return trace
}
