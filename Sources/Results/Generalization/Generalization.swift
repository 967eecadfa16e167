// Result 3 of the paper (Fig 4): teleporting to change the sharpness phi or the curvature psi
// of the point SGD is at, and the effect on validation loss.
//
// For each dataset: one SGD baseline (batch 20, sequential order). Every variant, an objective
// (phi, psi) and a direction (increase, decrease), starts from the baseline's weights after
// epoch 15, trains to epoch 40 and, during epoch 20, teleports on successive random batches of
// 2000 training samples, each teleport just before one of the epoch's first mini-batches
// (PROTOCOL.md, Result 3). phi and psi are measured just before the first and just after the
// last teleport on fixed batches and directions, as evidence that the teleport moved them
// (the "after" point also includes the SGD mini-batches between teleports, at most 9 of 20).
//
// Epochs are counted from 1; "the weights after epoch 15" are those the baseline holds once it
// has trained 15 epochs. The baseline is its own run (its curves are the figure's black lines);
// its training is computed once per invocation through `RunContext.cached`, so every variant
// reuses its weights at the start epoch (deterministic, so shards agree).

import Theory
import MetaLearning
import Model
import Datasets
import Experiments
import Foundation
import Teleport
import Tensor

struct Generalization: Experiment {
    /// Everything one profile fixes; printed by `generalization profiles`.
    struct Params: Codable, Sendable {
        var baselineEpochs: Int         // the paper: 100
        var startEpoch: Int             // variants start from the baseline after this epoch (15)
        var teleportEpoch: Int          // teleports happen during this epoch (20)
        var endEpoch: Int               // variants train up to this epoch (40)
        var runs: Int                   // runs per variant (5); run i uses seed i
        var trainSamples: Int?          // nil: the whole 50k training split
        var teleportBatch: Int          // samples per teleport batch (2000)
        var directionsPerRadius: Int    // sharpness teleport: directions per radius (100; 9 radii)
        var measureDraws: Int           // batches for measuring phi and psi (200, as Result 2)
        var measureBatch: Int           // samples per measurement batch (200)
    }

    enum Objective: String, Codable, Sendable, CaseIterable { case phi, psi }
    enum Direction: String, Codable, Sendable, CaseIterable { case increase, decrease }

    /// A teleport schedule (PROTOCOL.md, Result 3): `teleports` teleports of `steps` steps each.
    struct Schedule: Codable, Sendable {
        var teleports: Int
        var steps: Int
        var learningRate: Double
    }

    /// Per-dataset protocol.
    struct Setup {
        var shape: MLPShape
        var learningRate: Double
        var radii: [Double]             // radii of the measured phi (Result 2)
        var phiLR: (increase: Double, decrease: Double)
        var psiLR: (increase: Double, decrease: Double)

        func schedule(_ objective: Objective, _ direction: Direction) -> Schedule {
            switch (objective, direction) {
            case (.phi, .increase): Schedule(teleports: 2, steps: 10, learningRate: phiLR.increase)
            case (.phi, .decrease): Schedule(teleports: 10, steps: 10, learningRate: phiLR.decrease)
            case (.psi, .increase): Schedule(teleports: 10, steps: 1, learningRate: psiLR.increase)
            case (.psi, .decrease): Schedule(teleports: 5, steps: 1, learningRate: psiLR.decrease)
            }
        }
    }

    static func setup(_ dataset: DatasetName) -> Setup {
        switch dataset {
        case .mnist:
            Setup(shape: .mnist, learningRate: 1e-2, radii: sharpnessRadii(start: 0.001, end: 0.2, step: 0.01),
                  phiLR: (5e-2, 5e-2), psiLR: (2e-1, 5e-2))
        case .fashionMNIST:
            Setup(shape: .mnist, learningRate: 1e-2, radii: sharpnessRadii(start: 0.0001, end: 0.02, step: 0.001),
                  phiLR: (1e-1, 3e-1), psiLR: (5e-3, 3e-3))
        case .cifar10, .cifar10JPEG:
            Setup(shape: .cifarSmall, learningRate: 2e-2, radii: sharpnessRadii(start: 0.0001, end: 0.02, step: 0.001),
                  phiLR: (5e-2, 5e-2), psiLR: (2e-1, 5e-2))
        }
    }

