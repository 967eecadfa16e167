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

/// One training epoch per repetition: 50k random samples, batch 20, sequential order.
private func epochBenchmark(_ name: String, _ shape: MLPShape, _ optimizer: OptimizerKind,
                            repeats: Int) -> Benchmark {
    let samples = 50_000
    let flops = 2.0 * 3 * Double(shape.parameterCount) * Double(samples)  // forward + two backward gemms
    return Benchmark(name, "one epoch \(shape) \(optimizer.name) lr \(optimizer.learningRate), "
                     + "\(samples) random samples, batch 20", repeats: repeats,
                     work: flops / 1e9, unit: "GFLOP/s") {
        let data = randomData(count: samples, features: shape.inputSize, seed: 1)
        let trainer = FusedMLPTrainer(shape: shape, seed: 0, optimizer: optimizer)
        return { _ = trainer.trainEpoch(images: data.images, labels: data.labels, batchSize: 20) }
    }
}

/// Fused MLP training epochs (single-threaded).
func trainingBenchmarks() -> [Benchmark] {
    [
        epochBenchmark("epoch/mnist-mlp", .mnist, .sgd(lr: 1e-2), repeats: 11),
        epochBenchmark("epoch/mnist-mlp-adam", .mnist, .adam(lr: 1e-4), repeats: 11),
        epochBenchmark("epoch/cifar-mlp", .cifar, .sgd(lr: 2e-2), repeats: 5),
        epochBenchmark("epoch/cifar-mlp-adam", .cifar, .adam(lr: 1e-4), repeats: 3),
    ]
}
