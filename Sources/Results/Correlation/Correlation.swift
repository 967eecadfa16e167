// Result 2 of the paper (Table 1, Figs 9-10): does the sharpness phi or the curvature psi of
// a minimum predict its validation loss?
//
// For each dataset: train N bias-free MLPs (one per seed) with SGD, batch 20, sequential order;
// after the last epoch measure the test ("validation") loss, phi and psi (PROTOCOL.md), then
// report the Pearson r of validation loss with phi and with psi, and of phi with psi.

import Theory
import MetaLearning
import Model
import Datasets
import Experiments
import Foundation
import Teleport
import Tensor

struct Correlation: Experiment {
    /// Everything one profile fixes; printed by `correlation profiles`.
    struct Params: Codable, Sendable {
        var models: Int                 // seeds per dataset (the paper: 100)
        var epochs: Int                 // SGD epochs (the paper: 40)
        var trainSamples: Int?          // nil: the whole 50k training split
        var measureDraws: Int           // batches for phi and psi (the paper: 200)
        var measureBatch: Int           // samples per batch (the paper: 200)
    }

    /// Per-dataset protocol (PROTOCOL.md, Result 2).
    struct Setup {
        var shape: MLPShape
        var learningRate: Double
        var radii: [Double]             // radii of phi
    }

    static func setup(_ dataset: DatasetName) -> Setup {
        switch dataset {
        case .mnist:
            Setup(shape: .mnist, learningRate: 1e-2, radii: sharpnessRadii(start: 0.001, end: 0.2, step: 0.01))
        case .fashionMNIST:
            Setup(shape: .mnist, learningRate: 1e-2, radii: sharpnessRadii(start: 0.0001, end: 0.02, step: 0.001))
        case .cifar10, .cifar10JPEG:
            Setup(shape: .cifar, learningRate: 2e-2, radii: sharpnessRadii(start: 0.0001, end: 0.02, step: 0.001))
        }
    }

    static var datasetSettings: Table? {
        var t = Table(columns: ["dataset", "model", "SGD lr", "phi radii"])
        for d in DatasetName.allCases {
            let s = setup(d)
            t.append([d.label, s.shape.description, Table.number(s.learningRate), radiiSummary(s.radii)])
        }
        return t
    }

    struct Result: Codable, Sendable {
        var trainLoss: [Double]         // mean training loss per epoch
        var validationLoss: Double      // test-set loss after the last epoch
        var validationAccuracy: Double
        var phi: Double
        var psi: Double
    }

    struct Row: Codable, Sendable {
        var dataset: String
        var models: Int
        var phiValidation: Stats.Correlation
        var psiValidation: Stats.Correlation
        var phiPsi: Stats.Correlation
    }

    struct Statistics: Encodable, Sendable { var rows: [Row] }

    static let name = "correlation"
    static let abstract = "Result 2: correlation of sharpness and curvature with validation loss (Table 1)."
    /// 1: pinv by Cholesky QR (its runs' numbers moved in the last bits). 2: trained through the
    /// register-blocked products (`ProductKernel`; the MNIST MLP's runs first, the CIFAR-10
    /// runs since the products copy crowded image rows and beat OpenBLAS there too).
    static let numericsRevision = 2
    static let datasets = ImageData.experimentDatasets

    func params(for profile: Profile) -> Params {
        switch profile {
        case .quick: Params(models: 12, epochs: 10, trainSamples: 10_000, measureDraws: 20, measureBatch: 200)
        case .default: Params(models: 30, epochs: 40, trainSamples: nil, measureDraws: 200, measureBatch: 200)
        case .paper: Params(models: 100, epochs: 40, trainSamples: nil, measureDraws: 200, measureBatch: 200)
        }
    }

    /// Datasets whose files are present (CIFAR-10 is skipped, and reported, when absent).
    func runs(params: Params, datasets: [String]) -> [SeedRun] {
        ImageData.usable(datasets)
            .flatMap { d in (0..<params.models).map { SeedRun(d, seed: $0) } }
    }