    static var datasetSettings: Table? {
        var t = Table(columns: ["dataset", "model", "SGD lr", "phi teleport lr (increase / decrease)",
                                "psi teleport lr (increase / decrease)", "measured phi radii"])
        for d in DatasetName.allCases {
            let s = setup(d)
            t.append([d.label, s.shape.description, Table.number(s.learningRate),
                      "\(Table.number(s.phiLR.increase)) / \(Table.number(s.phiLR.decrease))",
                      "\(Table.number(s.psiLR.increase)) / \(Table.number(s.psiLR.decrease))", radiiSummary(s.radii)])
        }
        return t
    }

    /// The baseline of a dataset, or one variant's run.
    struct Run: RunDescriptor {
        var dataset: String
        var variant: Variant?           // nil: the baseline
        var seed: Int
        struct Variant: Codable, Sendable, Equatable {
            var objective: Objective
            var direction: Direction
            var name: String { "\(direction.rawValue)-\(objective.rawValue)" }
        }
        var key: String {
            variant.map { runKey(dataset, $0.name, seed: seed) } ?? "\(dataset)/baseline"
        }
    }

    /// Per-epoch curves; entry i belongs to epoch `firstEpoch + i`.
    struct Curves: Codable, Sendable {
        var firstEpoch: Int
        var trainLoss: [Double] = []    // mean mini-batch loss over the epoch
        var testLoss: [Double] = []     // official test set ("validation loss") after the epoch
        var testAccuracy: [Double] = []
    }

    /// The baseline's training, shared by its variants.
    struct Baseline: Codable, Sendable {
        var curves: Curves
        var startWeights: [Float]       // after `startEpoch`
    }

    /// phi and psi at one point, on the fixed measurement batches and directions.
    struct Measure: Codable, Sendable {
        var phi: Double
        var psi: Double
    }

    struct Result: Codable, Sendable {
        var curves: Curves
        var before: Measure?            // variants: just before the first teleport
        var after: Measure?             // ... and just after the last
        var teleportObjective: [[Double]]?  // per teleport: the objective the steps see
    }

    /// One variant over its runs.
    struct VariantRow: Codable, Sendable {
        var dataset: String
        var objective: Objective
        var direction: Direction
        var runs: Int
        var finalTestLoss: Double       // mean over runs at `endEpoch`
        var finalTestLossStd: Double
        var finalTrainLoss: Double
        var finalTestAccuracy: Double
        var phiBefore: Double, phiAfter: Double     // means over runs
        var psiBefore: Double, psiAfter: Double
        var movedAsIntended: Int        // runs whose targeted quantity moved in `direction`
        var diverged: Int               // runs whose loss stopped being finite (not in the means)
        /// Per run: the test loss at `endEpoch`.
        var finalTestLosses: [Double]
        /// Per run: log(after / before) of the targeted quantity (phi or psi) over the teleports.
        var logChanges: [Double]
    }

    struct BaselineRow: Codable, Sendable {
        var dataset: String
        var epoch: Int                  // `endEpoch`
        var testLoss: Double
        var trainLoss: Double
        var testAccuracy: Double
    }

    struct Statistics: Encodable, Sendable {
        var baselines: [BaselineRow]
        var variants: [VariantRow]
        var skipped: [String]           // datasets without data
    }

    static let name = "generalization"
    static let abstract = "Result 3: teleporting to change sharpness or curvature, effect on validation loss (Fig 4)."
    /// 1: pinv by Cholesky QR (its runs' numbers moved in the last bits). 2: the sharpness
    /// teleport's perturbed losses and gradients written out by hand (`classificationLossAndGradient`).
    /// 3: trained through the register-blocked products (`ProductKernel`; the MNIST MLP's runs
    /// first, the CIFAR-10 runs since the products copy crowded image rows and beat OpenBLAS
    /// there too).
    static let numericsRevision = 3
    static let datasets = ImageData.experimentDatasets

