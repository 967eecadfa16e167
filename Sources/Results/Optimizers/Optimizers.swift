// Result 4 of the paper (Fig 5 and its appendix): gradient-norm teleportation inside standard
// optimizers.
//
// For each dataset and optimizer: train the bias-free MLP with batch 20 in sequential order,
// once plainly and once with teleportation, from the same initialisation (paired seeds). With
// teleportation, each of the first few mini-batches of one epoch is preceded by a
// gradient-norm teleport (ascent on ||dL/dW||^2 along the symmetry orbit) on a random batch
// of training samples, and the optimizer's state is reset. Per epoch we record the mean
// training loss, the test loss and accuracy, and the cumulative training time (teleports
// included, evaluation excluded), plus ||dL/dW||^2 on each teleport batch before and after.
// The table gives, per optimizer, the epochs and seconds the mean training-loss curve takes
// to fall below a threshold the baseline reaches (1.1 x its mean final training loss).

import Theory
import MetaLearning
import Model
import Datasets
import Experiments
import Foundation
import Teleport
import Tensor

struct OptimizersExperiment: Experiment {
    /// Everything one profile fixes; printed by `optimizers profiles`.
    struct Params: Codable, Sendable {
        var runs: Int                   // paired seeds per optimizer (the paper: 5)
        var epochs: Int                 // (the paper: 40)
        var trainSamples: Int?          // nil: the whole 50k training split
        var optimizers: [String]        // names of `OptimizerKind`
        var teleportBatches: Int        // mini-batches preceded by a teleport (the paper: 8)
        var teleportSteps: Int          // ascent steps per teleport (the paper: 10)
        var teleportBatchSize: Int      // samples in a teleport batch (the paper: 200)
        var thresholdFactor: Double     // loss threshold = factor x the baseline's mean final train loss
    }

    /// Per-dataset protocol (PROTOCOL.md, Result 4).
    struct Setup {
        var shape: MLPShape
        var learningRate: Double        // base learning rate; the optimizers scale it
    }

    static func setup(_ dataset: DatasetName) -> Setup {
        switch dataset {
        case .mnist, .fashionMNIST: Setup(shape: .mnist, learningRate: 1e-2)
        case .cifar10, .cifar10JPEG: Setup(shape: .cifar, learningRate: 2e-2)
        }
    }

    static var datasetSettings: Table? {
        var t = Table(columns: ["dataset", "model", "base lr"])
        for d in DatasetName.allCases {
            let s = setup(d)
            t.append([d.label, s.shape.description, Table.number(s.learningRate)])
        }
        return t
    }

    /// An optimizer with its teleport schedule: the epoch whose first mini-batches are each
    /// preceded by a teleport, and the ascent step size of those teleports.
    struct Schedule {
        var kind: OptimizerKind
        var teleportEpoch: Int
        var teleportLearningRate: Double
    }

    /// The paper's settings for base learning rate `lr` (1e-2 on MNIST): AdaGrad lr,
    /// SGD+momentum 0.9 lr/10, RMSProp and Adam lr/100, plain SGD lr.
    static func schedule(_ optimizer: String, baseLearningRate lr: Double) -> Schedule {
        switch optimizer {
        case "sgd": Schedule(kind: .sgd(lr: lr), teleportEpoch: 2, teleportLearningRate: 1e-4)
        case "adagrad": Schedule(kind: .adagrad(lr: lr), teleportEpoch: 2, teleportLearningRate: 1e-4)
        case "momentum": Schedule(kind: .momentum(lr: lr / 10), teleportEpoch: 0, teleportLearningRate: 5e-2)
        case "rmsprop": Schedule(kind: .rmsprop(lr: lr / 100), teleportEpoch: 0, teleportLearningRate: 5e-2)
        case "adam": Schedule(kind: .adam(lr: lr / 100), teleportEpoch: 0, teleportLearningRate: 5e-2)
        default: fatalError("unknown optimizer \(optimizer)")
        }
    }

    /// One training run: a dataset, an optimizer, with or without teleportation, a seed.
    struct Run: RunDescriptor {
        var dataset: String
        var optimizer: String
        var teleport: Bool
        var seed: Int
        var key: String { runKey(dataset, optimizer, teleport ? "teleport" : "baseline", seed: seed) }
    }

    /// One teleport: ||dL/dW||^2 and the loss on its batch before and after, and its time.
    struct TeleportRecord: Codable, Sendable {
        var gradNormBefore: Double
        var gradNormAfter: Double
        var lossBefore: Double
        var lossAfter: Double
        var seconds: Double
    }

