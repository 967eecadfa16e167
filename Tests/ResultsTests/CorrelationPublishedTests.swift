import Foundation
import Model
import Tensor
import Teleport
import Testing
@testable import Experiments
@testable import Results

/// correlation.py's measurement schedule (`PublishedMeasurement`): the shuffled loader's
/// batches per model and the global-stream positions its permutations are seeded from.
@Suite struct CorrelationPublishedTests {
    let schedule = PublishedMeasurement(shape: MLPShape([784, 16, 10, 10]), models: 100, epochs: 40, curves: 200,
                                        batchSize: 200, samples: 50_000,
                                        radii: sharpnessRadii(start: 0.001, end: 0.2, step: 0.01))

    @Test func drawsPerCurveAreTheMatricesThenOneDirectionPerRadius() {
        #expect(schedule.radii.count == 20)
        #expect(schedule.drawsPerCurve == 16 * 16 + 10 * 10 + 20 * 12_804)
        #expect(schedule.batchesPerPermutation == 250)
    }

    @Test func firstPermutationIsSeededAfterTheLastModelsTraining() {
        var global = TorchGenerator(seed: 100 * 54321)
        global.skip(12_804 + 2 * 40 + 2)
        #expect(schedule.permutationSeed(0) == global.next64() % (1 << 63))
        // Permutation 1 starts at model 1, curve 50: after curve 49's draws and a base seed.
        var later = TorchGenerator(seed: 12345 * 49)
        later.skip(schedule.drawsPerCurve + 2)
        #expect(schedule.permutationSeed(1) == later.next64() % (1 << 63))
    }

    @Test func modelsWalkOneLoaderAcrossPermutations() {
        let model0 = schedule.batches(model: 0), model1 = schedule.batches(model: 1)
        #expect(model0.count == 200 && model0.allSatisfy { $0.count == 200 })
        var p0 = TorchGenerator(seed: schedule.permutationSeed(0))
        let perm0 = p0.randperm(50_000)
        var p1 = TorchGenerator(seed: schedule.permutationSeed(1))
        let perm1 = p1.randperm(50_000)
        #expect(model0.flatMap { $0 } == Array(perm0[0..<40_000]))
        // Model 1: the last 50 batches of permutation 0, then the first 150 of permutation 1.
        #expect(model1.prefix(50).flatMap { $0 } == Array(perm0[40_000...]))
        #expect(model1.suffix(150).flatMap { $0 } == Array(perm1[0..<30_000]))
        #expect(perm0 != perm1)
    }

    @Test func publishedModeIsDeclaredWhereImplemented() {
        if case .implemented(let differences) = Correlation.publishedMode { #expect(differences.count == 1) }
        else { Issue.record("correlation has a published mode") }
    }
}

/// teleport_optimization.py's teleport batches (`PublishedTeleportBatches`): one shuffled
/// loader walked by every optimizer's runs in the published order.
@Suite struct OptimizersPublishedTests {
    let batches = PublishedTeleportBatches(shape: MLPShape([784, 16, 10, 10]), samples: 50_000, batchSize: 200,
                                           teleportsPerRun: 8, runs: 5,
                                           teleportEpoch: { OptimizersExperiment.schedule($0, baseLearningRate: 1).teleportEpoch })

    @Test func theLoaderIsWalkedInThePublishedOrder() {
        #expect(batches.index(optimizer: "adagrad", run: 0, teleport: 0) == 0)
        #expect(batches.index(optimizer: "adagrad", run: 4, teleport: 7) == 39)
        #expect(batches.index(optimizer: "momentum", run: 0, teleport: 0) == 40)
        #expect(batches.index(optimizer: "adam", run: 4, teleport: 7) == 159)   // 160 < 250: one permutation
        #expect(batches.index(optimizer: "sgd", run: 0, teleport: 0) == 160)
    }

    @Test func theFirstPermutationIsSeededInAdagradsFirstTeleportEpoch() {
        // Adagrad teleports in epoch 2: init_param_MLP(54321), then the train and test loaders
        // of epochs 0 and 1 and the train loader of epoch 2 (one int64 each), then the sampler.
        var global = TorchGenerator(seed: 54321)
        global.skip(12_804 + 4 * 2 + 2)
        let seed = global.next64() % (1 << 63)
        #expect(batches.permutationSeed(0) == seed)
        var g = TorchGenerator(seed: seed)
        let permutation = g.randperm(50_000)
        #expect(batches.batch(optimizer: "adagrad", run: 0, teleport: 0) == Array(permutation[0..<200]))
        #expect(batches.batch(optimizer: "momentum", run: 1, teleport: 3) == Array(permutation[(51 * 200)..<(52 * 200)]))
    }

    @Test func aSmallerSubsetStartsNewPermutationsFromTheRunThatExhaustsIt() {
        // 10,000 samples: 50 batches per permutation; with runs of 4 and 8 teleports (32
        // batches per optimizer) batch 50 is teleport 2 of momentum's run 2, whose teleport
        // epoch follows init_param_MLP(3 * 54321); a new iterator first draws its base seed.
        let small = PublishedTeleportBatches(shape: MLPShape([784, 16, 10, 10]), samples: 10_000, batchSize: 200,
                                             teleportsPerRun: 8, runs: 4, teleportEpoch: { _ in 2 })
        var expected = TorchGenerator(seed: PublishedStreams.runSeed((50 / 8) % 4))
        expected.skip(12_804 + 4 * 2 + 2 + 2)
        #expect(small.permutationSeed(1) == expected.next64() % (1 << 63))
        #expect(small.batch(optimizer: "adagrad", run: 0, teleport: 0).count == 200)
    }
}