    /// Sizing: a sharpness-teleport step evaluates 9 radii x `directionsPerRadius` perturbed
    /// networks on the teleport batch (`make bench` times one at the paper's 100 directions,
    /// teleport/sharpness/mnist-mlp), so "decrease phi" (10 teleports of 10 steps) dominates
    /// the paper profile; a curvature step is cheap (a psi run costs about as much as its SGD
    /// epochs; the run records in Runs/ hold every run's wall time). `default` keeps the schedule
    /// with 3 runs per variant (a t interval needs at least 2; the paper has 5) and 2 directions
    /// per radius, and cuts the baseline at epoch 40, where the variants stop. `quick` also has
    /// 3 runs, halves the teleport batch, uses 1 direction per radius and trains 4 epochs after
    /// the teleport. It keeps the whole training set and epoch 20: from a less trained point
    /// (epoch 4 on a 10k subset) the
    /// curvature slopes dkappa/dt are a few hundred and t = lr dkappa/dt overflows exp(tM).
    func params(for profile: Profile) -> Params {
        switch profile {
        case .quick:
            Params(baselineEpochs: 24, startEpoch: 18, teleportEpoch: 20, endEpoch: 24, runs: 3, trainSamples: nil,
                   teleportBatch: 1000, directionsPerRadius: 1, measureDraws: 20, measureBatch: 200)
        case .default:
            Params(baselineEpochs: 40, startEpoch: 15, teleportEpoch: 20, endEpoch: 40, runs: 3, trainSamples: nil,
                   teleportBatch: 2000, directionsPerRadius: 2, measureDraws: 50, measureBatch: 200)
        case .paper:
            Params(baselineEpochs: 100, startEpoch: 15, teleportEpoch: 20, endEpoch: 40, runs: 5, trainSamples: nil,
                   teleportBatch: 2000, directionsPerRadius: 100, measureDraws: 200, measureBatch: 200)
        }
    }

    /// Per present dataset: the baseline, then objective x direction x runs.
    func runs(params: Params, datasets: [String]) -> [Run] {
        ImageData.usable(datasets).flatMap { d in
            [Run(dataset: d, variant: nil, seed: 0)] + Objective.allCases.flatMap { o in
                Direction.allCases.flatMap { dir in
                    (0..<params.runs).map { Run(dataset: d, variant: .init(objective: o, direction: dir), seed: $0) }
                }
            }
        }
    }

