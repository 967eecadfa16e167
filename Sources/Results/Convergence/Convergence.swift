// Executable `convergence`: Result 1 of PROTOCOL.md, the convergence theory of the paper's
// Section 3 checked numerically.
//
//   (1) Theorem (SGD with teleportation): min_t E[max_g ||grad L(g.w_t)||^2] versus the bound
//       2 beta (L(w0) - L*) / sqrt(T-1) + beta sigma^2 / sqrt(T-1), eta = 1 / (beta sqrt(T-1)),
//       on a stochastic quadratic (closed-form teleport) and a two-layer linear regression
//       (bounded teleport search, beta estimated from Hessian eigenvalues).
//   (2) Teleportation and Newton's method: after teleporting, the gradient is a Hessian
//       eigenvector (GD step = damped Newton step); error sequences e(t+1) = a e(t)^2 + b e(t).
//   (3) Time to convergence, teleport cost included: GD versus GD + teleport.
//
// The problems and procedures live in the Teleport library (Theory/); this file lists the
// runs, executes them, and writes the tables (and the figures, Figures.swift).
import Theory
import MetaLearning
import Model
import Experiments
import Foundation
import Teleport

/// One run: a part of the check, a problem, a horizon (part 1 only) and a seed.
struct ConvergenceRun: RunDescriptor {
    enum Part: String, Codable { case sgd, newton, descent }
    enum Problem: String, Codable { case quadratic, linear, booth, rosenbrock, leakyReLU = "leaky-relu" }
    var part: Part
    var problem: Problem
    var horizon: Int?
    var seed: Int
    var key: String {
        if let horizon { return runKey(part.rawValue, problem.rawValue, String(format: "T-%04d", horizon), seed: seed) }
        return runKey(part.rawValue, problem.rawValue, seed: seed)
    }
    var theoryProblem: TheoryProblem { TheoryProblem(rawValue: problem.rawValue)! }
}

struct Convergence: Experiment {
    typealias Params = ConvergenceSettings
    typealias Run = ConvergenceRun

    /// What a run produces (one of the three).
    struct Result: Codable, Sendable {
        var sgd: SGDChunk?
        var newton: [NewtonRow]?
        var descent: DescentComparison?
    }

    static let name = "convergence"
    static let abstract = "Section 3 theory checked numerically: SGD+teleport bound, Newton alignment, time to convergence."
    /// 1: pinv by Cholesky QR (its runs' numbers moved in the last bits).
    static let numericsRevision = 1

    /// The profiles: every value is in `ConvergenceSettings` (ConvergenceRuns.swift),
    /// shared with the claims tests.
    func params(for profile: Profile) -> Params {
        switch profile {
        case .quick: .quick
        case .default: .standard
        case .paper: .paper
        }
    }

    func runs(params p: Params, datasets: [String]) -> [Run] {
        var runs: [Run] = []
        for T in p.quadraticSGD.horizons {
            runs += (0..<p.quadraticSGD.chunks).map { Run(part: .sgd, problem: .quadratic, horizon: T, seed: $0) }
        }
        for T in p.linearSGD.horizons {
            runs += (0..<p.linearSGD.chunks).map { Run(part: .sgd, problem: .linear, horizon: T, seed: $0) }
        }
        runs.append(Run(part: .newton, problem: .booth, seed: 0))
        runs += (0..<p.newton.quadratics).map { Run(part: .newton, problem: .quadratic, seed: $0) }
        runs.append(Run(part: .newton, problem: .rosenbrock, seed: 0))
        for problem in [Run.Problem.booth, .quadratic, .rosenbrock] {
            runs += (0..<p.descent.seeds).map { Run(part: .descent, problem: problem, seed: $0) }
        }
        runs += (0..<p.leaky.seeds).map { Run(part: .descent, problem: .leakyReLU, seed: $0) }
        return runs
    }

    func execute(_ run: Run, params p: Params, shared: Void, context: RunContext) throws -> Result {
        switch (run.part, run.problem) {
        case (.sgd, .quadratic):
            return Result(sgd: quadraticSGDChunk(p.quadraticSGD, steps: run.horizon!, seed: run.seed))
        case (.sgd, _):
            // beta, L* and sigma^2 of the linear problem: computed once, shared by its runs.
            let setup = try context.cached("linear-setup") { linearSGDSetup(p.linearSGD) }
            return Result(sgd: linearSGDChunk(p.linearSGD, setup: setup, steps: run.horizon!, seed: run.seed))
        case (.newton, _):
            return Result(newton: newtonCheck(run.theoryProblem, p.newton, seed: run.seed))
        case (.descent, _):
            let comparison = descentComparison(run.theoryProblem, p, seed: run.seed)
            try context.checkFinite(comparison.gd.lossGap.last ?? .nan, epoch: 0, what: "GD loss")
            return Result(descent: comparison)
        }
    }

