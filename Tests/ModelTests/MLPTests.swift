import Foundation
import Tensor
import Testing
import TestSupport
@testable import Model

/// Tiny independent Double forward pass used for finite differences (samples as rows).
func plainLoss(_ shape: MLPShape, _ w: [Double], _ x: [Double], _ labels: [Int]) -> Double {
    var h = x
    let batch = labels.count
    for layer in 0..<shape.layerCount {
        let (rows, cols) = shape.weightShape(layer), o = shape.weightOffset(layer)
        var z = [Double](repeating: 0, count: batch * rows)
        for b in 0..<batch {
            for r in 0..<rows {
                for c in 0..<cols { z[b * rows + r] += w[o + r * cols + c] * h[b * cols + c] }
                if layer < shape.layerCount - 1 && z[b * rows + r] < 0 { z[b * rows + r] *= 0.1 }
            }
        }
        h = z
    }
    let k = shape.outputSize
    var loss = 0.0
    for b in 0..<batch {
        let row = h[(b * k)..<((b + 1) * k)]
        loss += log(row.map { exp($0) }.reduce(0, +)) - row[row.startIndex + labels[b]]
    }
    return loss / Double(batch)
}

/// Random inputs (uniform [-1, 1)) and labels.
func randomBatch(_ shape: MLPShape, batch: Int, seed: UInt64) -> (x: [Double], labels: [Int]) {
    var g = SeededGenerator(seed: seed)
    let x = (0..<(batch * shape.inputSize)).map { _ in g.uniform(-1, 1) }
    let labels = (0..<batch).map { _ in g.int(below: shape.outputSize) }
    return (x, labels)
}

@Suite struct MLPShapeTests {
    @Test func layout() {
        let s = MLPShape.mnist
        #expect(s.layerCount == 3 && s.inputSize == 784 && s.outputSize == 10)
        #expect(s.parameterCount == 784 * 16 + 16 * 10 + 10 * 10)
        #expect(s.weightRange(1) == (784 * 16)..<(784 * 16 + 160))
        #expect(s.weightShape(0).rows == 16 && s.weightShape(0).cols == 784)
    }

    /// Entries lie in ±1/sqrt(fan_in), follow the documented draw order, and Float and Double
    /// initialisations of a seed agree.
    @Test func pytorchStyleInitialisation() {
        let s = MLPShape([5, 4, 3])
        let w: [Double] = s.initialParameters(seed: 7)
        var g = SeededGenerator(seed: 7)
        let expected = (0..<20).map { _ in g.uniform(-1 / 5.0.squareRoot(), 1 / 5.0.squareRoot()) }
            + (0..<12).map { _ in g.uniform(-0.5, 0.5) }
        #expect(w == expected)
        let f: [Float] = s.initialParameters(seed: 7)
        #expect(f == w.map { Float($0) })
        let big: [Double] = MLPShape.mnist.initialParameters(seed: 1)
        for layer in 0..<3 {
            let bound = 1 / Double(MLPShape.mnist.dims[layer]).squareRoot()
            let entries = big[MLPShape.mnist.weightRange(layer)].map { abs($0) }
            #expect(entries.max()! <= bound && entries.max()! > 0.95 * bound)
        }
    }
}

@Suite struct ReferenceMLPTests {
    /// The Double reference gradient agrees with central finite differences of an
    /// independent forward pass, for cross-entropy and for the squared-error loss.
    @Test func gradientMatchesFiniteDifferences() {
        let shape = MLPShape([7, 5, 4, 3])
        let w: [Double] = shape.initialParameters(seed: 3)
        let (x, labels) = randomBatch(shape, batch: 6, seed: 4)
        let (loss, grad) = ReferenceMLP.lossAndGradient(shape, parameters: w, inputs: x, batch: 6,
                                                        loss: .crossEntropy(labels: labels))
        #expect(abs(loss - plainLoss(shape, w, x, labels)) < 1e-14)
        var numeric = [Double](repeating: 0, count: w.count)
        let h = 1e-6
        for i in w.indices {
            var plus = w, minus = w
            plus[i] += h; minus[i] -= h
            numeric[i] = (plainLoss(shape, plus, x, labels) - plainLoss(shape, minus, x, labels)) / (2 * h)
        }
        #expect(normRelativeError(grad, numeric) < 1e-7)

        var g = SeededGenerator(seed: 5)
        let targets = (0..<(6 * 3)).map { _ in g.uniform(0, 1) }
        let squared = ReferenceMLP.Loss.squaredError(targets: targets)
        let regression = ReferenceMLP.lossAndGradient(shape, parameters: w, inputs: x, batch: 6, loss: squared)
        for i in w.indices {
            var plus = w, minus = w
            plus[i] += h; minus[i] -= h
            let fd = (ReferenceMLP.loss(shape, parameters: plus, inputs: x, batch: 6, loss: squared)
                - ReferenceMLP.loss(shape, parameters: minus, inputs: x, batch: 6, loss: squared)) / (2 * h)
            #expect(abs(fd - regression.gradient[i]) < 1e-6 * max(1, abs(fd)))
        }
    }

    /// Loss and gradient of the golden classification problem (PyTorch, float64).
    @Test(.requires(.golden("mlp_classification.json")))
    func matchesGolden() throws {
        let g = try Golden.load("mlp_classification.json")
        let problem = try GoldenProblem(g)
        let (loss, grad) = ReferenceMLP.lossAndGradient(problem.shape, parameters: problem.weights,
                                                        inputs: problem.inputs, batch: problem.labels.count,
                                                        loss: .crossEntropy(labels: problem.labels))
        let expected = try g.double("loss")
        #expect(abs(loss - expected) / expected < 1e-12)
        let error = maxRelativeError(grad, problem.gradient)
        #expect(error < 1e-10, "max relative error \(error)")
    }
}

/// The golden MLP problem in this module's layout: the file's X is features x batch, so it is
/// transposed to samples as rows; W and the gradient are flattened layer by layer.
struct GoldenProblem {
    let shape: MLPShape
    let weights: [Double]
    let inputs: [Double]
    let labels: [Int]
    let gradient: [Double]

    init(_ g: Golden) throws {
        let w = try g.matrices("W")
        shape = MLPShape([w[0].cols] + w.map(\.rows))
        weights = w.flatMap(\.values)
        gradient = try g.matrices("grad").flatMap(\.values)
        let x = try g.matrix("X")
        var rows = [Double](repeating: 0, count: x.rows * x.cols)
        for f in 0..<x.rows { for b in 0..<x.cols { rows[b * x.rows + f] = x.values[f * x.cols + b] } }
        inputs = rows
        labels = try g.vector("Y").map { Int($0) }
    }
}