    func execute(_ run: Run, params: Params, shared: [String: ImageData], context: RunContext) throws -> Result {
        let data = shared[run.dataset]!
        let setup = Self.setup(data.dataset)
        let baseline = try context.cached("baseline-\(run.dataset)") {
            try trainBaseline(data: data, setup: setup, params: params, context: context)
        }
        guard let variant = run.variant else { return Result(curves: baseline.curves) }

        let n = min(params.trainSamples ?? data.train.count, data.train.count)
        let epochs = Self.epochs(params, context.algorithm)
        let trainer = FusedMLPTrainer(shape: setup.shape, parameters: baseline.startWeights,
                                      optimizer: .sgd(lr: setup.learningRate))
        let schedule = setup.schedule(variant.objective, variant.direction)
        var teleportRng = SeededGenerator(seed: UInt64(run.seed))   // teleport batches, directions, M
        var curves = Curves(firstEpoch: params.startEpoch + 1)
        var before: Measure?, after: Measure?
        var trace: [[Double]] = []

        for epoch in (params.startEpoch + 1)...params.endEpoch {
            context.report("epoch", epoch - params.startEpoch, of: params.endEpoch - params.startEpoch)
            var loss: Double
            if epoch == epochs.teleportDuring {
                context.note("measure phi, psi")
                before = measure(trainer, data: data, setup: setup, params: params)
                // Teleport k precedes mini-batch k (the published loop); plain SGD has no state
                // to restart afterwards.
                var total = 0.0, batches = 0, start = 0
                while start < n {
                    if batches < schedule.teleports {
                        context.note("teleport \(batches + 1)/\(schedule.teleports)")
                        let t = teleport(trainer, objective: variant.objective, direction: variant.direction,
                                         schedule: schedule, data: data, params: params,
                                         algorithm: context.algorithm, rng: &teleportRng)
                        trace.append(t)
                        if batches == schedule.teleports - 1 {
                            context.note("measure phi, psi")
                            after = measure(trainer, data: data, setup: setup, params: params)
                        }
                    }
                    let b = min(20, n - start)
                    total += Double(trainer.step(images: data.train.images, labels: data.train.labels,
                                                 samples: start..<(start + b)))
                    batches += 1
                    start += b
                }
                loss = total / Double(batches)
            } else {
                loss = trainer.trainEpoch(images: data.train.images, labels: data.train.labels, count: n)
            }
            let test = trainer.evaluate(images: data.test.images, labels: data.test.labels)
            curves.trainLoss.append(loss)
            curves.testLoss.append(test.loss)
            curves.testAccuracy.append(test.accuracy)
            let partial = Result(curves: curves, before: before, after: after, teleportObjective: trace)
            try context.checkFinite(loss, epoch: epoch, partial: partial)
            try context.checkFinite(test.loss, epoch: epoch, what: "test loss", partial: partial)
        }
        return Result(curves: curves, before: before, after: after, teleportObjective: trace)
    }

    /// The epoch after whose weights the variants start, and the epoch (as the curves number
    /// it) during which they teleport: `startEpoch` and `teleportEpoch`, or with the published
    /// algorithm one later each. The published variants load the weights saved as "epoch 15",
    /// which are those after 16 epochs, train loop indices 15 ..< 40 and teleport at loop index
    /// 20, their sixth epoch; their curves are plotted at 16 ... 40 like ours, so a published
    /// variant's "epoch 40" is its 41st epoch, compared with the baseline's 40th.
    static func epochs(_ params: Params, _ algorithm: Algorithm) -> (startAfter: Int, teleportDuring: Int) {
        algorithm == .published ? (params.startEpoch + 1, params.teleportEpoch + 1)
            : (params.startEpoch, params.teleportEpoch)
    }

    /// SGD from init_param_MLP's initialisation for seed 54321 for `baselineEpochs`, keeping the
    /// weights the variants start from.
    func trainBaseline(data: ImageData, setup: Setup, params: Params, context: RunContext) throws -> Baseline {
        let n = min(params.trainSamples ?? data.train.count, data.train.count)
        let initial = setup.shape.publishedInitialParameters(seed: 54321)
        let trainer = FusedMLPTrainer(shape: setup.shape, parameters: initial, optimizer: .sgd(lr: setup.learningRate))
        let startAfter = Self.epochs(params, context.algorithm).startAfter
        var curves = Curves(firstEpoch: 1)
        var startWeights = trainer.parameters
        for epoch in 1...params.baselineEpochs {
            context.report("baseline epoch", epoch, of: params.baselineEpochs)
            let loss = trainer.trainEpoch(images: data.train.images, labels: data.train.labels, count: n)
            let test = trainer.evaluate(images: data.test.images, labels: data.test.labels)
            curves.trainLoss.append(loss)
            curves.testLoss.append(test.loss)
            curves.testAccuracy.append(test.accuracy)
            try context.checkFinite(loss, epoch: epoch)
            if epoch == startAfter { startWeights = trainer.parameters }
        }
        return Baseline(curves: curves, startWeights: startWeights)
    }