    struct Statistics: Encodable, Sendable {
        var theorem: [String: [TheoremCheck]]
        var newton: [String: NewtonSummary]
        var fits: [String: [String: QuadraticLinearFit]]
        var iterationsToTolerance: [String: [String: [Int?]]]
    }

    func summarize(_ results: RunResults<Self>, params p: Params, output: OutputFolder) throws -> Statistics {
        let done = results.completed
        let theorem = try writeTheorem(done, output: output)
        let newton = try writeNewton(done, output: output)
        let (fits, iterations) = try writeDescent(done, params: p, output: output)
        for warning in try writeFigures(output: output, theorem: theorem, comparisons: done.compactMap(\.result.descent),
                                        fits: fits) {
            print("figure warning: \(warning)")
        }
        return Statistics(theorem: theorem, newton: newton, fits: fits, iterationsToTolerance: iterations)
    }
}

// MARK: - Verdicts

extension Convergence {
    /// Section 3's claims: the bound, the Newton alignment, the quadratic term and the
    /// iterations to the tolerance (wall times are not in the deterministic statistics).
    func verdicts(_ s: Statistics, params p: Params, datasets: [String]) -> [Verdict] {
        Self.verdicts(s, params: p)
    }

    /// The rules.
    static func verdicts(_ s: Statistics, params p: Params) -> [Verdict] {
        [boundVerdict(s), newtonVerdict(s), quadraticTermVerdict(s, params: p)] + iterationVerdicts(s, params: p)
    }

    /// Per problem and horizon T: the Monte Carlo minimum below the bound (normal interval
    /// from its standard error over trajectories); it falls from each T to the next; on the
    /// linear network beta covers (within 5%) the Hessian eigenvalues met.
    static func boundVerdict(_ s: Statistics) -> Verdict {
        let checks = [Run.Problem.quadratic, .linear].flatMap { problem -> [Check] in
            guard let cs = s.theorem[problem.rawValue], !cs.isEmpty else {
                return [.notRun(problem.rawValue, because: "no completed runs")]
            }
            var checks = cs.map { c in
                Check("\(problem.rawValue) T=\(c.steps)",
                      .monteCarlo("min_t E max_g |grad L|^2", mean: c.teleportMin, standardError: c.teleportStandardError,
                                  n: c.trajectories, claim: .below, boundary: c.bound, scale: c.bound),
                      note: "bound \(num(c.bound, 3))")
            }
            checks += zip(cs, cs.dropFirst()).map { a, b in
                Check("\(problem.rawValue) T=\(a.steps)->\(b.steps)",
                      .monteCarlo("change of min_t E max_g |grad L|^2", mean: b.teleportMin - a.teleportMin,
                                  standardError: (a.teleportStandardError * a.teleportStandardError
                                                  + b.teleportStandardError * b.teleportStandardError).squareRoot(),
                                  n: a.trajectories + b.trajectories, claim: .below, boundary: 0, scale: a.teleportMin))
            }
            if let eig = cs.compactMap(\.visitedSmoothness).max() {
                let beta = cs[0].constants.beta
                checks.append(Check("\(problem.rawValue) beta", .exact("max Hessian eigenvalue visited / beta",
                                                                      value: eig / beta, claim: .below, boundary: 1.05,
                                                                      scale: 1), note: "beta \(num(beta, 3))"))
            }
            return checks
        }
        return Verdict(id: "convergence/sgd-teleport-bound",
                       claim: "SGD with teleportation satisfies Theorem 3.1's bound on min_t E max_g |grad L|^2 "
                       + "at every horizon T, and the measured minimum falls with T.",
                       checks: checks, figures: ["theorem.png"])
    }