    struct Result: Codable, Sendable {
        var trainLoss: [Double]         // mean mini-batch loss of each epoch
        var testLoss: [Double]          // after each epoch
        var testAccuracy: [Double]
        var seconds: [Double]           // cumulative training time, teleports included
        var teleports: [TeleportRecord]
    }

    /// One arm (with or without teleportation) of one optimizer, over its seeds.
    struct Arm: Codable, Sendable {
        var finalTrainLoss: Double      // mean over seeds
        var finalTestLoss: Double
        var finalTestAccuracy: Double
        var earlyTrainLoss: Double      // mean train loss of the teleport epoch and the next
        var epochsToThreshold: Int?     // first epoch whose mean train loss is below the threshold
    }

    struct Row: Codable, Sendable {
        var dataset: String
        var optimizer: String
        var runs: Int
        var teleportEpoch: Int
        var threshold: Double
        var baseline: Arm
        var teleport: Arm
        var teleports: Int              // teleports over all seeds
        var gradNormBefore: Double      // mean ||dL/dW||^2 on the teleport batch before teleporting
        var gradNormAfter: Double       // ... after
        var gradNormIncreased: Int      // teleports that increased it
        var gradNormMedianRatio: Double // median over teleports of after / before
        /// Per seed: (teleport - baseline) mean train loss of the teleport epoch and the next.
        var earlyDifferences: [Double]
        /// Per seed: (teleport - baseline) mean train loss over all epochs (area under the curve).
        var curveDifferences: [Double]
        /// Mean train loss over all epochs of the baseline arm (the scale of `curveDifferences`).
        var baselineCurveLoss: Double
        /// Per teleport: log(||dL/dW||^2 after / before) on its batch.
        var gradNormLogRatios: [Double]
    }

    struct Statistics: Encodable, Sendable {
        var rows: [Row]
        var absentDatasets: [String]    // skipped: data not present
    }

    static let name = "optimizers"
    static let abstract = "Result 4: teleportation speeds up AdaGrad, momentum, RMSProp and Adam (Fig 5; plain SGD as an extra baseline)."
    /// 1: pinv by Cholesky QR (its runs' numbers moved in the last bits). 2: trained through the
    /// register-blocked products (`ProductKernel`; the MNIST MLP's runs first, the CIFAR-10
    /// runs since the products copy crowded image rows and beat OpenBLAS there too).
    /// 3 (the runs with teleportation only): the teleport's ascent from the action's tangent in
    /// closed form (`GradientNormTeleport.Formulation.tangent`), which rounds differently.
    static let numericsRevision = 2
    func numericsRevision(of run: Run) -> Int { run.teleport ? 3 : Self.numericsRevision }
    static let datasets = ImageData.experimentDatasets
    static let allOptimizers = ["adagrad", "momentum", "rmsprop", "adam", "sgd"]

    func params(for profile: Profile) -> Params {
        let paper = Params(runs: 5, epochs: 40, trainSamples: nil, optimizers: Self.allOptimizers,
                           teleportBatches: 8, teleportSteps: 10, teleportBatchSize: 200, thresholdFactor: 1.1)
        switch profile {
        case .quick:
            var p = paper
            p.runs = 4; p.epochs = 4; p.trainSamples = 10_000
            return p
        case .default:
            var p = paper
            p.epochs = 10
            return p
        case .paper:
            return paper
        }
    }

    /// Datasets whose files are present (CIFAR-10 is skipped, and reported, when absent); the
    /// two arms of a seed side by side.
    func runs(params: Params, datasets: [String]) -> [Run] {
        ImageData.usable(datasets)
            .flatMap { d in
                params.optimizers.flatMap { o in
                    (0..<params.runs).flatMap { s in
                        [false, true].map { Run(dataset: d, optimizer: o, teleport: $0, seed: s) }
                    }
                }
            }
    }

