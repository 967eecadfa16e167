import Theory
import MetaLearning
import Model
import Teleport
import Tensor

/// Random CIFAR/MNIST-shaped training data: `count` rows of `features` uniform [0, 1) values
/// and labels uniform in 0..<10, fixed by `seed`.
private func randomData(count: Int, features: Int, seed: UInt64) -> (images: [Float], labels: [Int]) {
    var generator = SeededGenerator(seed: seed)
    let images = (0..<(count * features)).map { _ in generator.uniformFloat() }
    let labels = (0..<count).map { _ in generator.int(below: 10) }
    return (images, labels)
}

extension MLPShape {
    /// Flops of the matrix products of one training step on `samples` samples, counting a
    /// multiply-add as 2: per sample the forward pass (2 P, with P the weight count), the
    /// weight gradients (2 P) and the gradients with respect to every layer's input except the
    /// first (2 (P - P1), P1 the first layer's weights, which no step needs). Activations,
    /// softmax and the optimiser's update are not counted (O(widths) per sample, small here).
    func trainingFlops(samples: Int) -> Double {
        let p = Double(parameterCount), first = Double(dims[0] * dims[1])
        return Double(samples) * (2 * p + 2 * p + 2 * (p - first))
    }
}

/// One training epoch per repetition: 50k random samples, batch 20, sequential order, the
/// products through `products`. The register-blocked entry (what the experiments train with)
/// is paired with its naive reference, the general autodiff.
private func epochBenchmark(_ name: String, _ shape: MLPShape, _ optimizer: OptimizerKind,
                            repeats: Int, products: ProductKernel = .registerBlocked) -> Benchmark {
    let samples = 50_000
    return Benchmark(name, "one epoch \(shape) \(optimizer.name) lr \(optimizer.learningRate), "
                     + "\(samples) random samples, batch 20, \(products == .openBLAS ? "OpenBLAS" : "register-blocked") products",
                     repeats: repeats, flops: shape.trainingFlops(samples: samples),
                     naive: products == .registerBlocked ? name + "/general" : nil) {
        let data = randomData(count: samples, features: shape.inputSize, seed: 1)
        let trainer = FusedMLPTrainer(shape: shape, seed: 0, optimizer: optimizer, products: products)
        return { _ = trainer.trainEpoch(images: data.images, labels: data.labels, batchSize: 20) }
    }
}

/// The same epoch in the naive formulation: per mini-batch the batch as a features x batch
/// matrix, the layer matrices from the flat weights, a graph of the general autodiff
/// (`lossAndGradient`) and the optimiser's step on the flattened gradient. Its flops are
/// counted, not given by the formula.
private func generalEpochBenchmark(_ name: String, _ shape: MLPShape, _ optimizer: OptimizerKind,
                                   repeats: Int) -> Benchmark {
    let samples = 50_000, batch = 20
    return Benchmark(name + "/general", "the same epoch through the general autodiff (a graph per batch)",
                     repeats: repeats) {
        let data = randomData(count: samples, features: shape.inputSize, seed: 1)
        var parameters = shape.initialParameters(seed: 0, as: Float.self)
        var step = Optimizer<Float>(optimizer, parameterCount: shape.parameterCount)
        return {
            for start in stride(from: 0, to: samples, by: batch) {
                let X = columnBatch(images: data.images, features: shape.inputSize,
                                    indices: Array(start..<(start + batch)))
                let labels = Array(data.labels[start..<(start + batch)])
                let W: [Matrix<Float>] = shape.matrices(parameters)
                let (_, gradient) = lossAndGradient(W, X, Objective<Float>.classification(labels: labels))
                step.update(&parameters, gradient: shape.flatten(gradient))
            }
        }
    }
}

/// 100 steps of an optimiser over the CIFAR MLP's weights (3072-128-32-10, 397,632 floats)
/// with a fixed gradient: the element-wise update the trainer runs after every mini-batch, in
/// the C kernels (AVX2 where the CPU has it), after the same steps in the Swift loops (`/swift`,
/// the naive entry; the same bits).
private func optimizerBenchmarks(_ kind: OptimizerKind) -> [Benchmark] {
    let shape = MLPShape.cifar, steps = 100
    let name = "optimizer/\(kind.name)/cifar-mlp"
    func entry(_ name: String, _ detail: String, reference: Bool) -> Benchmark {
        Benchmark(name, detail, repeats: 11, naive: reference ? nil : name + "/swift") {
            let data = randomData(count: 1, features: shape.parameterCount, seed: 2)
            var parameters = data.images.map { $0 - 0.5 }
            let gradient = parameters.map { $0 * 1e-2 }
            var optimizer = Optimizer<Float>(kind, parameterCount: shape.parameterCount)
            return {
                parameters.withUnsafeMutableBufferPointer { p in
                    gradient.withUnsafeBufferPointer { g in
                        for _ in 0..<steps {
                            if reference { optimizer.referenceUpdate(p, gradient: g) } else { optimizer.update(p, gradient: g) }
                        }
                    }
                }
            }
        }
    }
    return [entry(name + "/swift", "the same steps through the Swift loops (baseline x86-64 vectors)", reference: true),
            entry(name, "\(steps) \(kind.name) steps on \(shape.parameterCount) Float32 weights, C kernels", reference: false)]
}

/// MLP training epochs (single-threaded): each configuration's naive reference, then the fused
/// trainer compared with it; the SGD epochs also with OpenBLAS's products (`/openblas`: why the
/// trainer does not use them) and generalization's CIFAR-10 MLP; then the optimisers'
/// element-wise updates.
func trainingBenchmarks() -> [Benchmark] {
    let epochs: [(String, MLPShape, OptimizerKind, general: Int, fused: Int)] = [
        ("epoch/mnist-mlp", .mnist, .sgd(lr: 1e-2), 5, 11),
        ("epoch/mnist-mlp-adam", .mnist, .adam(lr: 1e-4), 5, 11),
        ("epoch/cifar-mlp", .cifar, .sgd(lr: 2e-2), 3, 5),
        ("epoch/cifar-mlp-adam", .cifar, .adam(lr: 1e-4), 3, 3),
        ("epoch/cifar-small-mlp", .cifarSmall, .sgd(lr: 2e-2), 3, 5),
    ]
    return epochs.flatMap { name, shape, optimizer, general, fused in
        [generalEpochBenchmark(name, shape, optimizer, repeats: general),
         epochBenchmark(name, shape, optimizer, repeats: fused)]
    } + [epochBenchmark("epoch/mnist-mlp/openblas", .mnist, .sgd(lr: 1e-2), repeats: 11, products: .openBLAS),
         epochBenchmark("epoch/cifar-mlp/openblas", .cifar, .sgd(lr: 2e-2), repeats: 5, products: .openBLAS),
         epochBenchmark("epoch/cifar-small-mlp/openblas", .cifarSmall, .sgd(lr: 2e-2), repeats: 5, products: .openBLAS),
    ] + [OptimizerKind.momentum(lr: 1e-2), .adagrad(lr: 1e-2), .rmsprop(lr: 1e-3), .adam(lr: 1e-4)]
        .flatMap(optimizerBenchmarks)
}
