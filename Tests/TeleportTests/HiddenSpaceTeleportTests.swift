import Testing
import TestSupport
import Autodiff
@testable import Teleport
@testable import Model

/// The hidden-space formulation of gradient-norm teleport (`FirstLayerInHiddenSpace`) against
/// the general one, on the same inputs: the same directions, records and weights up to
/// rounding (Float64: relative 1e-9 after three steps; Float32: 1e-3).
@Suite struct HiddenSpaceTeleportTests {
    /// Batches smaller than the input use the Gram matrix, larger ones the product D X^T.
    @Test(arguments: [([30, 6, 5, 4], 12), ([5, 6, 5, 4], 12), ([20, 8, 3], 8)])
    func sameDirectionAsTheGeneralPath(dims: [Int], batch: Int) {
        let (W, X, labels) = PublishedTeleportTests.problem(dims: dims, batch: batch, seed: 7)
        let layer = FirstLayerInHiddenSpace(W[0], input: X)
        #expect((layer.gram != nil) == (batch < dims[0]))
        for objective in [Objective<Double>.classification(labels: labels),
                          .regression(target: Matrix(rows: dims.last!, cols: batch) { i, j in Double(i + j) / 10 })] {
            let general = GradientNormTeleport.ascentDirection(W, input: X, objective)
            let hidden = GradientNormTeleport.ascentDirection(reduced: layer.reduced(W), layer, objective)
            #expect(relativeError(hidden.loss, general.loss) < 1e-12)
            #expect(relativeError(hidden.squaredGradientNorm, general.squaredGradientNorm) < 1e-12)
            #expect(relativeError(hidden.direction, general.direction) < 1e-10)
        }
    }

    /// The hidden-space autodiff and the closed-form tangent (`TangentTeleportTests`) alike.
    @Test(arguments: [HiddenInputs.exact, .firstOrder], [GradientNormTeleport.Formulation.hiddenSpace, .tangent])
    func sameTeleportAsTheGeneralPath(hiddenInputs: HiddenInputs, formulation: GradientNormTeleport.Formulation) {
        let (W, X, labels) = PublishedTeleportTests.problem(dims: [40, 8, 6, 4], batch: 16, seed: 11)
        let objective = Objective<Double>.classification(labels: labels)
        func run(_ formulation: GradientNormTeleport.Formulation) -> (weights: [Matrix<Double>], records: [GradientNormTeleport.Record]) {
            GradientNormTeleport(steps: 3, learningRate: 0.5, cap: .infinity, hiddenInputs: hiddenInputs,
                                 formulation: formulation)(W, input: X, objective)
        }
        let general = run(.general), hidden = run(formulation)
        #expect(relativeError(general.weights, W) > 1e-3, "the teleport moves the weights")
        #expect(relativeError(hidden.weights, general.weights) < 1e-9)
        #expect(hidden.records.count == general.records.count)
        for (h, g) in zip(hidden.records, general.records) {
            #expect(relativeError(h.loss, g.loss) < 1e-10)
            #expect(relativeError(h.squaredGradientNorm, g.squaredGradientNorm) < 1e-9)
        }
    }

    @Test func float32AgreesWithFloat64() {
        let (W, X, labels) = PublishedTeleportTests.problem(dims: [50, 8, 6, 4], batch: 20, seed: 5)
        let teleport = GradientNormTeleport(steps: 3, learningRate: 0.5, cap: .infinity)
        let reference = teleport(W, input: X, .classification(labels: labels))
        let single = teleport(W.map { Matrix<Float>($0) }, input: Matrix<Float>(X), .classification(labels: labels))
        #expect(relativeError(single.weights.map { Matrix<Double>($0) }, reference.weights) < 1e-3)
    }

    /// The cap stops both formulations at the same step.
    @Test func capStopsAtTheSameStep() {
        let (W, X, labels) = PublishedTeleportTests.problem(dims: [30, 6, 5, 4], batch: 12, seed: 3)
        let objective = Objective<Double>.classification(labels: labels)
        let f0 = GradientNormTeleport.ascentDirection(W, input: X, objective).squaredGradientNorm
        let capped = { (formulation: GradientNormTeleport.Formulation) in
            GradientNormTeleport(steps: 5, learningRate: 0.5, cap: f0 / 2, formulation: formulation)(W, input: X, objective)
        }
        let general = capped(.general), hidden = capped(.hiddenSpace)
        #expect(general.records.count == 1 && hidden.records.count == 1)
        #expect(relativeError(hidden.weights, W) == 0 && relativeError(general.weights, W) == 0)
    }
}

/// In Float32 on MNIST, the hidden-space teleports (double backpropagation, and the closed-form
/// tangent the experiments use) are as accurate as the general one: all three are compared
/// with the Float64 general teleport from the same start (their errors are printed).
@Suite(.requires(.imageData))
struct HiddenSpaceTeleportAccuracyOnMNIST {
    @Test func float32ErrorNoLargerThanTheGeneralPath() throws {
        let (W, X, labels) = try TeleportOnMNIST.checkpoint()
        let objective = Objective<Float>.classification(labels: labels)
        func run<S: BLASScalar>(_ W: [Matrix<S>], _ X: Matrix<S>, _ o: Objective<S>,
                                _ f: GradientNormTeleport.Formulation) -> [Matrix<Double>] {
            GradientNormTeleport(steps: 10, learningRate: 1e-3, cap: .infinity, formulation: f)(W, input: X, o)
                .weights.map { Matrix<Double>($0) }
        }
        let reference = run(W.map { Matrix<Double>($0) }, Matrix<Double>(X),
                            .classification(labels: labels), .general)
        let general = relativeError(run(W, X, objective, .general), reference)
        let hidden = relativeError(run(W, X, objective, .hiddenSpace), reference)
        let tangent = relativeError(run(W, X, objective, .tangent), reference)
        print("Float32 teleport on MNIST, relative error against Float64: general \(general), hidden space \(hidden), tangent \(tangent)")
        #expect(relativeError(reference, W.map { Matrix<Double>($0) }) > 1e-4, "the teleport moves the weights")
        #expect(hidden < 1e-4 && hidden < 2 * general + 1e-6, "Float32 errors: hidden space \(hidden), general \(general)")
        #expect(tangent < 1e-4 && tangent < 2 * general + 1e-6, "Float32 errors: tangent \(tangent), general \(general)")
    }
}
