import CBLAS
import Foundation
import Tensor

/// Order in which `trainEpoch` visits the samples.
public enum BatchOrder: Hashable, Sendable {
    /// Samples `0, 1, 2, ...`: consecutive mini-batches, no shuffling (the paper's protocol).
    case sequential
    /// A fresh random permutation of the samples, drawn from `SeededGenerator(seed:)`.
    case shuffled(seed: UInt64)
}

/// Training of a bias-free LeakyReLU MLP classifier in Float32 with every buffer allocated up
/// front: `step`, `gradient` and `evaluate` allocate nothing.
///
/// One `step` on a mini-batch `X` (`batch x d[0]`, samples as rows) with labels `y` does
///
///     forward    H(0) = X,  Z(i+1) = H(i) W[i]ᵀ,  H(i+1) = LeakyReLU(Z(i+1)) (hidden layers)
///     loss       mean over the batch of -log softmax(Z(L))[y]
///     backward   δ(L) = (softmax(Z(L)) - onehot(y)) / batch
///                dW[i] = δ(i+1)ᵀ H(i),  δ(i) = (δ(i+1) W[i]) ⊙ LeakyReLU'(Z(i))
///     update     the optimiser's in-place step on the flat weights, fused into the backward
///                pass: W[i] changes as soon as dW[i] is known and δ(i) no longer needs it
///
/// Weights, gradient and optimiser state share the flat layout of `MLPShape`. Data sets are
/// read where they lie: a mini-batch is `batch` consecutive rows of `d[0]` floats.
///
/// A trainer is not thread-safe; parallel runs each own a trainer.
public final class FusedMLPTrainer {
    /// The architecture.
    public let shape: MLPShape
    /// Largest mini-batch `step` and `gradient` accept.
    public let maxBatchSize: Int
    /// Number of samples `evaluate` pushes through the network at once (at most).
    public let evaluationChunkSize: Int
    /// The optimiser and its state.
    public private(set) var optimizer: Optimizer<Float>
    /// The code that computes the matrix products.
    public var productKernel: ProductKernel { kernels.product }
    private let kernels: Kernels

    /// Flat weights and gradient (`shape.parameterCount` each).
    private let weights: UnsafeMutablePointer<Float>
    private let grad: UnsafeMutablePointer<Float>
    /// `activation[i]`, i in 1...L: H(i) for hidden layers, Z(L) for the output (rows x d[i]).
    private let activation: [UnsafeMutablePointer<Float>]
    /// `delta[i]`, i in 1...L: dLoss/dZ(i) (maxBatchSize x d[i]).
    private let delta: [UnsafeMutablePointer<Float>]
    /// The exponentials of `softmaxCrossEntropy` when it writes no δ (one row per evaluated row).
    private let exponentials: UnsafeMutablePointer<Float>
    /// Each row's largest logit and its index, for `softmaxCrossEntropy`.
    private let rowMaxima: UnsafeMutablePointer<Float>
    private let rowArgmax: UnsafeMutablePointer<Int>
    /// Gathered rows and labels of a shuffled mini-batch.
    private let batchImages: UnsafeMutablePointer<Float>
    private let batchLabels: UnsafeMutablePointer<Int>
    /// Every allocation above, freed in deinit.
    private let allocations: [UnsafeMutableRawPointer]