    /// At every teleport target the gradient is a Hessian eigenvector (worst point: residual
    /// below 1e-6, cos(g, H^-1 g) within 1e-9 of 1), and more so than at the starting points.
    /// Deterministic linear algebra: exact comparisons, in decades (log10; 0 counts as 1e-300).
    static func newtonVerdict(_ s: Statistics) -> Verdict {
        let checks = TheoryProblem.allCases.flatMap { problem -> [Check] in
            guard let n = s.newton[problem.rawValue] else { return [] }
            let name = problem.rawValue
            return [
                Check("\(name) residual", .exact("log10 worst ||Hg - rho g|| / ||Hg|| at a target",
                                                 value: log10(max(n.worstResidualTeleported, 1e-300)), claim: .below,
                                                 boundary: -6, scale: 1)),
                Check("\(name) cosine", .exact("log10 worst |cos(g, H^-1 g) - 1| at a target",
                                               value: log10(max(abs(n.worstCosineTeleported - 1), 1e-300)),
                                               claim: .below, boundary: -9, scale: 1),
                      note: "median cos \(num(n.cosineBefore, 3)) -> \(num(n.cosineTeleported, 3))"),
                Check("\(name) improves", .exact("log10 (median residual before / at the target)",
                                                 value: log10(max(n.residualBefore, 1e-300) / max(n.residualTeleported, 1e-300)),
                                                 claim: .above,
                                                 boundary: 0, scale: 1)),
            ]
        }
        return Verdict(id: "convergence/newton-alignment",
                       claim: "At a teleport target the gradient is a Hessian eigenvector, so a GD step is a Newton "
                       + "step (every point: residual < 1e-6, cos(g, H^-1 g) = 1 within 1e-9).",
                       checks: checks.isEmpty ? [.notRun("", because: "no completed runs")] : checks,
                       figures: ["error_maps.png"])
    }

    /// On Rosenbrock, the local fit e(t+1) = a e(t)^2 + b e(t) is linear for GD (b > 0.99,
    /// |a| r < 0.01 b with r the local radius) and has a quadratic term with teleportation
    /// (a > 0.1, |b| < 0.2); with e the distance to w* and with e = sqrt(f - f*). The pooled
    /// least-squares fit over the seeds' error pairs is compared with each threshold exactly.
    static func quadraticTermVerdict(_ s: Statistics, params p: Params) -> Verdict {
        let r = p.descent.localRadius
        let errors = [("|w - w*|", ""), ("sqrt(f - f*)", " loss")]
        let checks = errors.flatMap { name, suffix -> [Check] in
            guard let gd = s.fits["rosenbrock"]?["GD\(suffix) (local)"],
                  let tp = s.fits["rosenbrock"]?["GD+teleport\(suffix) (local)"] else {
                return [.notRun(name, because: "no completed runs")]
            }
            return [
                Check("\(name) GD b", .exact("GD linear coefficient b", value: gd.b, claim: .above, boundary: 0.99, scale: 1)),
                Check("\(name) GD a", .exact("GD |a| r / b", value: abs(gd.a) * r / gd.b, claim: .below,
                                              boundary: 0.01, scale: 0.01)),
                Check("\(name) teleport a", .exact("GD+teleport quadratic coefficient a", value: tp.a, claim: .above,
                                                    boundary: 0.1, scale: 0.1)),
                Check("\(name) teleport b", .exact("GD+teleport |b|", value: abs(tp.b), claim: .below, boundary: 0.2,
                                                    scale: 0.2)),
            ]
        }
        return Verdict(id: "convergence/quadratic-term",
                       claim: "Only with teleportation does convergence gain a quadratic term: on Rosenbrock near w*, "
                       + "e(t+1) = a e(t)^2 + b e(t) has b > 0.99, a ~ 0 for GD and a > 0.1, |b| < 0.2 for GD+teleport.",
                       checks: checks, figures: ["error_maps.png"])
    }