    func execute(_ run: SeedRun, params: Params, shared: [String: ImageData],
                 context: RunContext) throws -> Result {
        let data = shared[run.group]!
        let setup = Self.setup(data.dataset)
        let n = min(params.trainSamples ?? data.train.count, data.train.count)

        // Train from init_param_MLP's weights for the published seeds, (i + 1) * 54321.
        let published = context.algorithm == .published
        let trainer = FusedMLPTrainer(shape: setup.shape,
                                      parameters: setup.shape.publishedInitialParameters(seed: PublishedStreams.runSeed(run.seed)),
                                      optimizer: .sgd(lr: setup.learningRate))
        var curve: [Double] = []
        for epoch in 0..<params.epochs {
            context.report("epoch", epoch + 1, of: params.epochs)
            let loss = trainer.trainEpoch(images: data.train.images, labels: data.train.labels, count: n)
            curve.append(loss)
            try context.checkFinite(loss, epoch: epoch)
        }
        let test = trainer.evaluate(images: data.test.images, labels: data.test.labels)

        // Measure phi and psi with correlation.py's draws (M and directions of curve c from
        // manual_seed(12345 c)) on the same batches for every model, so that differences
        // between models are not sampling noise. The published algorithm measures each model on
        // its own batches, as correlation.py's loader gives them (CorrelationPublished.swift).
        context.note("phi and psi")
        let W = setup.shape.matrices(trainer.parameters)
        let (phiValue, psiValue) = published
            ? PublishedMeasurement(shape: setup.shape, models: params.models, epochs: params.epochs,
                                   curves: params.measureDraws, batchSize: params.measureBatch, samples: n,
                                   radii: setup.radii)
                .sharpnessAndCurvature(W, model: run.seed, train: n == data.train.count ? data.train : data.train.subset(0..<n))
            : data.sharpnessAndCurvature(W, radii: setup.radii, draws: params.measureDraws, batchSize: params.measureBatch)
        return Result(trainLoss: curve, validationLoss: test.loss, validationAccuracy: test.accuracy,
                      phi: phiValue, psi: psiValue)
    }

    func summarize(_ results: RunResults<Self>, params: Params, output: OutputFolder) throws -> Statistics {
        var rows: [Row] = []
        var table = Table(columns: ["dataset", "models", "r(phi, val. loss)", "r(psi, val. loss)", "r(phi, psi)"])
        for name in Self.datasets {
            let done = results.completed.filter { $0.run.group == name }.map(\.result)
            guard done.count >= 3 else { continue }
            let loss = done.map(\.validationLoss), phis = done.map(\.phi), psis = done.map(\.psi)
            let row = Row(dataset: name, models: done.count, phiValidation: Stats.pearson(phis, loss),
                          psiValidation: Stats.pearson(psis, loss), phiPsi: Stats.pearson(phis, psis))
            rows.append(row)
            table.append([DatasetName.label(of: name), "\(done.count)", row.phiValidation.description,
                          row.psiValidation.description, row.phiPsi.description])
            try writeFigures(name: name, results: done, row: row, output: output)
        }
        try output.write(table, name: "table1")
        return Statistics(rows: rows)
    }

    /// Table 1's claims per dataset with data: sharpness phi correlates positively with
    /// validation loss, curvature psi negatively; decided by the Fisher z interval of r.
    func verdicts(_ s: Statistics, params: Params, datasets: [String]) -> [Verdict] {
        Self.verdicts(s, datasets: ImageData.usable(datasets))
            + ImageData.unavailableVerdicts(datasets, result: Self.name)
    }

    /// The rules, on `datasets` (those with data).
    static func verdicts(_ s: Statistics, datasets: [String]) -> [Verdict] {
        func checks(_ pair: KeyPath<Row, Stats.Correlation>, _ what: String, claim: Decision.Direction) -> [Check] {
            datasets.map { name in
                guard let row = s.rows.first(where: { $0.dataset == name }), row.models >= 4 else {
                    return .notRun(name, because: "fewer than 4 completed models (the Fisher interval needs 4)")
                }
                return Check(name, .correlation(what, row[keyPath: pair], claim: claim),
                             note: "p = \(Table.number(row[keyPath: pair].p, digits: 2))")
            }
        }
        return [
            Verdict(id: "correlation/phi-validation",
                    claim: "Sharpness phi correlates positively with validation loss (Pearson r > 0).",
                    checks: checks(\.phiValidation, "r(phi, validation loss)", claim: .above),
                    figures: ["val-loss-vs-phi-*.png"]),
            Verdict(id: "correlation/psi-validation",
                    claim: "Curvature psi correlates negatively with validation loss (Pearson r < 0).",
                    checks: checks(\.psiValidation, "r(psi, validation loss)", claim: .below),
                    figures: ["val-loss-vs-psi-*.png"]),
        ]
    }
}


extension Correlation {
    /// `--algorithm published`: correlation.py's streams and measurement schedule.
    static var publishedMode: PublishedMode {
        .implemented(differences: [
            "phi and psi of model i are measured on correlation.py's batches for model i (one shuffled loader across "
                + "models), instead of the same batches for every model (both take correlation.py's draws, "
                + "manual_seed(12345 c) per curve)",
        ])
    }

    /// `--set` rules beyond counts of at least 1: at most the 50k training split.
    func problems(in params: Params) -> [String] {
        countProblems(in: params) + atMost("trainSamples", params.trainSamples, 50_000)
    }
}