    /// A trainer for `shape` starting from `parameters` (flat layout), its products computed
    /// by `products`.
    public init(shape: MLPShape, parameters: [Float], optimizer: OptimizerKind,
                maxBatchSize: Int = 20, evaluationChunkSize: Int = 1000, products: ProductKernel = .registerBlocked) {
        ensure(parameters.count == shape.parameterCount, "expected \(shape.parameterCount) weights")
        ensure(maxBatchSize > 0 && evaluationChunkSize > 0)
        self.shape = shape
        self.maxBatchSize = maxBatchSize
        self.evaluationChunkSize = evaluationChunkSize
        self.optimizer = Optimizer(optimizer, parameterCount: shape.parameterCount)
        kernels = Kernels(product: products)
        CBLASSetup.singleThreaded()

        var allocations: [UnsafeMutableRawPointer] = []
        // Every buffer starts on a cache line: with the allocator's 16-byte alignment the rows
        // of W[0] (whole numbers of cache lines long) all straddle lines, and every other
        // vector load and store of the products splits in two (CIFAR-10 epoch about 6% slower).
        func buffer<T>(_ count: Int, _ type: T.Type = Float.self) -> UnsafeMutablePointer<T> {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<T>.stride,
                                                       alignment: 64)
            allocations.append(raw)
            return raw.bindMemory(to: T.self, capacity: max(count, 1))
        }
        let rows = max(maxBatchSize, evaluationChunkSize)
        let weights: UnsafeMutablePointer<Float> = buffer(shape.parameterCount)
        parameters.withUnsafeBufferPointer { weights.initialize(from: $0.baseAddress!, count: $0.count) }
        self.weights = weights
        grad = buffer(shape.parameterCount)
        grad.initialize(repeating: 0, count: shape.parameterCount)
        activation = shape.dims.enumerated().map { i, d in buffer(i == 0 ? 0 : rows * d) }
        delta = shape.dims.enumerated().map { i, d in buffer(i == 0 ? 0 : maxBatchSize * d) }
        exponentials = buffer(rows * shape.outputSize)
        rowMaxima = buffer(rows)
        rowArgmax = buffer(rows, Int.self)
        batchImages = buffer(maxBatchSize * shape.inputSize)
        batchLabels = buffer(maxBatchSize, Int.self)
        self.allocations = allocations
    }

    /// A trainer for `shape` from the PyTorch-style initialisation of `seed`
    /// (`MLPShape.initialParameters(seed:)`).
    public convenience init(shape: MLPShape, seed: UInt64, optimizer: OptimizerKind,
                            maxBatchSize: Int = 20, evaluationChunkSize: Int = 1000, products: ProductKernel = .registerBlocked) {
        self.init(shape: shape, parameters: shape.initialParameters(seed: seed), optimizer: optimizer,
                  maxBatchSize: maxBatchSize, evaluationChunkSize: evaluationChunkSize, products: products)
    }

    deinit { for p in allocations { p.deallocate() } }

    // MARK: Weights, gradient, optimiser

    /// The weights (flat layout); setting them keeps the optimiser state.
    public var parameters: [Float] {
        get { Array(UnsafeBufferPointer(start: weights, count: shape.parameterCount)) }
        set {
            ensure(newValue.count == shape.parameterCount)
            newValue.withUnsafeBufferPointer { weights.update(from: $0.baseAddress!, count: $0.count) }
        }
    }

    /// `W[layer]` as a row-major `d[layer+1] x d[layer]` array.
    public func weight(_ layer: Int) -> [Float] {
        let range = shape.weightRange(layer)
        return Array(UnsafeBufferPointer(start: weights + range.lowerBound, count: range.count))
    }

    /// The gradient computed by the last `gradient` call, or by the last `step` with an
    /// optimiser other than plain SGD (flat layout).
    public var lastGradient: [Float] { Array(UnsafeBufferPointer(start: grad, count: shape.parameterCount)) }

    /// Restarts the optimiser's state (momentum, accumulators, step count).
    public func resetOptimizer() { optimizer.reset() }

    // MARK: Training

    /// One training step on the first `batchSize` rows of `images` (each `d[0]` floats) with
    /// `labels`: forward, loss, backward and optimiser update. Returns the mean loss of the batch
    /// before the update.
    ///
    /// The update is fused into the backward pass, layer by layer: plain SGD as
    /// `W[i] -= lr δ(i+1)ᵀ H(i)` inside one product call (which leaves `lastGradient` as it was),
    /// the other optimisers right after dW[i] is computed.
    ///
    /// `next`, if given, is the first sample of the mini-batch the caller steps on next: the
    /// forward pass fetches it into cache meanwhile (no value changes).
    @discardableResult
    public func step(images: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int>,
                     batchSize: Int, next: UnsafePointer<Float>? = nil) -> Float {
        let loss = lossAndDelta(images: images, labels: labels, batchSize: batchSize, next: next)
        if case .sgd(let lr) = optimizer.kind {
            backward(images.baseAddress!, rows: batchSize, update: .sgd(Float(lr)))
        } else {
            backward(images.baseAddress!, rows: batchSize, update: .optimizer)
        }
        optimizer.finishStep()
        return loss
    }

    /// One training step on samples `samples` of a dataset stored as rows.
    @discardableResult
    public func step(images: [Float], labels: [Int], samples: Range<Int>) -> Float {
        withBatch(images, labels, samples) { step(images: $0, labels: $1, batchSize: samples.count) }
    }

    /// Computes the gradient of the mean batch loss into `lastGradient` without changing the
    /// weights; returns the mean loss.
    @discardableResult
    public func gradient(images: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int>,
                         batchSize: Int) -> Float {
        let loss = lossAndDelta(images: images, labels: labels, batchSize: batchSize)
        backward(images.baseAddress!, rows: batchSize, update: nil)
        return loss
    }

    /// Computes the gradient on samples `samples` of a dataset stored as rows.
    @discardableResult
    public func gradient(images: [Float], labels: [Int], samples: Range<Int>) -> Float {
        withBatch(images, labels, samples) { gradient(images: $0, labels: $1, batchSize: samples.count) }
    }

    /// Calls `body` with the images (rows) and labels of `samples` of a dataset stored as rows.
    private func withBatch(_ images: [Float], _ labels: [Int], _ samples: Range<Int>,
                           _ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Int>) -> Float) -> Float {
        let d = shape.inputSize
        ensure(samples.upperBound * d <= images.count && samples.upperBound <= labels.count)
        return images.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                body(UnsafeBufferPointer(rebasing: x[(samples.lowerBound * d)...]),
                     UnsafeBufferPointer(rebasing: y[samples.lowerBound...]))
            }
        }
    }

    /// One epoch over the first `count` samples (default: all) in mini-batches of `batchSize`
    /// (the last one smaller when `batchSize` does not divide `count`). Returns the mean of the
    /// mini-batch losses.
    public func trainEpoch(images: [Float], labels: [Int], count: Int? = nil, batchSize: Int = 20,
                           order: BatchOrder = .sequential) -> Double {
        let d = shape.inputSize
        let n = count ?? labels.count
        ensure(n > 0 && n <= labels.count && n * d <= images.count && batchSize <= maxBatchSize)
        var total = 0.0, batches = 0
        images.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                switch order {
                case .sequential:
                    var start = 0
                    while start < n {
                        let b = min(batchSize, n - start)
                        total += Double(step(images: UnsafeBufferPointer(rebasing: x[(start * d)...]),
                                             labels: UnsafeBufferPointer(rebasing: y[start...]),
                                             batchSize: b, next: start + b < n ? x.baseAddress! + (start + b) * d : nil))
                        batches += 1
                        start += b
                    }
                case .shuffled(let seed):
                    var generator = SeededGenerator(seed: seed)
                    let permutation = Array(0..<n).shuffled(using: &generator)
                    var start = 0
                    while start < n {
                        let b = min(batchSize, n - start)
                        for r in 0..<b {
                            let s = permutation[start + r]
                            (batchImages + r * d).update(from: x.baseAddress! + s * d, count: d)
                            batchLabels[r] = y[s]
                        }
                        total += Double(step(images: UnsafeBufferPointer(start: batchImages, count: b * d),
                                             labels: UnsafeBufferPointer(start: batchLabels, count: b),
                                             batchSize: b))
                        batches += 1
                        start += b
                    }
                }
            }
        }
        return total / Double(batches)
    }

    // MARK: Evaluation

    /// Mean cross-entropy and accuracy over the first `count` samples (default: all), pushed
    /// through the network `chunk` samples at a time (at most `evaluationChunkSize`).
    public func evaluate(images: [Float], labels: [Int], count: Int? = nil,
                         chunk: Int? = nil) -> (loss: Double, accuracy: Double) {
        let n = count ?? labels.count
        ensure(n > 0 && n <= labels.count && n * shape.inputSize <= images.count)
        return images.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                evaluate(images: x, labels: y, count: n, chunk: chunk ?? evaluationChunkSize)
            }
        }
    }

    /// Mean cross-entropy and accuracy over the first `count` rows of `images`.
    public func evaluate(images: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int>,
                         count: Int, chunk: Int) -> (loss: Double, accuracy: Double) {
        ensure(chunk > 0 && chunk <= max(maxBatchSize, evaluationChunkSize))
        ensure(images.count >= count * shape.inputSize && labels.count >= count)
        var loss = 0.0, correct = 0, start = 0
        while start < count {
            let rows = min(chunk, count - start), x = images.baseAddress! + start * shape.inputSize
            forward(x, rows: rows, next: start + rows < count ? x + rows * shape.inputSize : nil)
            let (l, c) = softmaxCrossEntropy(labels: labels.baseAddress! + start, rows: rows, delta: nil)
            loss += l
            correct += c
            start += rows
        }
        return (loss / Double(count), Double(correct) / Double(count))
    }

    // MARK: Passes

    /// Forward pass and softmax cross-entropy of a mini-batch; leaves δ(L) in `delta[L]` and
    /// returns the mean loss.
    private func lossAndDelta(images: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int>,
                              batchSize: Int, next: UnsafePointer<Float>? = nil) -> Float {
        ensure(batchSize > 0 && batchSize <= maxBatchSize, "batch size above maxBatchSize")
        ensure(images.count >= batchSize * shape.inputSize && labels.count >= batchSize)
        forward(images.baseAddress!, rows: batchSize, next: next)
        let (loss, _) = softmaxCrossEntropy(labels: labels.baseAddress!, rows: batchSize,
                                            delta: delta[shape.layerCount])
        return Float(loss / Double(batchSize))
    }

    /// H(i+1) = LeakyReLU(H(i) W[i]ᵀ) for hidden layers, Z(L) = H(L-1) W[L-1]ᵀ; the first
    /// layer's product prefetches the rows at `next` (the samples after these, if known).
    private func forward(_ x: UnsafePointer<Float>, rows: Int, next: UnsafePointer<Float>? = nil) {
        let layers = shape.layerCount
        for layer in 0..<layers {
            let (n, k) = shape.weightShape(layer)
            let input = layer == 0 ? x : UnsafePointer(activation[layer])
            let output = activation[layer + 1]
            kernels.multiplyTransposed(rows, n, k, input, weights + shape.weightOffset(layer), output,
                                       next: layer == 0 ? next : nil)
            if layer < layers - 1 { Kernels.leakyReLU(output, count: rows * n) }
        }
    }

    /// How `backward` uses the weight gradients.
    private enum Update {
        /// `W[i] -= lr dW[i]`, inside the BLAS call.
        case sgd(Float)
        /// The optimiser's update of W[i] from dW[i] (left in `grad`).
        case optimizer
    }

    /// From δ(L) (already in `delta[L]`) to every dW[i]: into `grad` when `update` is nil,
    /// else also applied to the weights layer by layer (each W[i] after δ(i) has used its old
    /// value), while dW[i] is still in cache.
    private func backward(_ x: UnsafePointer<Float>, rows: Int, update: Update?) {
        for layer in stride(from: shape.layerCount - 1, through: 0, by: -1) {
            let (n, k) = shape.weightShape(layer)
            let input = layer == 0 ? x : UnsafePointer(activation[layer])
            let offset = shape.weightOffset(layer)
            let w = weights + offset, d = UnsafePointer(delta[layer + 1])
            if layer > 0 {
                kernels.multiply(rows, n, k, d, w, delta[layer])
                Kernels.leakyReLUBackward(delta[layer], activation: activation[layer], count: rows * k)
            }
            switch update {
            case nil:
                kernels.transposedMultiply(rows, n, k, d, input, grad + offset)
            case .sgd(let lr):
                kernels.transposedMultiply(rows, n, k, d, input, w, alpha: -lr, beta: 1)
            case .optimizer:
                kernels.transposedMultiply(rows, n, k, d, input, grad + offset)
                optimizer.update(entries: offset..<(offset + n * k), parameters: w,
                                 gradient: grad + offset, step: optimizer.stepCount + 1)
            }
        }
    }

    /// Sum over `rows` samples of the cross-entropy of softmax(Z(L)) and the number of correct
    /// argmax predictions; writes δ(L) = (softmax - onehot) / rows into `delta` when given.
    private func softmaxCrossEntropy(labels: UnsafePointer<Int>, rows: Int,
                                     delta: UnsafeMutablePointer<Float>?) -> (loss: Double, correct: Int) {
        let k = shape.outputSize
        let logits = activation[shape.layerCount]
        var loss = 0.0, correct = 0
        let scale = 1 / Float(rows)
        // exp(z - top) once per logit, kept in the output rows' δ (or in `exponentials` when
        // evaluating), then scaled in place: first z - top for every row, then exp of all of
        // them in one call (`teleport_exp`, expf's bits), then each row's sum in order.
        let exponentials = delta ?? self.exponentials
        let top = rowMaxima, best = rowArgmax
        for r in 0..<rows {
            let z = logits + r * k, e = exponentials + r * k
            var t = z[0], b = 0
            for j in 1..<k where z[j] > t { t = z[j]; b = j }
            for j in 0..<k { e[j] = z[j] - t }
            top[r] = t; best[r] = b
        }
        Float.exp(count: rows * k, exponentials, exponentials)
        for r in 0..<rows {
            let z = logits + r * k, e = exponentials + r * k, top = top[r], best = best[r]
            var sum: Float = 0
            for j in 0..<k { sum += e[j] }
            let label = labels[r]
            ensure(label >= 0 && label < k, "label out of range")
            loss += Double(log(sum) - (z[label] - top))
            if best == label { correct += 1 }
            if delta != nil {
                let inverse = 1 / sum
                for j in 0..<k { e[j] = e[j] * inverse * scale }
                e[label] -= scale
            }
        }
        return (loss, correct)
    }
}

/// Calls `openblas_set_num_threads(1)` once per process: training parallelises across runs,
/// so BLAS itself stays single-threaded.
enum CBLASSetup {
    private static let once: Void = { openblas_set_num_threads(1) }()
    static func singleThreaded() { _ = once }
}