    /// GD+teleport reaches the tolerance in fewer iterations than GD: paired over seeds, the t
    /// interval of the mean log((teleport + 1) / (GD + 1)) iterations; a run that never reaches
    /// it counts its iteration budget (censored).
    static func iterationVerdicts(_ s: Statistics, params p: Params) -> [Verdict] {
        func check(_ problem: String, budget: Int) -> Check {
            guard let gd = s.iterationsToTolerance[problem]?["GD"],
                  let tp = s.iterationsToTolerance[problem]?["GD+teleport"], !gd.isEmpty, gd.count == tp.count else {
                return .notRun(problem, because: "no completed runs")
            }
            let ratios = zip(gd, tp).map { g, t in log(Double((t ?? budget) + 1) / Double((g ?? budget) + 1)) }
            let median = { (xs: [Int?]) in String(format: "%.0f", Stats.median(xs.map { Double($0 ?? budget) })) }
            let missed = (gd + tp).filter { $0 == nil }.count
            return Check(problem, .paired("mean log(teleport / GD iterations)", differences: ratios, claim: .below, scale: 1),
                         note: "median \(median(gd)) -> \(median(tp))"
                         + (missed > 0 ? "; \(missed) runs censored at \(budget)" : ""))
        }
        let d = p.descent
        return [
            Verdict(id: "convergence/fewer-iterations-exact-teleport",
                    claim: "GD+teleport reaches the tolerance in fewer iterations than GD on the problems with an "
                    + "exact teleport.",
                    checks: [check("booth", budget: d.quadraticMaxIterations),
                             check("quadratic", budget: d.quadraticMaxIterations),
                             check("rosenbrock", budget: d.rosenbrockMaxIterations)], figures: ["descent.png"]),
            Verdict(id: "convergence/fewer-iterations-leaky-relu",
                    claim: "The same on the [20, 20, 20, 20] LeakyReLU regression (gradient-norm teleport).",
                    checks: [check("leaky-relu", budget: p.leaky.maxIterations)], figures: ["descent.png"]),
        ]
    }
}

// MARK: - (1) The theorem's two sides

extension Convergence {
    /// theorem.md: per problem and T, the bound beside the measured minima; sgd_curves.csv:
    /// the per-iteration Monte Carlo means behind them.
    func writeTheorem(_ done: [(run: Run, result: Result)], output: OutputFolder) throws -> [String: [TheoremCheck]] {
        var table = Table(columns: ["problem", "T", "eta", "beta", "L(w0)-L*", "sigma^2", "bound",
                                    "min_t E max_g|grad|^2 (SGD+teleport)", "± s.e.", "argmin t",
                                    "min_t E|grad|^2 (SGD)", "min_t E max_g|grad|^2 (SGD)", "runs",
                                    "max Hessian eig. visited", "holds"],
                          alignments: [.left] + Array(repeating: .right, count: 14))
        var curves = Table(columns: ["problem", "T", "t", "sgd_grad_sq", "sgd_orbit_max_grad_sq",
                                     "teleport_orbit_max_grad_sq", "teleport_orbit_max_grad_sq_se", "bound"])
        var checks: [String: [TheoremCheck]] = [:]
        for problem in [Run.Problem.quadratic, .linear] {
            let chunks = done.filter { $0.run.part == .sgd && $0.run.problem == problem }
            for T in Set(chunks.map { $0.run.horizon! }).sorted() {
                let these = chunks.filter { $0.run.horizon == T }.compactMap(\.result.sgd)
                let c = TheoremCheck(chunks: these)
                checks[problem.rawValue, default: []].append(c)
                table.append([problem.rawValue, "\(T)", num(c.learningRate), num(c.constants.beta),
                              num(c.constants.initialGap), num(c.constants.sigmaSquared), num(c.bound),
                              num(c.teleportMin), num(c.teleportStandardError), "\(c.teleportArgmin)",
                              num(c.sgdGradientMin), num(c.sgdOrbitMaxMin), "\(c.trajectories)",
                              c.visitedSmoothness.map { num($0) } ?? "-", c.holds ? "yes" : "NO"])
                var tele = these[0].teleportOrbitMax, sgd = these[0].sgdSquaredGradientNorm, orbit = these[0].sgdOrbitMax
                for x in these.dropFirst() {
                    tele.merge(x.teleportOrbitMax); sgd.merge(x.sgdSquaredGradientNorm); orbit.merge(x.sgdOrbitMax)
                }
                let (tm, ts, sm, om) = (tele.mean, tele.standardError, sgd.mean, orbit.mean)
                for t in 0..<T {
                    curves.append([problem.rawValue, "\(T)", "\(t)", num(sm[t], 6), num(om[t], 6), num(tm[t], 6),
                                   num(ts[t], 6), num(c.bound, 6)])
                }
            }
        }
        try output.write(table, name: "theorem")
        try output.write(text: curves.csv(), name: "sgd_curves.csv")
        return checks
    }
}

// MARK: - (2) Newton alignment

/// Medians over starting points of the alignment before and after teleporting.
struct NewtonSummary: Encodable, Sendable {
    var points: Int
    var residualBefore: Double
    var residualTeleported: Double
    var residualAscent: Double?
    var cosineBefore: Double
    var cosineTeleported: Double
    var stepGapRatioBefore: Double
    var stepGapRatioTeleported: Double
    /// Worst point: largest residual and cosine farthest from 1 at a teleport target.
    var worstResidualTeleported: Double
    var worstCosineTeleported: Double
}

