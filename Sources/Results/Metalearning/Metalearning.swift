// Result 5 of the paper (Fig 6): learning where to teleport.
//
// Base problems: regression 0.5 ||Y - W2 s(W1 X)||_F^2 with dims [20, 20, 20, 20], one
// problem (data and initial weights, uniform in [0, 1)) per seed, drawn as the published
// `init_param` draws it (PyTorch's stream). Each learned optimiser is meta-trained along
// trajectories of training problems (seeds n*n*12345 - 1, n = 0, 1, ...) by truncated
// backpropagation through unrolls of 10 steps (Adam on the LSTM parameters), saved as JSON
// in <results>/metalearning/<profile>/cache/meta-<method>.json (a rerun with the same
// parameters reads it back instead of meta-training), then run on 5 test problems with
// disjoint seeds (n*n*12345) next to gradient descent (PROTOCOL.md). Both algorithms use the
// same problems, so their results differ by the algorithm only.

import Theory
import MetaLearning
import Model
import Experiments
import Foundation
import Autodiff
import Teleport
import Tensor

/// The precision of the base problems and the LSTMs: Float32, as in the published code.
typealias MetaScalar = Float

struct Metalearning: Experiment {
    /// The methods of Fig 6, in the paper's legend order.
    enum Method: String, Codable, Sendable, CaseIterable {
        case gd = "GD"
        case lrTele = "LSTM(lr,tele)"
        case update = "LSTM(update)"
        case updateTele = "LSTM(update,tele)"

        var key: String {
            switch self {
            case .gd: "gd"
            case .lrTele: "lstm-lr-tele"
            case .update: "lstm-update"
            case .updateTele: "lstm-update-tele"
            }
        }
    }

    /// Meta-training budget of one learned optimiser.
    struct Budget: Codable, Sendable {
        var trajectories: Int           // training problems, one trajectory each
        var steps: Int                  // steps per trajectory (also the steps at test time)
        var hidden: Int                 // hidden size of its LSTMs (the paper: 20 for lr,tele; 300 else)
    }

    /// Everything one profile fixes; printed by `metalearning profiles`.
    struct Params: Codable, Sendable {
        var dimensions: [Int]           // [batch, d0, d1, d2] (the paper: [20, 20, 20, 20])
        var gdLearningRate: Double      // GD baseline (the paper: 3e-4)
        var unroll: Int                 // steps per truncated-BPTT unroll (the paper: 10)
        var updateMetaLearningRate: Double   // Adam on the update LSTM (the paper: 1e-3)
        var teleportMetaLearningRate: Double // Adam on the teleport LSTMs (the paper: 1e-4)
        var lrTele: Budget              // the paper: 30 x 300, hidden 20
        var update: Budget              // the paper: 600 x 100, hidden 300
        var updateTele: Budget          // the paper: 700 x 100, hidden 300
        var testProblems: Int           // test problems n = 0, 1, ... (seed n*n*12345; the paper: 5)
        var gdSteps: Int                // steps of GD at test time (the paper: 300)

        func budget(_ method: Method) -> Budget? {
            switch method {
            case .gd: nil
            case .lrTele: lrTele
            case .update: update
            case .updateTele: updateTele
            }
        }
    }

    /// One method, meta-trained (or read from its saved file) and tested on every test problem.
    struct Run: RunDescriptor {
        var method: Method
        /// Relative size for the ETA: meta-training steps x LSTM weights (not stored).
        var cost: Double = 1
        var key: String { method.key }
        enum CodingKeys: String, CodingKey { case method }
    }

    /// A meta-trained optimiser as saved in `cache/meta-<method>.json`.
    struct Trained: Codable, Sendable {
        var optimizer: MetaOptimizerFile
        var unrolledLoss: [Double]      // mean unrolled loss of each training trajectory
        var seconds: Double             // wall time of meta-training
    }

    struct Result: Codable, Sendable {
        var testSeeds: [Int]
        var losses: [[Double]]          // per test problem: loss before step 0, 1, ..., after the last
        var seconds: [[Double]]         // per test problem: cumulative wall time at the same points
        var metaTrainingLoss: [Double]  // mean unrolled loss per training trajectory (empty for GD)
        var metaTrainingSeconds: Double
    }