    func execute(_ run: Run, params: Params, shared: [String: ImageData],
                 context: RunContext) throws -> Result {
        let data = shared[run.dataset]!
        let setup = Self.setup(data.dataset)
        let schedule = Self.schedule(run.optimizer, baseLearningRate: setup.learningRate)
        let n = min(params.trainSamples ?? data.train.count, data.train.count)
        let teleportEpoch = min(schedule.teleportEpoch, params.epochs - 1)
        let published = context.algorithm == .published
        let teleport = GradientNormTeleport(steps: params.teleportSteps, learningRate: schedule.teleportLearningRate,
                                            hiddenInputs: published ? .firstOrder : .exact)
        let batchSize = 20

        // Seed i gives the same initialisation with and without teleportation: init_param_MLP's
        // weights for the published seeds (i + 1) * 54321, and teleport_optimization.py's
        // teleport batches (OptimizersPublished.swift), with either algorithm.
        let parameters = setup.shape.publishedInitialParameters(seed: PublishedStreams.runSeed(run.seed))
        let trainer = FusedMLPTrainer(shape: setup.shape, parameters: parameters,
                                      optimizer: schedule.kind, maxBatchSize: batchSize)
        let teleportBatches = PublishedTeleportBatches(
            shape: setup.shape, samples: n, batchSize: params.teleportBatchSize, teleportsPerRun: params.teleportBatches,
            runs: params.runs,
            teleportEpoch: { min(Self.schedule($0, baseLearningRate: 1).teleportEpoch, params.epochs - 1) })
        var result = Result(trainLoss: [], testLoss: [], testAccuracy: [], seconds: [], teleports: [])
        let clock = ContinuousClock()
        var elapsed = 0.0
        for epoch in 0..<params.epochs {
            context.report("epoch", epoch + 1, of: params.epochs)
            var total = 0.0, batches = 0, measuring = 0.0
            let start = clock.now
            var first = 0
            while first < n {
                if run.teleport && epoch == teleportEpoch && batches < params.teleportBatches {
                    let indices = teleportBatches.batch(optimizer: run.optimizer, run: run.seed, teleport: batches)
                    let record = Self.teleportStep(trainer, teleport, indices: indices, data: data.train)
                    result.teleports.append(record.record)
                    measuring += record.measuring
                }
                let batch = first..<min(first + batchSize, n)
                total += Double(trainer.step(images: data.train.images, labels: data.train.labels, samples: batch))
                batches += 1
                first = batch.upperBound
            }
            elapsed += Self.seconds(clock.now - start) - measuring
            let loss = total / Double(batches)
            try context.checkFinite(loss, epoch: epoch, partial: result)
            let test = trainer.evaluate(images: data.test.images, labels: data.test.labels)
            result.trainLoss.append(loss)
            result.testLoss.append(test.loss)
            result.testAccuracy.append(test.accuracy)
            result.seconds.append(elapsed)
        }
        return result
    }