extension Convergence {
    /// newton.md: per problem, medians of ||Hg - rho g|| / ||Hg|| and cos(g, H^-1 g) at the
    /// starting points and at their teleport targets; newton_points.csv: every point.
    func writeNewton(_ done: [(run: Run, result: Result)], output: OutputFolder) throws -> [String: NewtonSummary] {
        let rows = done.flatMap { $0.result.newton ?? [] }
        var points = Table(columns: ["problem", "seed", "start", "residual_before", "residual_teleported",
                                     "residual_ascent", "cosine_before", "cosine_teleported",
                                     "step_gap_ratio_before", "step_gap_ratio_teleported"])
        for r in rows {
            points.append([r.problem.rawValue, "\(r.seed)", "\(r.start)", num(r.before.eigenResidual, 6),
                           num(r.teleported.eigenResidual, 6), r.ascent.map { num($0.eigenResidual, 6) } ?? "",
                           num(r.before.newtonCosine, 8), num(r.teleported.newtonCosine, 8),
                           num(r.stepGapRatioBefore, 6), num(r.stepGapRatioTeleported, 6)])
        }
        try output.write(text: points.csv(), name: "newton_points.csv")
        var table = Table(columns: ["problem", "points", "residual before", "residual teleported",
                                    "residual ascent teleport", "cos(g, H^-1 g) before", "cos teleported",
                                    "gap ratio after 1/rho step, before", "gap ratio, teleported"],
                          alignments: [.left] + Array(repeating: .right, count: 8))
        var summaries: [String: NewtonSummary] = [:]
        for problem in TheoryProblem.allCases {
            let these = rows.filter { $0.problem == problem }
            guard !these.isEmpty else { continue }
            let ascent = these.compactMap { $0.ascent?.eigenResidual }
            let s = NewtonSummary(points: these.count,
                                  residualBefore: Stats.median(these.map(\.before.eigenResidual)),
                                  residualTeleported: Stats.median(these.map(\.teleported.eigenResidual)),
                                  residualAscent: ascent.isEmpty ? nil : Stats.median(ascent),
                                  cosineBefore: Stats.median(these.map(\.before.newtonCosine)),
                                  cosineTeleported: Stats.median(these.map(\.teleported.newtonCosine)),
                                  stepGapRatioBefore: Stats.median(these.map(\.stepGapRatioBefore)),
                                  stepGapRatioTeleported: Stats.median(these.map(\.stepGapRatioTeleported)),
                                  worstResidualTeleported: these.map(\.teleported.eigenResidual).max()!,
                                  worstCosineTeleported: these.map(\.teleported.newtonCosine)
                                      .max { abs($0 - 1) < abs($1 - 1) }!)
            summaries[problem.rawValue] = s
            table.append([problem.rawValue, "\(s.points)", num(s.residualBefore), num(s.residualTeleported),
                          s.residualAscent.map { num($0) } ?? "-", num(s.cosineBefore, 6), num(s.cosineTeleported, 10),
                          num(s.stepGapRatioBefore), num(s.stepGapRatioTeleported)])
        }
        try output.write(table, name: "newton")
        return summaries
    }
}

// MARK: - (2, 3) Error sequences and time to convergence