    /// Test loss of one method at the reported steps (mean and std over the test problems).
    struct MethodSummary: Codable, Sendable {
        var method: String
        var problems: Int
        var steps: [Int]
        var mean: [Double]
        var std: [Double]
        /// Per reported step, per test problem (in `testSeeds` order): the loss.
        var losses: [[Double]]
    }

    struct Statistics: Encodable, Sendable { var methods: [MethodSummary] }

    static let name = "metalearning"
    static let abstract = "Result 5: learning where to teleport with LSTM meta-optimisers (Fig 6)."
    /// 1: pinv by Cholesky QR (its runs' numbers moved in the last bits); 2: the LSTMs' batch-1
    /// products through gemv (`vecmat`) instead of gemm (sums in another order).
    static let numericsRevision = 2
    /// The steps of the table.
    static let reportedSteps = [10, 30, 100]

    func params(for profile: Profile) -> Params {
        let paper = Params(dimensions: [20, 20, 20, 20], gdLearningRate: 3e-4, unroll: 10,
                           updateMetaLearningRate: 1e-3, teleportMetaLearningRate: 1e-4,
                           lrTele: Budget(trajectories: 30, steps: 300, hidden: 20),
                           update: Budget(trajectories: 600, steps: 100, hidden: 300),
                           updateTele: Budget(trajectories: 700, steps: 100, hidden: 300),
                           testProblems: 5, gdSteps: 300)
        // The default profile is the paper's (about 7 minutes on two cores). The quick profile
        // keeps the paper's architectures, step counts and learning rates and meta-trains on
        // fewer trajectories (about 1.5 minutes over two cores).
        var p = paper
        if profile == .quick {
            p.lrTele.trajectories = 10
            p.update.trajectories = 40
            p.updateTele.trajectories = 40
        }
        return p
    }

    func runs(params: Params, datasets: [String]) -> [Run] {
        let inputs = RegressionProblem<MetaScalar>(dimensions: params.dimensions, seed: 0).weightShapes
            .reduce(0) { $0 + $1.rows * $1.cols }
        return Method.allCases.map { method in
            guard let b = params.budget(method) else { return Run(method: method, cost: 0.01) }
            // Weights of two stacked LSTM cells reading `inputs` values, and of the head.
            let h = b.hidden, weights = 4 * h * (inputs + h) + 8 * h * h + h * inputs
            let lstms = method == .updateTele ? 2.0 : 1.0
            return Run(method: method, cost: lstms * Double(b.trajectories * b.steps * weights) / 1e9)
        }
    }

    func execute(_ run: Run, params: Params, shared: Void, context: RunContext) throws -> Result {
        let shapes = RegressionProblem<MetaScalar>(dimensions: params.dimensions, seed: 0).weightShapes
        let seed: UInt64 = 2024     // initial LSTM parameters
        switch run.method {
        case .gd:
            return try testGD(params: params, context: context)
        case .lrTele:
            let b = params.lrTele
            return try learned(LSTMRateTeleport(weightShapes: shapes, hiddenSize: b.hidden, seed: seed),
                               run, budget: b, params: params, context: context)
        case .update:
            let b = params.update
            return try learned(LSTMUpdate(weightShapes: shapes, hiddenSize: b.hidden, seed: seed),
                               run, budget: b, params: params, context: context)
        case .updateTele:
            let b = params.updateTele
            return try learned(LSTMUpdateTeleport(weightShapes: shapes, updateHiddenSize: b.hidden,
                                                  teleportHiddenSize: b.hidden, seed: seed),
                               run, budget: b, params: params, context: context)
        }
    }

