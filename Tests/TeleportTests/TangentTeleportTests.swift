import Testing
import TestSupport
import Autodiff
@testable import Teleport
@testable import Model

/// The closed-form tangent of the action (`tangentAscentDirection`) against the double
/// backpropagation through the action, on the same inputs: the same directions up to rounding
/// (Float64: relative 1e-9), with exact and held hidden inputs (whole teleports:
/// `HiddenSpaceTeleportTests.sameTeleportAsTheGeneralPath`); and the fallback where a pair's
/// output has more rows than the batch.
@Suite struct TangentTeleportTests {
    /// Batches smaller than the input use the Gram matrix, larger ones the product D X^T; four
    /// and three layers; classification and regression.
    @Test(arguments: [([30, 6, 5, 4], 12), ([5, 6, 5, 4], 12), ([20, 8, 3], 8), ([40, 8, 6, 4], 16)])
    func sameDirectionAsTheAutodiff(dims: [Int], batch: Int) throws {
        let (W, X, labels) = PublishedTeleportTests.problem(dims: dims, batch: batch, seed: 7)
        let layer = FirstLayerInHiddenSpace(W[0], input: X)
        let reduced = layer.reduced(W)
        for objective in [Objective<Double>.classification(labels: labels),
                          .regression(target: Matrix(rows: dims.last!, cols: batch) { i, j in Double(i + j) / 10 })] {
            for held in [false, true] {
                // Held hidden inputs that differ from the exact ones, as after a few published steps.
                let hidden: [Matrix<Double>]? = held
                    ? Teleport.hiddenInputs(reduced, input: layer.Z).enumerated().map { m, h in m == 0 ? h : h * 1.1 + 0.01 }
                    : nil
                let autodiff = GradientNormTeleport.ascentDirection(reduced: reduced, layer, objective, hidden: hidden)
                let tangent = try #require(GradientNormTeleport.tangentAscentDirection(reduced: reduced, layer, objective,
                                                                                       hidden: hidden))
                #expect(relativeError(tangent.loss, autodiff.loss) < 1e-12)
                #expect(relativeError(tangent.squaredGradientNorm, autodiff.squaredGradientNorm) < 1e-12)
                #expect(relativeError(tangent.direction, autodiff.direction) < 1e-9, "held \(held)")
                #expect(autodiff.direction.allSatisfy { $0.squaredNorm() > 0 })
            }
        }
    }

    /// A hidden layer wider than the batch: Y pinv(Y) is a projector, not I, so the closed form
    /// does not apply and the teleport takes the autodiff's steps.
    @Test func widerThanTheBatchFallsBackToTheAutodiff() {
        let (W, X, labels) = PublishedTeleportTests.problem(dims: [30, 10, 5, 4], batch: 8, seed: 3)
        let objective = Objective<Double>.classification(labels: labels)
        let layer = FirstLayerInHiddenSpace(W[0], input: X)
        #expect(GradientNormTeleport.tangentAscentDirection(reduced: layer.reduced(W), layer, objective) == nil)
        let steps = { (f: GradientNormTeleport.Formulation) in
            GradientNormTeleport(steps: 2, learningRate: 0.5, cap: .infinity, formulation: f)(W, input: X, objective)
        }
        #expect(steps(.tangent).weights == steps(.hiddenSpace).weights)
    }
}

/// The Hessian product written out by hand against the autodiff's double backward through the
/// same loss: gradient and H v agree to rounding (Float64, relative 1e-12) for both objectives.
@Suite struct HessianProductTests {
    @Test(arguments: [[12, 6, 5, 4], [9, 7, 3], [8, 5, 6, 4, 3]])
    func matchesTheDoubleBackward(dims: [Int]) {
        let batch = 10
        let (W, X, labels) = PublishedTeleportTests.problem(dims: dims, batch: batch, seed: 17)
        let Z = matmul(W[0], X)
        var rng = SeededGenerator(seed: 4)
        let v = [Matrix<Double>(rows: Z.rows, cols: Z.cols) { _, _ in rng.uniform(-1, 1) }]
            + W.dropFirst().map { w in Matrix<Double>(rows: w.rows, cols: w.cols) { _, _ in rng.uniform(-1, 1) } }
        for objective in [Objective<Double>.classification(labels: labels),
                          .regression(target: Matrix(rows: dims.last!, cols: batch) { i, j in Double(i * j) / 7 })] {
            let byHand = lossGradientAndHessianProduct(firstPreactivation: Z, later: W.dropFirst(), objective) { _ in v }
            let z = Variable(Z, requiresGrad: true), later = W.dropFirst().map { Variable($0, requiresGrad: true) }
            let L = loss(firstPreactivation: z, later: later[...], objective)
            let t = grad(of: L, wrt: [z] + later, createGraph: true)
            let Hv = grad(of: sum(zip(t, v).map { $0.dot(Variable($1)) }), wrt: [z] + later).map(\.value)
            #expect(relativeError(byHand.loss, L.scalar) < 1e-14)
            #expect(relativeError(byHand.gradient, t.map(\.value)) < 1e-12)
            #expect(relativeError(byHand.hessianProduct, Hv) < 1e-12)
            #expect(Hv.allSatisfy { $0.squaredNorm() > 0 })
        }
    }
}