    /// One teleport on a fresh random batch of `teleportBatch` training samples, in place;
    /// returns the objective each step saw (mean perturbed loss, or kappa on the middle pair).
    func teleport(_ trainer: FusedMLPTrainer, objective: Objective, direction: Direction, schedule: Schedule,
                  data: ImageData, params: Params, algorithm: Algorithm, rng: inout SeededGenerator) -> [Double] {
        let shape = trainer.shape
        let batch = data.randomTrainingBatch(size: params.teleportBatch, using: &rng)
        let W = shape.matrices(trainer.parameters)
        switch objective {
        case .phi:
            let towards: SharpnessTeleport.Direction = direction == .increase ? .increase : .decrease
            let t = algorithm == .published
                ? SharpnessTeleport.published(steps: schedule.steps, learningRate: schedule.learningRate,
                                              direction: towards, directionsPerRadius: params.directionsPerRadius)
                : SharpnessTeleport(steps: schedule.steps, learningRate: schedule.learningRate, direction: towards,
                                    directionsPerRadius: params.directionsPerRadius)
            let out = t(W, input: batch.X, .classification(labels: batch.labels), using: &rng)
            trainer.parameters = shape.flatten(out.weights)
            return out.records.map(\.meanPerturbedLoss)
        case .psi:
            // In double precision: the step needs the third derivative of the pinv-based action.
            let t = CurvatureTeleport(steps: schedule.steps, learningRate: schedule.learningRate,
                                      direction: direction == .increase ? .increase : .decrease)
            let out = t(W.map { Matrix<Double>($0) }, input: Matrix<Double>(batch.X), using: &rng)
            trainer.parameters = shape.flatten(out.weights.map { Matrix<Float>($0) })
            return out.records.map(\.kappa)
        }
    }

    /// phi and psi of the trainer's weights on the same batches, directions and M for every
    /// call (fixed batches, correlation.py's draws), so before/after differences are not
    /// sampling noise.
    func measure(_ trainer: FusedMLPTrainer, data: ImageData, setup: Setup, params: Params) -> Measure {
        let (phiValue, psiValue) = data.sharpnessAndCurvature(
            setup.shape.matrices(trainer.parameters), radii: setup.radii,
            draws: params.measureDraws, batchSize: params.measureBatch)
        return Measure(phi: phiValue, psi: psiValue)
    }

