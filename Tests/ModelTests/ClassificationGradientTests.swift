import Foundation
import Tensor
import Testing
import TestSupport
@testable import Model

/// The hand-written classification loss and gradients against the autodiff's
/// `lossAndGradient(firstPreactivation:later:_:)` on the same inputs.
@Suite struct ClassificationGradientTests {
    /// A first pre-activation and later weights of the given widths, and labels.
    func problem(_ widths: [Int], batch: Int, seed: UInt64) -> (Z: Matrix<Double>, W: [Matrix<Double>], labels: [Int]) {
        var rng = SeededGenerator(seed: seed)
        let Z = Matrix<Double>(rows: widths[0], cols: batch) { _, _ in rng.uniform(-2, 2) }
        let W = (1..<widths.count).map { i in
            Matrix<Double>(rows: widths[i], cols: widths[i - 1]) { _, _ in rng.uniform(-1, 1) }
        }
        return (Z, W, (0..<batch).map { _ in rng.int(below: widths.last!) })
    }

    /// Double precision: the loss and every gradient equal the autodiff's to 1e-13 (relative),
    /// for one and for two later layers.
    @Test(arguments: [[6, 4], [16, 10, 10], [32, 10, 10]])
    func equalsTheAutodiff(widths: [Int]) {
        let (Z, W, labels) = problem(widths, batch: 37, seed: UInt64(widths.count * 100 + widths[0]))
        let fast = classificationLossAndGradient(firstPreactivation: Z, later: W[...], labels: labels)
        let reference = lossAndGradient(firstPreactivation: Z, later: W[...], .classification(labels: labels))
        #expect(relativeError(fast.loss, reference.loss) < 1e-13)
        #expect(fast.gradient.count == reference.gradient.count)
        #expect(relativeError(fast.gradient, reference.gradient) < 1e-13)
        #expect(relativeError(reference.gradient, reference.gradient.map { $0 * 1.001 }) > 1e-4,
                "the comparison sees a 0.1% change")
    }

    /// Float32 at the sharpness teleport's size (16 x 2000, MNIST's later layers): within 1e-5
    /// of the Double autodiff on the same (rounded) inputs, as close as the Float32 autodiff is.
    @Test func float32WithinRoundingOfTheDoubleReference() {
        let (Z, W, labels) = problem([16, 10, 10], batch: 2000, seed: 4)
        let Z32 = Matrix<Float>(Z), W32 = W.map { Matrix<Float>($0) }
        let exact = lossAndGradient(firstPreactivation: Matrix<Double>(Z32), later: W32.map { Matrix<Double>($0) }[...],
                                    .classification(labels: labels))
        let fast = classificationLossAndGradient(firstPreactivation: Z32, later: W32[...], labels: labels)
        let autodiff = lossAndGradient(firstPreactivation: Z32, later: W32[...], .classification(labels: labels))
        func error(_ g: [Matrix<Float>]) -> Double { relativeError(g.map { Matrix<Double>($0) }, exact.gradient) }
        #expect(relativeError(Double(fast.loss), exact.loss) < 1e-5)
        #expect(error(fast.gradient) < 1e-5)
        #expect(error(fast.gradient) < 10 * max(error(autodiff.gradient), 1e-7))
    }

    /// The loss and delta of a 3-class, 2-sample output by the definition (softmax per column).
    @Test func lossMatchesTheSoftmaxDefinition() {
        let f = Matrix<Double>([[1, 2], [3, -1], [0, 0.5]])
        let (loss, delta) = softmaxCrossEntropy(f, labels: [1, 2])
        let p = f.softmax(over: .rows)
        let expected = (-Foundation.log(p[1, 0]) - Foundation.log(p[2, 1])) / 2
        #expect(abs(loss - expected) < 1e-15)
        #expect(abs(delta[1, 0] - (p[1, 0] - 1) / 2) < 1e-15 && abs(delta[0, 1] - p[0, 1] / 2) < 1e-15)
    }
}