    /// Meta-trains `initial` (or reads it back from its saved file when the profile's
    /// parameters are unchanged), then runs it on the test problems.
    func learned<O: MetaOptimizer>(_ initial: O, _ run: Run, budget: Budget, params: Params,
                                   context: RunContext) throws -> Result where O.Scalar == MetaScalar {
        let trained = try context.cached("meta-\(run.method.key)", as: Trained.self) {
            let start = Date()
            var trainer = MetaTrainer(optimizer: initial, unrollLength: params.unroll,
                                      updateLearningRate: params.updateMetaLearningRate,
                                      teleportLearningRate: params.teleportMetaLearningRate)
            var curve: [Double] = []
            for i in 0..<budget.trajectories {
                context.report("meta-training trajectory", i + 1, of: budget.trajectories)
                let problem = Self.trainingProblem(i, params: params)
                let unrolls = (context.algorithm == .published
                    ? trainer.trainPublished(on: problem, steps: budget.steps)
                    : trainer.train(on: problem, steps: budget.steps)).map { Double($0) }
                curve.append(Stats.mean(unrolls))
                try context.checkFinite(curve[i], epoch: i + 1, what: "meta-training loss of trajectory \(i + 1)")
            }
            return Trained(optimizer: trainer.optimizer.file, unrolledLoss: curve,
                           seconds: Date().timeIntervalSince(start))
        }
        var optimizer = initial
        try optimizer.load(trained.optimizer)

        var losses: [[Double]] = [], seconds: [[Double]] = []
        let testSeeds = Self.testSeeds(params: params)
        for (i, seed) in testSeeds.enumerated() {
            context.report("test problem", i + 1, of: testSeeds.count)
            let problem = Self.testProblem(seed: seed, params: params)
            var W = problem.initialWeights, state = optimizer.initialState()
            var curve: [Double] = [], time: [Double] = [0]
            let start = Date()
            for step in 0..<budget.steps {
                let s = optimizer.step(W.map { Variable($0) }, problem: problem, state: state)
                curve.append(Double(s.loss.scalar))
                try context.checkFinite(curve[step], epoch: step + 1, what: "test loss on problem \(seed)")
                W = s.weights.map(\.value)
                state = s.state.detached()
                time.append(Date().timeIntervalSince(start))
            }
            curve.append(Double(problem.loss(W)))
            losses.append(curve); seconds.append(time)
        }
        return Result(testSeeds: testSeeds, losses: losses, seconds: seconds,
                      metaTrainingLoss: trained.unrolledLoss, metaTrainingSeconds: trained.seconds)
    }

    /// Training problem `i`: `init_param(dim, seed = i*i*12345 - 1)` as `train_meta_opt` draws
    /// it (both algorithms).
    static func trainingProblem(_ i: Int, params: Params) -> RegressionProblem<MetaScalar> {
        RegressionProblem(publishedDimensions: params.dimensions, seed: i * i * 12345 - 1)
    }

    /// The seeds of the test problems: n*n*12345 for n = 0 ..< testProblems, as `test_meta_opt`
    /// and `train_GD` draw them (both algorithms; disjoint from the training seeds).
    static func testSeeds(params: Params) -> [Int] {
        (0..<params.testProblems).map { $0 * $0 * 12345 }
    }

    /// The test problem of `seed` (one of `testSeeds(params:)`): `init_param(dim, seed)`.
    static func testProblem(seed: Int, params: Params) -> RegressionProblem<MetaScalar> {
        RegressionProblem(publishedDimensions: params.dimensions, seed: seed)
    }

    /// The baseline: gradient descent W <- W - lr dL/dW on the test problems.
    func testGD(params: Params, context: RunContext) throws -> Result {
        let lr = MetaScalar(params.gdLearningRate)
        var losses: [[Double]] = [], seconds: [[Double]] = []
        let testSeeds = Self.testSeeds(params: params)
        for (i, seed) in testSeeds.enumerated() {
            context.report("test problem", i + 1, of: testSeeds.count)
            let problem = Self.testProblem(seed: seed, params: params)
            var W = problem.initialWeights
            var curve: [Double] = [], time: [Double] = [0]
            let start = Date()
            for step in 0..<params.gdSteps {
                let (L, G) = lossAndGradient(W, problem.X, problem.objective)
                curve.append(Double(L))
                try context.checkFinite(curve[step], epoch: step + 1, what: "GD test loss on problem \(seed)")
                for l in W.indices { W[l].add(G[l], scaledBy: -lr) }
                time.append(Date().timeIntervalSince(start))
            }
            curve.append(Double(problem.loss(W)))
            losses.append(curve); seconds.append(time)
        }
        return Result(testSeeds: testSeeds, losses: losses, seconds: seconds,
                      metaTrainingLoss: [], metaTrainingSeconds: 0)
    }

