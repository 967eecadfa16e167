import Foundation
import Tensor
import Testing
import TestSupport
@testable import Model

/// Random Float data set: `count` rows of uniform [0, 1) features, labels uniform in 0..<classes.
func randomData(_ shape: MLPShape, count: Int, seed: UInt64) -> (images: [Float], labels: [Int]) {
    var g = SeededGenerator(seed: seed)
    let images = (0..<(count * shape.inputSize)).map { _ in g.uniformFloat() }
    let labels = (0..<count).map { _ in g.int(below: shape.outputSize) }
    return (images, labels)
}

/// The counting allocator, which `make test` builds and preloads.
let allocationCounter = Prerequisite(
    FusedTrainerTests.allocationCount != nil,
    missing: "allocation counter not preloaded: cc -shared -fPIC -O2 -o .build/malloc-counter.so "
        + "scripts/malloc-counter.c, then LD_PRELOAD=$PWD/.build/malloc-counter.so swift test (make test does both)")

/// A new array of `count` elements: an allocation the optimiser cannot remove.
@inline(never) func freshArray(_ count: Int) -> [Int] { [Int](repeating: 1, count: count) }

@Suite struct FusedTrainerTests {
    /// The Float32 fused gradient of the golden problem (PyTorch, float64) within 1e-4.
    @Test(.requires(.golden("mlp_classification.json")))
    func gradientMatchesGolden() throws {
        let g = try Golden.load("mlp_classification.json")
        let problem = try GoldenProblem(g)
        let batch = problem.labels.count
        let trainer = FusedMLPTrainer(shape: problem.shape, parameters: problem.weights.map { Float($0) },
                                      optimizer: .sgd(lr: 0.1), maxBatchSize: batch)
        let loss = trainer.gradient(images: problem.inputs.map { Float($0) }, labels: problem.labels,
                                    samples: 0..<batch)
        let expected = try g.double("loss")
        #expect(abs(Double(loss) - expected) / expected < 1e-6)
        let error = maxRelativeError(trainer.lastGradient.map { Double($0) }, problem.gradient)
        #expect(error < 1e-4, "max relative error \(error)")
        #expect(trainer.parameters == problem.weights.map { Float($0) }, "gradient() must not update")
        #expect(try trainer.weight(1) == g.matrices("W")[1].values.map { Float($0) })
    }

    /// The fused gradient equals central finite differences of an independent Double forward pass.
    @Test func gradientMatchesFiniteDifferences() {
        let shape = MLPShape([12, 8, 6, 5])
        let batch = 10
        let data = randomData(shape, count: batch, seed: 11)
        let trainer = FusedMLPTrainer(shape: shape, seed: 12, optimizer: .sgd(lr: 0.1), maxBatchSize: batch)
        trainer.gradient(images: data.images, labels: data.labels, samples: 0..<batch)
        let fused = trainer.lastGradient.map { Double($0) }

        let w = trainer.parameters.map { Double($0) }, x = data.images.map { Double($0) }
        let h = 1e-6
        var numeric = [Double](repeating: 0, count: w.count)
        for i in w.indices {
            var plus = w, minus = w
            plus[i] += h; minus[i] -= h
            numeric[i] = (plainLoss(shape, plus, x, data.labels) - plainLoss(shape, minus, x, data.labels)) / (2 * h)
        }
        let scale = numeric.map { abs($0) }.max()!
        let worst = zip(fused, numeric).map { abs($0 - $1) }.max()!
        #expect(normRelativeError(fused, numeric) < 1e-5)
        #expect(worst < 1e-5 * scale, "max abs error \(worst), gradient scale \(scale)")
    }

