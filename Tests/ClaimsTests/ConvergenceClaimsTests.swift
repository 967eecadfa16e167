import Foundation
import Testing
import Teleport

/// Result 1 (PROTOCOL.md): the convergence theory of Section 3, checked on the quick profile
/// of `convergence` (the same settings and procedures the executable runs).
@Suite(.serialized) struct ConvergenceClaimsTests {
    let settings = ConvergenceSettings.quick

    /// Theorem (SGD with teleportation), stochastic quadratic: min_t E[max_g ||grad L||^2] is
    /// below 2 beta (L(w0) - L*) / sqrt(T-1) + beta sigma^2 / sqrt(T-1) at every horizon, falls
    /// with T, and teleporting lowers it below plain SGD's.
    @Test func sgdTeleportBoundOnTheQuadratic() {
        let s = settings.quadraticSGD
        let checks = s.horizons.map { T in
            TheoremCheck(chunks: (0..<s.chunks).map { quadraticSGDChunk(s, steps: T, seed: $0) })
        }
        for c in checks {
            #expect(c.holds, "T = \(c.steps): measured \(c.teleportMin) vs bound \(c.bound)")
            #expect(c.teleportMin < c.sgdOrbitMaxMin, "T = \(c.steps): teleport \(c.teleportMin) vs SGD \(c.sgdOrbitMaxMin)")
        }
        for (a, b) in zip(checks, checks.dropFirst()) {
            #expect(b.teleportMin < a.teleportMin, "T = \(a.steps) -> \(b.steps)")
        }
    }

    /// The same theorem on the two-layer linear regression, with the bounded teleport and
    /// beta estimated from Hessian eigenvalues on pilot trajectories; the estimate must also
    /// cover the points the measured trajectories visit.
    @Test func sgdTeleportBoundOnTheLinearNetwork() {
        let s = settings.linearSGD
        let setup = linearSGDSetup(s)
        let checks = s.horizons.map { T in
            TheoremCheck(chunks: (0..<s.chunks).map { linearSGDChunk(s, setup: setup, steps: T, seed: $0) })
        }
        for c in checks {
            #expect(c.holds, "T = \(c.steps): measured \(c.teleportMin) vs bound \(c.bound)")
            #expect(c.teleportMin.isFinite && c.sgdGradientMin.isFinite)
            #expect((c.visitedSmoothness ?? .infinity) <= c.constants.beta * 1.05,
                    "beta \(c.constants.beta) vs visited \(String(describing: c.visitedSmoothness))")
        }
        for (a, b) in zip(checks, checks.dropFirst()) {
            #expect(b.teleportMin < a.teleportMin, "T = \(a.steps) -> \(b.steps)")
        }
    }

    /// Teleportation and Newton's method: at the teleport target the gradient is a Hessian
    /// eigenvector (cos(g, H^-1 g) = 1), while at the starting points it is not.
    @Test func teleportAlignsTheGradientWithTheNewtonDirection() {
        let rows = newtonCheck(.booth, settings.newton, seed: 0)
            + (0..<settings.newton.quadratics).flatMap { newtonCheck(.quadratic, settings.newton, seed: $0) }
            + newtonCheck(.rosenbrock, settings.newton, seed: 0)
        for r in rows {
            #expect(r.teleported.eigenResidual < 1e-6, "\(r.problem) start \(r.start): \(r.teleported.eigenResidual)")
            #expect(abs(r.teleported.newtonCosine - 1) < 1e-9)
            #expect(r.before.eigenResidual > r.teleported.eigenResidual)
            // On quadratics the eta = 1/lambda step from the target is Newton's: it lands on w*.
            if r.problem != .rosenbrock { #expect(r.stepGapRatioTeleported < 1e-20) }
        }
    }

    /// Convergence mixes a quadratic and a linear term only with teleportation: on the
    /// non-quadratic Rosenbrock problem the local fit e(t+1) = a e(t)^2 + b e(t) of GD is
    /// linear (b near 1, a e negligible) while GD + teleport has a > 0 and a small b.
    /// Both with e the distance to w* and with the teleport-invariant e = sqrt(f - f*).
    @Test(arguments: ["distance", "sqrt(f - f*)"])
    func quadraticTermAppearsOnlyWithTeleport(_ error: String) {
        let runs = (0..<settings.descent.seeds).map { descentComparison(.rosenbrock, settings, seed: $0) }
        let (gdPath, tpPath) = error == "distance"
            ? (\DescentComparison.gdLocalPairs, \DescentComparison.teleportLocalPairs)
            : (\DescentComparison.gdLocalLossPairs, \DescentComparison.teleportLocalLossPairs)
        let gd = runs.map { $0[keyPath: gdPath] }.reduce(ErrorPairMoments(), +).fit
        let tp = runs.map { $0[keyPath: tpPath] }.reduce(ErrorPairMoments(), +).fit
        let r = settings.descent.localRadius
        #expect(gd.b > 0.99 && abs(gd.a) * r < 0.01 * gd.b, "GD: a = \(gd.a), b = \(gd.b)")
        #expect(tp.a > 0.1 && abs(tp.b) < 0.2, "GD+teleport: a = \(tp.a), b = \(tp.b)")
    }

    /// Time to convergence: GD + teleport needs fewer iterations and less wall time (teleports
    /// included) than GD to reach the tolerance on the problems with an exact teleport.
    @Test(arguments: [TheoryProblem.booth, .quadratic, .rosenbrock])
    func teleportReachesTheToleranceSooner(_ problem: TheoryProblem) {
        for seed in 0..<settings.descent.seeds {
            expectTeleportFaster(descentComparison(problem, settings, seed: seed))
        }
    }

    /// The same on the [20, 20, 20, 20] LeakyReLU regression with gradient-norm teleportation.
    /// Measured on the quick profile: 338 vs 352 and 571 vs 681 iterations to loss 25 (seeds 0
    /// and 1), but on seed 0 the teleport (double backpropagation through pinv) costs more
    /// time than the 14 iterations it saves (0.085 s vs 0.073 s); wall-time comparisons at
    /// this scale also depend on the load. The default profile adds seeds where GD + teleport
    /// diverges (see time_to_tolerance.md).
    @Test func teleportReachesTheToleranceSoonerOnTheLeakyReLURegression() {
        withKnownIssue("gradient-norm teleport on the LeakyReLU regression: fewer iterations, not always less time",
                       isIntermittent: true) {
            for seed in 0..<settings.leaky.seeds {
                expectTeleportFaster(descentComparison(.leakyReLU, settings, seed: seed))
            }
        }
    }

    func expectTeleportFaster(_ c: DescentComparison) {
        guard let g = c.gd.iterationsToTolerance, let t = c.teleport.iterationsToTolerance else {
            Issue.record("\(c.problem) seed \(c.seed): tolerance not reached (GD \(String(describing: c.gd.iterationsToTolerance)), teleport \(String(describing: c.teleport.iterationsToTolerance)))")
            return
        }
        #expect(t < g, "\(c.problem) seed \(c.seed): \(t) vs \(g) iterations")
        #expect(c.teleport.secondsToTolerance! < c.gd.secondsToTolerance!,
                "\(c.problem) seed \(c.seed): \(c.teleport.secondsToTolerance!) s vs \(c.gd.secondsToTolerance!) s")
    }
}