extension Convergence {
    /// rates.md: pooled fits e(t+1) = a e(t)^2 + b e(t) per problem and method, with e the
    /// distance to w* and with the teleport-invariant sqrt(f - f*), over all pairs and over
    /// the local ones;
    /// time_to_tolerance.md: iterations and seconds (teleports included) to the tolerance;
    /// descent_curves.csv (loss gap, distance, seconds per kept iteration) and error_pairs.csv
    /// (e(t), e(t+1)) for the figures.
    func writeDescent(_ done: [(run: Run, result: Result)], params p: Params, output: OutputFolder) throws
        -> ([String: [String: QuadraticLinearFit]], [String: [String: [Int?]]]) {
        let comparisons = done.compactMap(\.result.descent)
        var curves = Table(columns: ["problem", "method", "seed", "iteration", "seconds", "loss_gap", "distance"])
        var pairs = Table(columns: ["problem", "method", "seed", "e_t", "e_next"])
        var rates = Table(columns: ["problem", "method", "error e(t)", "pairs fitted", "learning rate", "a (quadratic)",
                                    "b (linear)", "rel. residual", "pairs"],
                          alignments: [.left, .left, .left, .left] + Array(repeating: .right, count: 5))
        var timing = Table(columns: ["problem", "method", "tolerance", "reached", "iterations (median)",
                                     "iterations (min-max)", "seconds (median)", "GD/teleport iterations",
                                     "max loss change in a teleport"],
                           alignments: [.left, .left] + Array(repeating: .right, count: 7))
        var fits: [String: [String: QuadraticLinearFit]] = [:]
        var iterations: [String: [String: [Int?]]] = [:]
        for problem in TheoryProblem.allCases {
            let these = comparisons.filter { $0.problem == problem }
            guard let first = these.first else { continue }
            var medians: [String: Double] = [:]
            typealias Moments = KeyPath<DescentComparison, ErrorPairMoments>
            let methods: [(String, KeyPath<DescentComparison, DescentTrace>, [(String, String, Moments)])] = [
                ("GD", \.gd, [("|w - w*|", "all", \.gdPairs), ("|w - w*|", "local", \.gdLocalPairs),
                              ("sqrt(f - f*)", "all", \.gdLossPairs), ("sqrt(f - f*)", "local", \.gdLocalLossPairs)]),
                ("GD+teleport", \.teleport, [("|w - w*|", "all", \.teleportPairs), ("|w - w*|", "local", \.teleportLocalPairs),
                                             ("sqrt(f - f*)", "all", \.teleportLossPairs),
                                             ("sqrt(f - f*)", "local", \.teleportLocalLossPairs)])]
            for (method, trace, fitted) in methods {
                for c in these {
                    let tr = c[keyPath: trace]
                    for i in tr.iteration.indices {
                        curves.append([problem.rawValue, method, "\(c.seed)", "\(tr.iteration[i])",
                                       num(tr.seconds[i], 6), num(tr.lossGap[i], 8),
                                       tr.distance.isEmpty ? "" : num(tr.distance[i], 8)])
                    }
                    // Consecutive kept entries are consecutive iterations at the start of a trace.
                    for i in tr.iteration.indices.dropLast() where tr.iteration[i + 1] == tr.iteration[i] + 1
                        && !tr.distance.isEmpty {
                        pairs.append([problem.rawValue, method, "\(c.seed)", num(tr.distance[i], 8),
                                      num(tr.distance[i + 1], 8)])
                    }
                }
                for (error, scope, path) in fitted {
                    let pooled = these.map { $0[keyPath: path] }.reduce(ErrorPairMoments(), +)
                    guard pooled.pairs > 0 else { continue }
                    let fit = pooled.fit
                    let name = method + (error == "|w - w*|" ? "" : " loss") + (scope == "all" ? "" : " (local)")
                    fits[problem.rawValue, default: [:]][name] = fit
                    rates.append([problem.rawValue, method, error,
                                  scope == "all" ? "all" : "e(t) <= \(num(p.descent.localRadius))",
                                  num(first.learningRate), num(fit.a), num(fit.b), num(fit.relativeResidual, 3),
                                  "\(fit.pairs)"])
                }
                let its = these.map { $0[keyPath: trace].iterationsToTolerance }
                iterations[problem.rawValue, default: [:]][method] = its
                let reached = its.compactMap { $0 }.map(Double.init)
                let secs = these.compactMap { $0[keyPath: trace].secondsToTolerance }
                medians[method] = Stats.median(reached)
                timing.append([problem.rawValue, method, num(first.tolerance), "\(reached.count)/\(these.count)",
                               num(Stats.median(reached)),
                               reached.isEmpty ? "-" : "\(Int(reached.min()!))-\(Int(reached.max()!))",
                               num(Stats.median(secs), 3), "",
                               method == "GD" ? "" : num(these.map { $0[keyPath: trace].teleportLossChange }.max() ?? 0, 3)])
            }
            if let g = medians["GD"], let t = medians["GD+teleport"] {
                timing.rows[timing.rows.count - 1][7] = num(g / t, 3)
            }
        }
        try output.write(rates, name: "rates")
        try output.write(timing, name: "time_to_tolerance")
        try output.write(text: curves.csv(), name: "descent_curves.csv")
        try output.write(text: pairs.csv(), name: "error_pairs.csv")
        return (fits, iterations)
    }
}

/// A number for a table cell.
func num(_ x: Double, _ digits: Int = 4) -> String { Table.number(x, digits: digits) }


extension Convergence {
    /// `--set` rules: the default ones, except that the data noise may be 0 (noiseless data).
    func problems(in params: Params) -> [String] {
        countProblems(in: params, except: ["linearSGD.dataNoise"])
    }
}