    /// On the MNIST architecture with a full batch of 20 the fused gradient matches the Double
    /// reference, for several seeds.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func mnistGradientMatchesReference(seed: UInt64) {
        let shape = MLPShape.mnist
        let data = randomData(shape, count: 20, seed: seed)
        let trainer = FusedMLPTrainer(shape: shape, seed: seed, optimizer: .sgd(lr: 0.01))
        let loss = trainer.gradient(images: data.images, labels: data.labels, samples: 0..<20)
        let reference = ReferenceMLP.lossAndGradient(
            shape, parameters: trainer.parameters.map { Double($0) }, inputs: data.images.map { Double($0) },
            batch: 20, loss: .crossEntropy(labels: data.labels))
        #expect(abs(Double(loss) - reference.loss) < 1e-5 * reference.loss)
        #expect(normRelativeError(trainer.lastGradient.map { Double($0) }, reference.gradient) < 1e-5)
    }

    /// `step` is `gradient` followed by the optimiser's update (up to rounding: the fused
    /// update computes dW in other BLAS calls).
    @Test(arguments: [OptimizerKind.sgd(lr: 0.05), .momentum(lr: 0.01), .adam(lr: 1e-3)])
    func stepIsGradientThenUpdate(kind: OptimizerKind) {
        let shape = MLPShape([30, 16, 10, 10])
        let data = randomData(shape, count: 60, seed: 5)
        let a = FusedMLPTrainer(shape: shape, seed: 6, optimizer: kind)
        let b = FusedMLPTrainer(shape: shape, seed: 6, optimizer: kind)
        var optimizer = Optimizer<Float>(kind, parameterCount: shape.parameterCount)
        var weights = b.parameters
        let tolerance: Float = 1e-6
        for start in stride(from: 0, to: 60, by: 20) {
            let la = a.step(images: data.images, labels: data.labels, samples: start..<(start + 20))
            b.parameters = weights
            let lb = b.gradient(images: data.images, labels: data.labels, samples: start..<(start + 20))
            optimizer.update(&weights, gradient: b.lastGradient)
            #expect(abs(la - lb) <= tolerance * lb)
        }
        let difference = zip(a.parameters, weights).map { abs($0 - $1) }.max()!
        #expect(difference <= tolerance, "max difference \(difference)")
        #expect(a.optimizer.stepCount == 3)
        a.resetOptimizer()
        #expect(a.optimizer.stepCount == 0)
    }

    /// Forty Float32 fused steps follow the Double reference (ReferenceMLP gradient then
    /// Optimizer<Double>) from the same initialisation, for every optimiser.
    @Test(arguments: [OptimizerKind.sgd(lr: 0.1), .momentum(lr: 0.02), .adagrad(lr: 0.01),
                      .rmsprop(lr: 1e-3), .adam(lr: 1e-3)])
    func trainingFollowsDoubleReference(kind: OptimizerKind) {
        let shape = MLPShape([30, 16, 10, 10])
        let data = randomData(shape, count: 200, seed: 31)
        let trainer = FusedMLPTrainer(shape: shape, seed: 32, optimizer: kind)
        var w: [Double] = shape.initialParameters(seed: 32)
        var optimizer = Optimizer<Double>(kind, parameterCount: shape.parameterCount)
        let x = data.images.map { Double($0) }
        for step in 0..<40 {
            let s = (step % 10) * 20
            let fused = trainer.step(images: data.images, labels: data.labels, samples: s..<(s + 20))
            let reference = ReferenceMLP.lossAndGradient(
                shape, parameters: w, inputs: Array(x[(s * 30)..<((s + 20) * 30)]), batch: 20,
                loss: .crossEntropy(labels: Array(data.labels[s..<(s + 20)])))
            optimizer.update(&w, gradient: reference.gradient)
            #expect(abs(Double(fused) - reference.loss) < 1e-4 * reference.loss, "\(kind.name) step \(step)")
        }
        let error = normRelativeError(trainer.parameters.map { Double($0) }, w)
        #expect(error < 1e-4, "\(kind.name): relative distance \(error)")
    }

    /// `evaluate` gives the reference mean loss and the argmax accuracy, whatever the chunk size.
    @Test func evaluateMatchesReference() {
        let shape = MLPShape([30, 16, 10, 10])
        let count = 257
        let data = randomData(shape, count: count, seed: 8)
        let trainer = FusedMLPTrainer(shape: shape, seed: 9, optimizer: .sgd(lr: 0.1), evaluationChunkSize: 100)
        let w = trainer.parameters.map { Double($0) }, x = data.images.map { Double($0) }
        let referenceLoss = ReferenceMLP.loss(shape, parameters: w, inputs: x, batch: count,
                                              loss: .crossEntropy(labels: data.labels))
        let outputs = ReferenceMLP.forward(shape, parameters: w, inputs: x, batch: count).last!
        var correct = 0
        for s in 0..<count {
            let row = Array(outputs[(s * 10)..<((s + 1) * 10)])
            if row.firstIndex(of: row.max()!) == data.labels[s] { correct += 1 }
        }
        for chunk in [1, 7, 100] {
            let (loss, accuracy) = trainer.evaluate(images: data.images, labels: data.labels, chunk: chunk)
            #expect(abs(loss - referenceLoss) < 1e-5 * referenceLoss, "chunk \(chunk)")
            #expect(accuracy == Double(correct) / Double(count), "chunk \(chunk)")
        }
        let part = trainer.evaluate(images: data.images, labels: data.labels, count: 50)
        let partReference = ReferenceMLP.loss(shape, parameters: w, inputs: Array(x[..<(50 * 30)]), batch: 50,
                                              loss: .crossEntropy(labels: Array(data.labels[..<50])))
        #expect(abs(part.loss - partReference) < 1e-5 * partReference)
    }

    /// A sequential epoch is the sequence of steps over consecutive batches (the last one
    /// short), and returns the mean of their losses; a shuffled epoch follows the documented
    /// permutation.
    @Test func trainEpochIsConsecutiveSteps() {
        let shape = MLPShape([30, 16, 10, 10])
        let data = randomData(shape, count: 45, seed: 3)
        let epoch = FusedMLPTrainer(shape: shape, seed: 4, optimizer: .adagrad(lr: 0.01))
        let manual = FusedMLPTrainer(shape: shape, seed: 4, optimizer: .adagrad(lr: 0.01))
        let mean = epoch.trainEpoch(images: data.images, labels: data.labels, batchSize: 20)
        let losses = [0..<20, 20..<40, 40..<45].map {
            Double(manual.step(images: data.images, labels: data.labels, samples: $0))
        }
        #expect(epoch.parameters == manual.parameters)
        #expect(abs(mean - losses.reduce(0, +) / 3) < 1e-12)

        let shuffled = FusedMLPTrainer(shape: shape, seed: 4, optimizer: .sgd(lr: 0.1))
        let check = FusedMLPTrainer(shape: shape, seed: 4, optimizer: .sgd(lr: 0.1))
        _ = shuffled.trainEpoch(images: data.images, labels: data.labels, batchSize: 20, order: .shuffled(seed: 99))
        var g = SeededGenerator(seed: 99)
        let permutation = Array(0..<45).shuffled(using: &g)
        for start in stride(from: 0, to: 45, by: 20) {
            let rows = permutation[start..<min(start + 20, 45)]
            check.step(images: rows.flatMap { data.images[($0 * 30)..<(($0 + 1) * 30)] },
                       labels: rows.map { data.labels[$0] }, samples: 0..<rows.count)
        }
        #expect(shuffled.parameters == check.parameters)
    }

    /// Training on a learnable problem (labels from a random linear teacher) lowers the loss
    /// and raises the accuracy, with every optimiser.
    @Test(arguments: [OptimizerKind.sgd(lr: 0.2), .momentum(lr: 0.02), .adagrad(lr: 0.01),
                      .rmsprop(lr: 1e-3), .adam(lr: 1e-3)])
    func trainingLearns(kind: OptimizerKind) {
        let shape = MLPShape([20, 16, 10, 10])
        var g = SeededGenerator(seed: 21)
        let teacher = (0..<(10 * 20)).map { _ in Float(g.uniform(-1, 1)) }
        let count = 2000
        let images = (0..<(count * 20)).map { _ in g.uniformFloat() - 0.5 }
        let labels = (0..<count).map { s in
            let scores = (0..<10).map { c in (0..<20).reduce(Float(0)) { $0 + teacher[c * 20 + $1] * images[s * 20 + $1] } }
            return scores.firstIndex(of: scores.max()!)!
        }
        let trainer = FusedMLPTrainer(shape: shape, seed: 22, optimizer: kind)
        let before = trainer.evaluate(images: images, labels: labels)
        var losses: [Double] = []
        for _ in 0..<10 { losses.append(trainer.trainEpoch(images: images, labels: labels)) }
        let after = trainer.evaluate(images: images, labels: labels)
        #expect(losses.last! < losses.first!, "\(kind.name): \(losses)")
        #expect(after.loss < 0.8 * before.loss, "\(kind.name): \(before) -> \(after)")
        #expect(after.accuracy > before.accuracy + 0.2, "\(kind.name): \(before) -> \(after)")
    }

    /// Heap allocations so far on the calling thread, when a counting allocator is preloaded
    /// (scripts/malloc-counter.c).
    static let allocationCount: (@convention(c) () -> Int)? = {
        guard let symbol = dlsym(nil, "teleport_thread_allocation_count") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) () -> Int).self)
    }()

    /// The number of allocations `body` makes on this thread.
    static func allocations(_ body: () -> Void) -> Int {
        let count = allocationCount!, before = count()
        body()
        return count() - before
    }

    /// `step`, `gradient`, `evaluate` and a sequential `trainEpoch` allocate nothing: the count of
    /// a preloaded counting allocator is unchanged by 500 steps and an epoch, while it does count
    /// a deliberate allocation.
    @Test(.requires(allocationCounter)) func hotPathAllocatesNothing() {
        let shape = MLPShape.mnist
        let data = randomData(shape, count: 200, seed: 1)
        let trainer = FusedMLPTrainer(shape: shape, seed: 2, optimizer: .adam(lr: 1e-3), evaluationChunkSize: 100)
        let images = data.images, labels = data.labels
        var loss: Float = 0, evaluation = (loss: 0.0, accuracy: 0.0)
        var allocations = 0
        images.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                trainer.step(images: x, labels: y, batchSize: 20)  // warm-up (first BLAS calls)
                _ = trainer.evaluate(images: x, labels: y, count: 200, chunk: 100)
                allocations = Self.allocations {
                    for i in 0..<500 {
                        let s = (i % 10) * 20
                        loss = trainer.step(images: UnsafeBufferPointer(rebasing: x[(s * 784)...]),
                                            labels: UnsafeBufferPointer(rebasing: y[s...]), batchSize: 20)
                        if i % 50 == 0 {
                            trainer.gradient(images: x, labels: y, batchSize: 20)
                            evaluation = trainer.evaluate(images: x, labels: y, count: 200, chunk: 100)
                        }
                    }
                    _ = trainer.trainEpoch(images: images, labels: labels, batchSize: 20)
                }
            }
        }
        #expect(allocations == 0, "\(allocations) allocations in 500 steps")
        var total = 0
        let counted = Self.allocations { total += freshArray(100).count }
        #expect(counted >= 1 && total == 100, "the counter missed a deliberate allocation")
        #expect(loss.isFinite && evaluation.loss.isFinite)
        #expect(trainer.optimizer.stepCount == 1 + 500 + 10)
    }
}
