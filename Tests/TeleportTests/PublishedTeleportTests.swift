import Testing
import TestSupport
import Autodiff
@testable import Teleport
@testable import Model

/// The published code's gradient-norm teleport (`hiddenInputs: .firstOrder`): each pair acts
/// with hidden inputs held from the teleport's start (constants in the step's graph), updated
/// to first order after each step, h[m] <- (I + T[m-1]) h[m].
@Suite struct PublishedTeleportTests {
    static func problem(dims: [Int], batch: Int, seed: UInt64) -> (W: [Matrix<Double>], X: Matrix<Double>, labels: [Int]) {
        var rng = SeededGenerator(seed: seed)
        let W = (0..<(dims.count - 1)).map { i in
            Matrix<Double>(rows: dims[i + 1], cols: dims[i]) { _, _ in rng.uniform(-1, 1) / Double(dims[i]).squareRoot() }
        }
        let X = Matrix<Double>(rows: dims[0], cols: batch) { _, _ in rng.uniform() }
        return (W, X, (0..<batch).map { _ in rng.int(below: dims.last!) })
    }

    /// f(T) = ||dL/dW (g.W)||^2 with the published action (hidden inputs held constant).
    static func publishedF(_ W: [Matrix<Double>], _ X: Matrix<Double>, _ labels: [Int], hidden: [Matrix<Double>],
                           T: [Matrix<Double>]) -> Double {
        let g = T.map { Variable(Matrix<Double>.identity($0.rows) + $0) }
        // Weights that require gradients, so that dL/d(g.W) is taken although T is a constant here.
        let gW = transformPairs(W.map { Variable($0, requiresGrad: true) }, hidden: hidden.map { Variable($0) }, by: g)
            .map { $0 + 0 }
        let x = Variable(X)
        let L = loss(gW, x, .classification(labels: labels))
        return grad(of: L, wrt: gW).reduce(0) { $0 + $1.value.squaredNorm() }
    }

    @Test func directionIsTheDerivativeOfThePublishedObjective() {
        let (W, X, labels) = Self.problem(dims: [5, 4, 3, 3], batch: 8, seed: 21)
        let hidden = hiddenInputs(W, input: X)
        let (_, f, direction) = GradientNormTeleport.ascentDirection(W, input: X, .classification(labels: labels), hidden: hidden)
        let zero = W.dropLast().map { Matrix<Double>.zeros($0.rows, $0.rows) }
        #expect(abs(f - Self.publishedF(W, X, labels, hidden: hidden, T: zero)) < 1e-12)
        let eps = 1e-6
        var worst = 0.0
        for m in zero.indices {
            for i in 0..<zero[m].rows { for j in 0..<zero[m].cols {
                var plus = zero, minus = zero
                plus[m][i, j] = eps; minus[m][i, j] = -eps
                let numeric = (Self.publishedF(W, X, labels, hidden: hidden, T: plus)
                               - Self.publishedF(W, X, labels, hidden: hidden, T: minus)) / (2 * eps)
                worst = max(worst, abs(numeric - direction[m][i, j]) / max(1e-3, abs(numeric)))
            } }
        }
        #expect(worst < 1e-5, "worst relative difference \(worst)")
    }

