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
        if case .implemented(let differences) = Correlation.publishedMode { #expect(differences.count >= 3) }
        else { Issue.record("correlation has a published mode") }
    }
}
