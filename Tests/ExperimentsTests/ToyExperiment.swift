import Foundation
@testable import Experiments

/// Counts calls from any thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}

/// A deterministic toy experiment: each run computes a "loss curve" from its seed. Runs can
/// be made to diverge (NaN at epoch 2) or fail, and every execution is counted.
struct Toy: Experiment {
    struct Params: Codable, Sendable, Equatable {
        var seeds: Int
        var epochs: Int
        var learningRate: Double
        var layers: [Int]
    }

    struct Result: Codable, Sendable, Equatable {
        var curve: [Double]
        var x: Double
        var final: Double
    }

    struct Statistics: Encodable, Sendable {
        var meanFinal: Double
        var stdFinal: Double
        var medianFinal: Double
        var correlation: Stats.Correlation
        var completed: [String]
    }

    typealias Run = SeedRun

    static let name = "toy"
    static let abstract = "A deterministic toy experiment for the harness tests."
    static let datasets = ["alpha", "beta"]

    let counter = Counter()
    let baselineCounter = Counter()
    var divergingSeed: Int? = nil
    var failingSeed: Int? = nil
    var epochsOverride: Int? = nil
    /// The numerics revision of the "beta" runs ("alpha" stays at 0).
    var betaRevision = 0

    init() {}
    init(divergingSeed: Int? = nil, failingSeed: Int? = nil, epochsOverride: Int? = nil) {
        self.divergingSeed = divergingSeed; self.failingSeed = failingSeed
        self.epochsOverride = epochsOverride
    }

    func params(for profile: Profile) -> Params {
        var p: Params
        switch profile {
        case .quick: p = Params(seeds: 5, epochs: 4, learningRate: 0.1, layers: [4, 3, 2])
        case .default: p = Params(seeds: 10, epochs: 10, learningRate: 0.05, layers: [4, 3, 2])
        case .paper: p = Params(seeds: 100, epochs: 40, learningRate: 0.01, layers: [784, 16, 10, 10])
        }
        if let e = epochsOverride { p.epochs = e }
        return p
    }

    func numericsRevision(of run: SeedRun) -> Int { run.group == "beta" ? betaRevision : 0 }

    func runs(params: Params, datasets: [String]) -> [SeedRun] {
        datasets.flatMap { d in (0..<params.seeds).map { SeedRun(d, seed: $0) } }
    }

    func execute(_ run: SeedRun, params: Params, shared: Void, context: RunContext) throws -> Result {
        counter.increment()
        if run.seed == failingSeed { throw CocoaError(.fileReadNoSuchFile) }
        // A value every run of a dataset starts from, computed once.
        let offset = try context.cached("baseline/\(run.group)") { () -> Double in
            baselineCounter.increment()
            Thread.sleep(forTimeInterval: 0.05)
            return run.group == "alpha" ? 0.0 : 0.5
        }
        let x = sin(Double(run.seed) * 1.7 + offset)
        var curve: [Double] = []
        for epoch in 0..<params.epochs {
            context.report("epoch", epoch + 1, of: params.epochs)
            var loss = exp(-params.learningRate * Double(epoch)) * (1 + x * x) + 0.1 * cos(Double(run.seed))
            if run.seed == divergingSeed && epoch == 2 { loss = .nan }
            try context.checkFinite(loss, epoch: epoch,
                                     partial: Result(curve: curve, x: x, final: curve.last ?? .nan))
            curve.append(loss)
        }
        return Result(curve: curve, x: x, final: curve.last!)
    }

    func summarize(_ results: RunResults<Toy>, params: Params, output: OutputFolder) throws -> Statistics {
        let done = results.completed
        let finals = done.map(\.result.final)
        var table = Table(columns: ["run", "x", "final loss"], alignments: [.left, .right, .right])
        for (run, result) in done {
            table.append([run.key, Table.number(result.x), Table.number(result.final)])
        }
        try output.write(table, name: "final")
        return Statistics(meanFinal: Stats.mean(finals), stdFinal: Stats.std(finals),
                          medianFinal: Stats.median(finals),
                          correlation: Stats.pearson(done.map(\.result.x), finals),
                          completed: done.map(\.run.key))
    }

    /// Two claims: every run completes (per dataset), and the mean final loss is below 2.
    func verdicts(_ s: Statistics, params: Params, datasets: [String]) -> [Verdict] {
        let complete = datasets.map { d in
            let n = s.completed.filter { $0.hasPrefix(d + "/") }.count
            return Check(d, .exact("fraction of runs completed", value: Double(n) / Double(params.seeds),
                                   claim: .above, boundary: 0.99, scale: 1), note: "\(n)/\(params.seeds) runs")
        }
        return [Verdict(id: "toy/complete", claim: "Every run completes.", checks: complete,
                        figures: ["final.png", "missing-*.png"]),
                Verdict(id: "toy/final-loss", claim: "The mean final loss is below 2.",
                        checks: [Check("", .exact("mean final loss", value: s.meanFinal, claim: .below, boundary: 2,
                                                  scale: 2))])]
    }
}