    func summarize(_ results: RunResults<Self>, params: Params, output: OutputFolder) throws -> Statistics {
        var baselines: [BaselineRow] = [], rows: [VariantRow] = [], skipped: [String] = []
        var table = Table(columns: ["dataset", "variant", "runs", "test loss at epoch \(params.endEpoch)",
                                    "test accuracy", "φ before → after", "ψ before → after", "moved as intended"])
        let last = params.endEpoch - params.startEpoch - 1
        skipped = ImageData.unavailable(Self.datasets).map { "\($0): data not present" }
        for name in Self.datasets {
            guard let base = results.completed.first(where: { $0.run.dataset == name && $0.run.variant == nil })?
                .result.curves, base.testLoss.count >= params.endEpoch else { continue }
            let b = BaselineRow(dataset: name, epoch: params.endEpoch, testLoss: base.testLoss[params.endEpoch - 1],
                                trainLoss: base.trainLoss[params.endEpoch - 1],
                                testAccuracy: base.testAccuracy[params.endEpoch - 1])
            baselines.append(b)
            table.append([DatasetName.label(of: name), "baseline (SGD)", "1", Table.number(b.testLoss), Table.number(b.testAccuracy),
                          "", "", ""])
            var groups: [(Run.Variant, [Result])] = []
            for o in Objective.allCases {
                for d in Direction.allCases {
                    let v = Run.Variant(objective: o, direction: d)
                    let done = results.completed.filter { $0.run.dataset == name && $0.run.variant == v }
                        .map(\.result).filter { $0.before != nil && $0.after != nil && $0.curves.testLoss.count > last }
                    let diverged = results.diverged.filter { $0.run.dataset == name && $0.run.variant == v }.count
                    guard !done.isEmpty else {
                        if diverged > 0 { table.append([DatasetName.label(of: name), "\(d.rawValue) \(o.rawValue)", "0", "", "", "", "", "\(diverged) diverged"]) }
                        continue
                    }
                    groups.append((v, done))
                    let finals = done.map { $0.curves.testLoss[last] }
                    // Per run, log(after / before) of the targeted quantity; it moved as intended when
                    // the sign matches the direction.
                    let logChanges = done.map { r in
                        o == .phi ? log(r.after!.phi / r.before!.phi) : log(r.after!.psi / r.before!.psi)
                    }
                    let moved = logChanges.filter { d == .increase ? $0 > 0 : $0 < 0 }.count
                    let row = VariantRow(
                        dataset: name, objective: o, direction: d, runs: done.count,
                        finalTestLoss: Stats.mean(finals), finalTestLossStd: Stats.std(finals),
                        finalTrainLoss: Stats.mean(done.map { $0.curves.trainLoss[last] }),
                        finalTestAccuracy: Stats.mean(done.map { $0.curves.testAccuracy[last] }),
                        phiBefore: Stats.mean(done.map { $0.before!.phi }), phiAfter: Stats.mean(done.map { $0.after!.phi }),
                        psiBefore: Stats.mean(done.map { $0.before!.psi }), psiAfter: Stats.mean(done.map { $0.after!.psi }),
                        movedAsIntended: moved, diverged: diverged, finalTestLosses: finals,
                        logChanges: logChanges)
                    rows.append(row)
                    table.append([DatasetName.label(of: name), "\(d.rawValue) \(o.rawValue)", "\(done.count)",
                                  Table.meanStd(row.finalTestLoss, row.finalTestLossStd, digits: 4),
                                  Table.number(row.finalTestAccuracy),
                                  "\(Table.number(row.phiBefore)) → \(Table.number(row.phiAfter))",
                                  "\(Table.number(row.psiBefore)) → \(Table.number(row.psiAfter))",
                                  "\(moved)/\(done.count)" + (diverged > 0 ? ", \(diverged) diverged" : "")])
                }
            }
            try writeFigures(name: name, baseline: base, groups: groups, params: params, output: output)
        }
        try output.write(table, name: "final-test-loss")
        return Statistics(baselines: baselines, variants: rows, skipped: skipped)
    }

    /// Fig 4's claims per dataset with data (PROTOCOL.md, Result 3).
    func verdicts(_ s: Statistics, params: Params, datasets: [String]) -> [Verdict] {
        Self.verdicts(s, datasets: ImageData.usable(datasets))
            + ImageData.unavailableVerdicts(datasets, result: Self.name)
    }