    func summarize(_ results: RunResults<Self>, params: Params, output: OutputFolder) throws -> Statistics {
        var methods: [MethodSummary] = []
        var table = Table(columns: ["method", "test problems"] + Self.reportedSteps.map { "loss at step \($0)" }
                          + ["meta-training", "meta-training time (s)"])
        for (run, result) in results.completed {
            let steps = Self.reportedSteps.filter { $0 < (result.losses.first?.count ?? 0) }
            let at = steps.map { t in result.losses.map { $0[t] } }
            let summary = MethodSummary(method: run.method.rawValue, problems: result.losses.count, steps: steps,
                                        mean: at.map(Stats.mean), std: at.map(Stats.std), losses: at)
            methods.append(summary)
            let budget = params.budget(run.method)
            table.append([run.method.rawValue, "\(result.losses.count)"]
                         + Self.reportedSteps.map { t in
                             steps.firstIndex(of: t).map { Table.meanStd(summary.mean[$0], summary.std[$0]) } ?? "-"
                         }
                         + [budget.map { "\($0.trajectories) x \($0.steps)" } ?? "-",
                            budget == nil ? "-" : String(format: "%.1f", result.metaTrainingSeconds)])
        }
        try output.write(table, name: "test-loss")
        try writeFigures(results.completed, output: output)
        return Statistics(methods: methods)
    }

    /// Fig 6's claims: on the same test problems, paired over problems, by the t interval of
    /// the mean log ratio of the two methods' test losses (losses span orders of magnitude).
    func verdicts(_ s: Statistics, params: Params, datasets: [String]) -> [Verdict] { Self.verdicts(s) }

    /// The rules.
    static func verdicts(_ s: Statistics) -> [Verdict] {
        /// `a` below `b` at `step`, paired over the test problems.
        func lower(_ a: Method, than b: Method, at step: Int, named name: String) -> Check {
            guard let x = s.methods.first(where: { $0.method == a.rawValue }),
                  let y = s.methods.first(where: { $0.method == b.rawValue }),
                  let i = x.steps.firstIndex(of: step), let j = y.steps.firstIndex(of: step),
                  x.losses[i].count == y.losses[j].count else {
                return .notRun(name, because: "no completed run of \(a.rawValue) or \(b.rawValue) at step \(step)")
            }
            let ratios = zip(x.losses[i], y.losses[j]).map { log($0 / $1) }
            return Check(name, .paired("mean log(\(a.rawValue) / \(b.rawValue)) test loss at step \(step)",
                                       differences: ratios, claim: .below, scale: 1),
                         note: "\(Table.number(x.mean[i], digits: 3)) vs \(Table.number(y.mean[j], digits: 3))")
        }
        let figures = ["test-loss.png"]
        return [
            Verdict(id: "metalearning/update-tele-beats-update",
                    claim: "LSTM(update,tele) reaches a lower test loss than LSTM(update) at step 10 and at step 30.",
                    checks: [10, 30].map { lower(.updateTele, than: .update, at: $0, named: "step \($0)") },
                    figures: figures),
            Verdict(id: "metalearning/lr-tele-beats-gd",
                    claim: "LSTM(lr,tele) reaches a lower test loss than GD at step 30.",
                    checks: [lower(.lrTele, than: .gd, at: 30, named: "")], figures: figures),
            Verdict(id: "metalearning/learned-update-beats-gd",
                    claim: "The learned-update optimisers reach a lower test loss than GD at step 30.",
                    checks: [lower(.update, than: .gd, at: 30, named: Method.update.rawValue),
                             lower(.updateTele, than: .gd, at: 30, named: Method.updateTele.rawValue)],
                    figures: figures),
        ]
    }
}


extension Metalearning {
    /// `--algorithm published`: `train_meta_opt`'s unroll boundaries (the problems are the
    /// published ones in both algorithms).
    static var publishedMode: PublishedMode {
        .implemented(differences: [
            "meta-parameters are updated inside step t when t % 10 == 0 and t != 0, between its descent and its "
                + "teleport: the first unroll sums 11 losses, the teleport of a boundary step belongs to the next "
                + "unroll, and the losses after the last boundary are dropped (instead of whole unrolls of 10 steps)",
        ])
    }

    /// `--set` rules beyond counts of at least 1: four dimensions (batch and three layer widths).
    func problems(in params: Params) -> [String] {
        countProblems(in: params)
            + (params.dimensions.count == 4 ? [] : ["'dimensions' takes 4 numbers: batch, d0, d1, d2"])
    }
}