    /// Teleports the trainer's weights on the training samples `indices` and resets its
    /// optimizer. Returns the record and the seconds spent on measuring ||dL/dW||^2 after the
    /// teleport (not part of the training time).
    static func teleportStep(_ trainer: FusedMLPTrainer, _ teleport: GradientNormTeleport, indices: [Int],
                             data: LabeledImages) -> (record: TeleportRecord, measuring: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let X = columnBatch(images: data.images, features: data.features, indices: indices)
        let objective = Objective<Float>.classification(labels: indices.map { data.labels[$0] })
        let (W, records) = teleport(trainer.shape.matrices(trainer.parameters), input: X, objective)
        trainer.parameters = trainer.shape.flatten(W)
        trainer.resetOptimizer()
        let teleported = clock.now
        let after = lossAndGradient(W, X, objective)
        let afterNorm = after.gradient.reduce(0.0) { $0 + Double($1.dot($1)) }
        let record = TeleportRecord(gradNormBefore: records[0].squaredGradientNorm, gradNormAfter: afterNorm,
                                    lossBefore: records[0].loss, lossAfter: Double(after.loss),
                                    seconds: seconds(teleported - start))
        return (record, seconds(clock.now - teleported))
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    func summarize(_ results: RunResults<Self>, params: Params, output: OutputFolder) throws -> Statistics {
        var rows: [Row] = []
        var table = Table(columns: ["dataset", "optimizer", "runs", "loss threshold",
                                    "epochs to threshold (base / tele)", "seconds to threshold (base / tele)",
                                    "final train loss (base / tele)", "final test loss (base / tele)",
                                    "final test acc. (base / tele)", "mean ‖∇L‖² before → after teleport", "median ratio (increased)",
                                    "teleport seconds per run"])
        for dataset in Self.datasets {
            for optimizer in params.optimizers {
                let arm = { (teleport: Bool) in
                    results.completed.filter {
                        $0.run.dataset == dataset && $0.run.optimizer == optimizer && $0.run.teleport == teleport
                    }.sorted { $0.run.seed < $1.run.seed }.map(\.result)
                }
                let base = arm(false), tele = arm(true)
                guard !base.isEmpty, !tele.isEmpty else { continue }
                let teleportEpoch = min(Self.schedule(optimizer, baseLearningRate: 1).teleportEpoch, params.epochs - 1)
                let early = teleportEpoch..<min(teleportEpoch + 2, params.epochs)
                let threshold = params.thresholdFactor * Stats.mean(base.map { $0.trainLoss.last! })

                func summary(_ results: [Result]) -> (arm: Arm, seconds: Double?) {
                    let train = Stats.meanStd(curves: results.map(\.trainLoss)).mean
                    let reached = train.firstIndex { $0 <= threshold }
                    let time = Stats.meanStd(curves: results.map(\.seconds)).mean
                    let arm = Arm(finalTrainLoss: train.last!,
                                  finalTestLoss: Stats.mean(results.map { $0.testLoss.last! }),
                                  finalTestAccuracy: Stats.mean(results.map { $0.testAccuracy.last! }),
                                  earlyTrainLoss: Stats.mean(results.map { Stats.mean(Array($0.trainLoss[early])) }),
                                  epochsToThreshold: reached.map { $0 + 1 })
                    return (arm, reached.map { time[$0] })
                }
                let (b, bSeconds) = summary(base), (t, tSeconds) = summary(tele)
                // Pair seeds: both arms of seed i start from the same weights.
                let pairs = results.completed.filter { $0.run.dataset == dataset && $0.run.optimizer == optimizer }
                var earlyBySeed: [Int: [Bool: Double]] = [:], curveBySeed: [Int: [Bool: Double]] = [:]
                for p in pairs {
                    earlyBySeed[p.run.seed, default: [:]][p.run.teleport] = Stats.mean(Array(p.result.trainLoss[early]))
                    curveBySeed[p.run.seed, default: [:]][p.run.teleport] = Stats.mean(p.result.trainLoss)
                }
                func differences(_ bySeed: [Int: [Bool: Double]]) -> [Double] {
                    bySeed.keys.sorted().compactMap { seed in
                        bySeed[seed].flatMap { arms in arms[true].flatMap { t in arms[false].map { t - $0 } } }
                    }
                }
                let records = tele.flatMap(\.teleports)
                let row = Row(dataset: dataset, optimizer: optimizer, runs: min(base.count, tele.count),
                              teleportEpoch: teleportEpoch, threshold: threshold, baseline: b, teleport: t,
                              teleports: records.count,
                              gradNormBefore: Stats.mean(records.map(\.gradNormBefore)),
                              gradNormAfter: Stats.mean(records.map(\.gradNormAfter)),
                              gradNormIncreased: records.filter { $0.gradNormAfter > $0.gradNormBefore }.count,
                              gradNormMedianRatio: Stats.median(records.map { $0.gradNormAfter / $0.gradNormBefore }),
                              earlyDifferences: differences(earlyBySeed), curveDifferences: differences(curveBySeed),
                              baselineCurveLoss: Stats.mean(base.map { Stats.mean($0.trainLoss) }),
                              gradNormLogRatios: records.map { log($0.gradNormAfter / $0.gradNormBefore) })
                rows.append(row)

                func pair(_ a: Double, _ b: Double, digits: Int = 4) -> String {
                    "\(Table.number(a, digits: digits)) / \(Table.number(b, digits: digits))"
                }
                let epochs = [b.epochsToThreshold, t.epochsToThreshold].map { $0.map(String.init) ?? "not reached" }
                let seconds = [bSeconds, tSeconds].map { $0.map { String(format: "%.2f", $0) } ?? "not reached" }
                table.append([DatasetName.label(of: dataset), optimizer, "\(row.runs)", Table.number(threshold),
                              epochs.joined(separator: " / "), seconds.joined(separator: " / "),
                              pair(b.finalTrainLoss, t.finalTrainLoss), pair(b.finalTestLoss, t.finalTestLoss),
                              pair(b.finalTestAccuracy, t.finalTestAccuracy),
                              "\(Table.number(row.gradNormBefore)) → \(Table.number(row.gradNormAfter))",
                              "\(Table.number(row.gradNormMedianRatio)) (\(row.gradNormIncreased)/\(row.teleports))",
                              String(format: "%.3f", Stats.mean(tele.map { $0.teleports.reduce(0) { $0 + $1.seconds } }))])
                try writeFigures(dataset: dataset, optimizer: optimizer, baseline: base, teleport: tele,
                                 teleportEpoch: teleportEpoch, output: output)
            }
        }
        try output.write(table, name: "optimizers")
        let absent = ImageData.unavailable(Self.datasets)
        return Statistics(rows: rows, absentDatasets: absent)
    }

    /// The optimizers the paper's claim is about; plain SGD is an extra baseline, shown in the
    /// tables and figures but not counted in the verdict.
    static let claimedOptimizers = ["adagrad", "momentum", "rmsprop", "adam"]

    /// The claims of Fig 5, decided per dataset and optimizer (PROTOCOL.md, Result 4): paired
    /// over seeds (seed i starts from the same weights with and without teleportation).
    func verdicts(_ s: Statistics, params: Params, datasets: [String]) -> [Verdict] {
        Self.verdicts(s, optimizers: params.optimizers.filter(Self.claimedOptimizers.contains),
                      datasets: ImageData.usable(datasets))
            + ImageData.unavailableVerdicts(datasets, result: Self.name)
    }

    /// The rules, on `datasets` (those with data) and `optimizers` (those run and claimed).
    static func verdicts(_ s: Statistics, optimizers: [String], datasets: [String]) -> [Verdict] {
        func checks(_ decide: (Row) -> (Decision, String)) -> [Check] {
            datasets.flatMap { name in
                optimizers.map { o in
                    guard let row = s.rows.first(where: { $0.dataset == name && $0.optimizer == o }) else {
                        return Check.notRun("\(name)/\(o)", because: "no completed runs")
                    }
                    let (decision, note) = decide(row)
                    // A t interval needs two values; with fewer (the other runs diverged) the part is not decided.
                    guard decision.n >= 2 else {
                        return Check.notRun("\(name)/\(o)", because: "\(decision.n) completed pair or teleport "
                                            + "(an interval needs 2); \(note)")
                    }
                    return Check("\(name)/\(o)", decision, note: note)
                }
            }
        }
        let figures = ["loss-*.png"]
        return [
            Verdict(id: "optimizers/teleport-raises-gradient-norm",
                    claim: "Teleports raise ||grad L||^2 on their own batch: the mean of log(after/before) over "
                    + "the teleports is above 0.",
                    checks: checks { r in
                        (.mean("mean log(||grad||^2 after / before)", values: r.gradNormLogRatios,
                               claim: .above, scale: 1),
                         "median ratio \(Table.number(r.gradNormMedianRatio)), \(r.gradNormIncreased)/\(r.teleports) increased")
                    }, figures: figures),
            Verdict(id: "optimizers/early-train-loss",
                    claim: "Teleportation lowers the mean training loss of the teleport epoch and the next "
                    + "(paired over seeds).",
                    checks: checks { r in
                        (.paired("mean (teleport - baseline) early train loss", differences: r.earlyDifferences,
                                 claim: .below, scale: abs(r.baseline.earlyTrainLoss)),
                         "\(Table.number(r.teleport.earlyTrainLoss)) with vs \(Table.number(r.baseline.earlyTrainLoss)) without")
                    }, figures: figures),
            Verdict(id: "optimizers/train-loss-curve",
                    claim: "Teleportation lowers the training loss averaged over all epochs (the area under the "
                    + "training curve: faster convergence per epoch; paired over seeds).",
                    checks: checks { r in
                        (.paired("mean (teleport - baseline) train loss over epochs", differences: r.curveDifferences,
                                 claim: .below, scale: abs(r.baselineCurveLoss)),
                         "baseline \(Table.number(r.baselineCurveLoss))")
                    }, figures: figures),
        ]
    }
}

extension OptimizersExperiment {
    /// `--algorithm published`: teleport_optimization.py's teleport (both algorithms draw its
    /// weights, order and batches).
    static var publishedMode: PublishedMode {
        .implemented(differences: [
            "teleports update the hidden inputs to first order, h <- (I + T) h, held constant inside each step, instead "
                + "of recomputing them exactly",
        ])
    }

    /// `--set` rules beyond counts of at least 1: known optimizer names, listed once.
    func problems(in params: Params) -> [String] {
        var problems = countProblems(in: params) + atMost("trainSamples", params.trainSamples, 50_000)
        for name in params.optimizers where !Self.allOptimizers.contains(name) {
            problems.append("unknown optimizer '\(name)' (valid: \(Self.allOptimizers.joined(separator: ", ")))")
        }
        if Set(params.optimizers).count != params.optimizers.count { problems.append("an optimizer is listed twice") }
        return problems
    }
}