    /// The rules, on `datasets` (those with data).
    static func verdicts(_ s: Statistics, datasets: [String]) -> [Verdict] {
        func row(_ dataset: String, _ o: Objective, _ d: Direction) -> VariantRow? {
            s.variants.first { $0.dataset == dataset && $0.objective == o && $0.direction == d }
        }
        func loss(_ r: VariantRow) -> String {
            Table.meanStd(r.finalTestLoss, r.finalTestLossStd, digits: 3) + " (\(r.runs) runs)"
        }
        // A t interval needs two completed runs; with fewer (the others diverged) the part is not decided.
        func tooFew(_ r: VariantRow) -> String {
            "\(r.finalTestLosses.count) completed run\(r.finalTestLosses.count == 1 ? "" : "s") (an interval needs 2)"
                + (r.diverged > 0 ? ", \(r.diverged) diverged" : "")
        }
        // Per run, the targeted quantity moved in the intended direction (t interval of the log change).
        let moved = datasets.flatMap { name in
            Objective.allCases.flatMap { o in
                Direction.allCases.map { d -> Check in
                    let part = "\(name)/\(d.rawValue)-\(o.rawValue)"
                    guard let r = row(name, o, d) else { return .notRun(part, because: "no completed run") }
                    guard r.logChanges.count >= 2 else { return .notRun(part, because: tooFew(r)) }
                    return Check(part, .mean("mean log(\(o.rawValue) after / before)", values: r.logChanges,
                                             claim: d == .increase ? .above : .below, scale: 1),
                                 note: "\(r.movedAsIntended)/\(r.runs) moved" + (r.diverged > 0 ? ", \(r.diverged) diverged" : ""))
                }
            }
        }
        // Final test loss after increasing psi below the one after decreasing it (Welch t).
        let curvature = datasets.map { name -> Check in
            guard let up = row(name, .psi, .increase), let down = row(name, .psi, .decrease) else {
                return .notRun(name, because: "no completed psi runs")
            }
            if let few = [up, down].first(where: { $0.finalTestLosses.count < 2 }) {
                return .notRun(name, because: "\(few.direction.rawValue) psi: " + tooFew(few))
            }
            return Check(name, .welch("mean final test loss, increase psi - decrease psi", up.finalTestLosses,
                                      down.finalTestLosses, claim: .below, scale: abs(down.finalTestLoss)),
                         note: "increase psi \(loss(up)) vs decrease psi \(loss(down))")
        }
        // Final test loss after decreasing phi below the baseline's (one baseline run: t over the variant's runs).
        let flatter = datasets.map { name -> Check in
            guard let down = row(name, .phi, .decrease), let base = s.baselines.first(where: { $0.dataset == name }) else {
                return .notRun(name, because: "no completed baseline or decrease-phi runs")
            }
            guard down.finalTestLosses.count >= 2 else { return .notRun(name, because: "decrease phi: " + tooFew(down)) }
            return Check(name, .mean("mean final test loss, decrease phi - baseline",
                                     values: down.finalTestLosses.map { $0 - base.testLoss }, claim: .below,
                                     scale: abs(base.testLoss)),
                         note: "decrease phi \(loss(down)) vs baseline \(Table.number(base.testLoss, digits: 3))")
        }
        return [
            Verdict(id: "generalization/teleport-moves-target",
                    claim: "Each teleport schedule moves phi or psi in the intended direction.",
                    checks: moved, figures: ["loss-*-phi.png", "loss-*-psi.png"]),
            Verdict(id: "generalization/curvature-test-loss",
                    claim: "Teleporting to larger curvature psi gives a lower final test loss than to smaller curvature.",
                    checks: curvature, figures: ["loss-*-psi.png"]),
            Verdict(id: "generalization/flatter-test-loss",
                    claim: "Teleporting to a flatter point (decrease phi) lowers the final test loss below the baseline's.",
                    checks: flatter, figures: ["loss-*-phi.png"]),
        ]
    }
}


extension Generalization {
    /// `--algorithm published`: teleport_sharpness_curvature.py's offsets and sharpness teleport
    /// (both algorithms start from its weights and train in its order).
    static var publishedMode: PublishedMode {
        .implemented(differences: [
            "the variants start from the weights after epoch 16 (saved as \"epoch 15\") instead of 15, teleport "
                + "during their sixth epoch (loop index 20) instead of their fifth, and end after epoch 41, plotted "
                + "and compared with the baseline as epoch 40",
            "sharpness teleports update the hidden inputs to first order, h <- (I + T) h, and divide the sum over "
                + "9 radii by 10, instead of exact hidden inputs and the true mean",
        ])
    }

    /// `--set` rules beyond counts of at least 1: the variants start before the teleport
    /// epoch, which is within their epochs, which are within the baseline's.
    func problems(in params: Params) -> [String] {
        var problems = countProblems(in: params) + atMost("trainSamples", params.trainSamples, 50_000)
        if !(params.startEpoch < params.teleportEpoch && params.teleportEpoch <= params.endEpoch
             && params.endEpoch <= params.baselineEpochs) {
            problems.append("the epochs must satisfy startEpoch < teleportEpoch <= endEpoch <= baselineEpochs "
                            + "(are \(params.startEpoch), \(params.teleportEpoch), \(params.endEpoch), \(params.baselineEpochs))")
        }
        return problems
    }
}