    @Test func publishedAndExactDifferOnlyWithSeveralPairs() {
        // One pair: the only hidden input is X, so both algorithms are the same.
        let (W2, X2, l2) = Self.problem(dims: [5, 4, 3], batch: 3, seed: 3)
        let exact2 = GradientNormTeleport(steps: 3, learningRate: 0.1)(W2, input: X2, .classification(labels: l2))
        let first2 = GradientNormTeleport(steps: 3, learningRate: 0.1, hiddenInputs: .firstOrder)(W2, input: X2, .classification(labels: l2))
        #expect(zip(exact2.weights, first2.weights).allSatisfy { relativeError($0, $1) < 1e-12 })
        // Two pairs and a batch larger than the widths (as published: 200 samples, widths 16
        // and 10). At T = 0 both derivatives agree (pair 1 with g = I is the identity whatever
        // its hidden input), but applying g(1) with the held hidden input instead of the
        // exact one gives other weights, and from the second step on other directions.
        let (W, X, labels) = Self.problem(dims: [5, 4, 3, 3], batch: 8, seed: 4)
        let exact = GradientNormTeleport(steps: 2, learningRate: 5)(W, input: X, .classification(labels: labels))
        let first = GradientNormTeleport(steps: 2, learningRate: 5, hiddenInputs: .firstOrder)(W, input: X, .classification(labels: labels))
        #expect(abs(exact.records[0].squaredGradientNorm - first.records[0].squaredGradientNorm) < 1e-12)
        #expect(abs(exact.records[1].squaredGradientNorm - first.records[1].squaredGradientNorm)
                > 1e-6 * exact.records[1].squaredGradientNorm)
        #expect(relativeError(exact.weights[1], first.weights[1]) > 1e-6, "\(relativeError(exact.weights[1], first.weights[1]))")
    }

    @Test func hiddenInputsAreUpdatedToFirstOrder() {
        let (W, X, labels) = Self.problem(dims: [5, 4, 3, 3], batch: 8, seed: 8)
        let teleport = GradientNormTeleport(steps: 2, learningRate: 0.05, hiddenInputs: .firstOrder)
        let h0 = hiddenInputs(W, input: X)
        let step0 = GradientNormTeleport.ascentDirection(W, input: X, .classification(labels: labels), hidden: h0)
        let T0 = step0.direction.map { $0 * 0.05 }
        let W1 = transformPairs(W.map { Variable($0) }, hidden: h0.map { Variable($0) },
                                by: T0.map { Variable(Matrix<Double>.identity($0.rows) + $0) }).map(\.value)
        let h1 = firstOrderHiddenUpdate(h0, T: T0)
        #expect(relativeError(h1[1], matmul(Matrix<Double>.identity(4) + T0[0], h0[1])) < 1e-14)
        #expect(relativeError(h1[0], X) == 0)
        let step1 = GradientNormTeleport.ascentDirection(W1, input: X, .classification(labels: labels), hidden: h1)
        let W2 = transformPairs(W1.map { Variable($0) }, hidden: h1.map { Variable($0) },
                                by: step1.direction.map { Variable(Matrix<Double>.identity($0.rows) + $0 * 0.05) }).map(\.value)
        let result = teleport(W, input: X, .classification(labels: labels))
        #expect(result.records.count == 2)
        #expect(zip(result.weights, W2).allSatisfy { relativeError($0, $1) < 1e-12 })
        // The held hidden input is not the exact one after a step (the defect is real).
        #expect(relativeError(h1[1], hiddenInputs(W1, input: X)[1]) > 1e-6)
    }
}

/// The published sharpness teleport: the sum over 9 radii divided by 10, first-order hidden inputs.
@Suite struct PublishedSharpnessTeleportTests {
    @Test func publishedMeanIsNineTenthsOfTheTrueMean() {
        let (W, X, labels) = PublishedTeleportTests.problem(dims: [5, 4, 3, 3], batch: 8, seed: 12)
        var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 1)
        let corrected = SharpnessTeleport(steps: 1, learningRate: 0.05, direction: .increase, directionsPerRadius: 3)
        let published = SharpnessTeleport.published(steps: 1, learningRate: 0.05, direction: .increase, directionsPerRadius: 3)
        #expect(published.radii.count == 9 && published.radiusDivisor == 10 && published.hiddenInputs == .firstOrder)
        let c = corrected(W, input: X, .classification(labels: labels), using: &a)
        let p = published(W, input: X, .classification(labels: labels), using: &b)
        #expect(abs(p.records[0].meanPerturbedLoss - 0.9 * c.records[0].meanPerturbedLoss) < 1e-12)
    }

    @Test func firstOrderHiddenInputsChangeTheWeightsOnlyWithSeveralPairs() {
        for (dims, differ) in [([5, 4, 3], false), ([5, 4, 3, 3], true)] {
            let (W, X, labels) = PublishedTeleportTests.problem(dims: dims, batch: 8, seed: 13)
            var a = SeededGenerator(seed: 2), b = SeededGenerator(seed: 2)
            let exact = SharpnessTeleport(steps: 2, learningRate: 5, direction: .increase, directionsPerRadius: 2)
            var first = exact
            first.hiddenInputs = .firstOrder
            let e = exact(W, input: X, .classification(labels: labels), using: &a)
            let f = first(W, input: X, .classification(labels: labels), using: &b)
            let difference = relativeError(e.weights[1], f.weights[1])
            #expect(differ ? difference > 1e-6 : difference < 1e-12, "\(dims): \(difference)")
        }
    }
}
