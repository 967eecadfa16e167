import Foundation
import Testing
import TestSupport
import Autodiff
@testable import Teleport
@testable import MetaLearning
@testable import Model

/// A tiny Result 5 configuration: X 3x5, W 4x3, 3x4, 2x3 (two layer pairs).
let tinyProblem = RegressionProblem<Double>(dimensions: [5, 3, 4, 3, 2], seed: 11)

func tinyRateTeleport(seed: UInt64 = 1) -> LSTMRateTeleport<Double> {
    LSTMRateTeleport(weightShapes: tinyProblem.weightShapes, hiddenSize: 5, seed: seed)
}
func tinyUpdate(seed: UInt64 = 1) -> LSTMUpdate<Double> {
    LSTMUpdate(weightShapes: tinyProblem.weightShapes, hiddenSize: 6, seed: seed)
}
func tinyUpdateTeleport(seed: UInt64 = 1) -> LSTMUpdateTeleport<Double> {
    LSTMUpdateTeleport(weightShapes: tinyProblem.weightShapes, updateHiddenSize: 6, teleportHiddenSize: 5, seed: seed)
}

/// The unrolled loss of `steps` meta steps from the problem's initial weights.
func unrolledLoss<O: MetaOptimizer>(_ optimizer: O, steps: Int, replaying: [[Matrix<Double>]]? = nil)
    -> (loss: Variable<Double>, gradients: [[Matrix<Double>]]) where O.Scalar == Double {
    let r = MetaTrainer(optimizer: optimizer, unrollLength: steps)
        .unrolledLoss(tinyProblem, weights: tinyProblem.initialWeights, state: optimizer.initialState(),
                      replaying: replaying)
    return (r.loss, r.gradients)
}

/// d(unrolled loss)/d(entry k of parameter i): (analytic, five-point central difference). The
/// finite differences replay the base gradients of the unperturbed unroll, which backpropagation
/// treats as constants.
func unrolledDerivative<O: MetaOptimizer>(_ optimizer: O, parameter i: Int, entry k: Int, steps: Int = 3,
                                          h: Double = 1e-3) -> (analytic: Double, numeric: Double)
    where O.Scalar == Double {
    let base = unrolledLoss(optimizer, steps: steps)
    let analytic = grad(of: base.loss, wrt: [optimizer.parameters[i]])[0].value.scalars[k]
    func shifted(_ delta: Double) -> Double {
        var o = optimizer
        var values = o.parameterValues
        values[i].scalars[k] += delta
        o.parameterValues = values
        return unrolledLoss(o, steps: steps, replaying: base.gradients).loss.scalar
    }
    return (analytic, (8 * (shifted(h) - shifted(-h)) - (shifted(2 * h) - shifted(-2 * h))) / (12 * h))
}

func index<O: MetaOptimizer>(of name: String, in optimizer: O) -> Int {
    optimizer.parameterNames.firstIndex(of: name)!
}

@Suite struct MetaOptimizerShapeTests {
    @Test func teleportLSTMOutputs() {
        let o = tinyRateTeleport()
        #expect(o.teleport.count == 2)
        let G = lossAndGradient(tinyProblem.initialWeights, tinyProblem.X, tinyProblem.objective).gradient
        let out = o.teleport[0](dLdU: G[1], dLdV: G[0], o.teleport[0].trunk.zeroState())
        #expect(out.T.shape == (4, 4))
        #expect(out.stepSize!.shape == (1, 1))
        #expect(out.state.count == 2 && out.state.allSatisfy { $0.h.shape == (1, 5) && $0.c.shape == (1, 5) })
        #expect(o.teleport[1](dLdU: G[2], dLdV: G[1], o.teleport[1].trunk.zeroState()).T.shape == (3, 3))
        #expect(o.teleport[0].trunk.lower.inputSize == 12 + 12)
        #expect(o.teleport[1].trunk.lower.inputSize == 6 + 12)
    }

    @Test func updateLSTMOutputs() {
        let o = tinyUpdate()
        let G = lossAndGradient(tinyProblem.initialWeights, tinyProblem.X, tinyProblem.objective).gradient
        let out = o.update(gradients: G, o.update.trunk.zeroState())
        #expect(out.update.shape == (1, 30))
        #expect(o.update.trunk.lower.inputSize == 30)
    }

    @Test func stepsKeepShapesForEveryMethod() {
        func check<O: MetaOptimizer>(_ o: O) where O.Scalar == Double {
            var W = tinyProblem.initialWeights.map { Variable($0) }
            var state = o.initialState()
            for _ in 0..<3 {
                let s = o.step(W, problem: tinyProblem, state: state)
                #expect(zip(s.weights, tinyProblem.initialWeights).allSatisfy { $0.shape == $1.shape })
                #expect(s.weights.allSatisfy { $0.value.isFinite } && s.loss.shape == (1, 1))
                W = s.weights; state = s.state
            }
            #expect(o.parameterNames.count == o.parameters.count)
            #expect(o.parameterRoles.count == o.parameters.count)
        }
        check(tinyRateTeleport()); check(tinyUpdate()); check(tinyUpdateTeleport())
    }

    /// With a zero step size the step of LSTM(lr,tele) is the teleport alone, with each
    /// pair's T rescaled to Frobenius norm 0.01.
    @Test func stepIsDescentThenRescaledTeleport() {
        var o = tinyRateTeleport()
        o.initialStepSize = 0
        let W = tinyProblem.initialWeights
        let G = lossAndGradient(W, tinyProblem.X, tinyProblem.objective).gradient
        let s = o.step(W.map { Variable($0) }, problem: tinyProblem, state: o.initialState())
        let T = (0..<2).map { m in o.teleport[m](dLdU: G[m + 1], dLdV: G[m], o.teleport[m].trunk.zeroState()).T }
        let expected = lieAlgebraTeleport(W, input: tinyProblem.X, T: T.map(\.value), magnitude: 0.01)
        #expect(relativeError(s.weights.map(\.value), expected) < 1e-12)
        #expect(relativeError(s.weights.map(\.value), W) > 1e-6)
        #expect(abs(rescaled(T[0], toFrobeniusNorm: 0.01).frobeniusNorm().scalar - 0.01) < 1e-15)
    }

    @Test func publishedSizesForResult5() {
        let shapes = RegressionProblem<Float>(dimensions: [20, 20, 20, 20], seed: 0).weightShapes
        let a = LSTMRateTeleport<Float>(weightShapes: shapes, seed: 0)
        #expect(a.teleport.count == 1 && a.teleport[0].trunk.hiddenSize == 20 && a.teleport[0].trunk.lower.inputSize == 800)
        #expect(a.teleport[0].groupHead.outputSize == 400)
        let b = LSTMUpdate<Float>(weightShapes: shapes, seed: 0)
        #expect(b.update.trunk.hiddenSize == 300 && b.update.head.outputSize == 800)
        let c = LSTMUpdateTeleport<Float>(weightShapes: shapes, seed: 0)
        #expect(c.teleport[0].stepSizeHead == nil && c.teleport[0].trunk.hiddenSize == 300)
    }
}

@Suite struct MetaOptimizerDeterminismTests {
    @Test func sameSeedSameParametersAndTrajectory() {
        #expect(tinyUpdateTeleport(seed: 7).parameterValues == tinyUpdateTeleport(seed: 7).parameterValues)
        #expect(tinyUpdateTeleport(seed: 7).parameterValues != tinyUpdateTeleport(seed: 8).parameterValues)
        #expect(tinyRateTeleport(seed: 3).run(on: tinyProblem, steps: 5).losses
                == tinyRateTeleport(seed: 3).run(on: tinyProblem, steps: 5).losses)
        #expect(RegressionProblem<Double>(dimensions: [5, 3, 4, 2], seed: 1).X
                == RegressionProblem<Double>(dimensions: [5, 3, 4, 2], seed: 1).X)
    }

    @Test func problemEntriesAreUniformOnUnitInterval() {
        let p = RegressionProblem<Double>(dimensions: [20, 20, 20, 20], seed: 9)
        #expect(p.X.shape == (20, 20) && p.Y.shape == (20, 20) && p.initialWeights.count == 2)
        let all = p.X.scalars + p.Y.scalars + p.initialWeights.flatMap(\.scalars)
        #expect(all.allSatisfy { $0 >= 0 && $0 < 1 })
    }
}

@Suite struct MetaOptimizerFileTests {
    func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("meta-\(UUID().uuidString).json")
    }

    @Test func saveLoadRoundTrip() throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let saved = tinyUpdateTeleport(seed: 1)
        try saved.save(to: url)
        var loaded = tinyUpdateTeleport(seed: 2)
        #expect(loaded.parameterValues != saved.parameterValues)
        try loaded.load(from: url)
        #expect(loaded.parameterValues == saved.parameterValues)
        // Overwriting an existing file works and leaves no temporary file behind.
        try loaded.save(to: url)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0.hasPrefix(".\(url.lastPathComponent)") }
        #expect(leftovers.isEmpty)
        let file = try JSONDecoder().decode(MetaOptimizerFile.self, from: Data(contentsOf: url))
        #expect(file.method == "LSTM(update,tele)" && file.parameters[0].name == "update.lstm1.weight_ih")
    }

    @Test func floatRoundTripIsExact() throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let shapes = tinyProblem.weightShapes
        let saved = LSTMRateTeleport<Float>(weightShapes: shapes, hiddenSize: 5, seed: 4)
        try saved.save(to: url)
        var loaded = LSTMRateTeleport<Float>(weightShapes: shapes, hiddenSize: 5, seed: 5)
        try loaded.load(from: url)
        #expect(loaded.parameterValues == saved.parameterValues)
    }

    @Test func loadRejectsAnotherMethod() throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try tinyUpdate().save(to: url)
        var other = tinyRateTeleport()
        #expect(throws: MetaOptimizerFile.LoadError.self) { try other.load(from: url) }
    }

    /// A damaged file is rejected, never half-loaded: truncated (not JSON any more) or with a
    /// parameter of the wrong size, the optimiser keeps its parameters. (The harness keeps
    /// meta-trained optimisers as cache files, which it recomputes when unreadable.)
    @Test func loadRejectsTruncatedAndResizedFiles() throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try tinyUpdateTeleport(seed: 1).save(to: url)
        let whole = try Data(contentsOf: url)
        var target = tinyUpdateTeleport(seed: 2)
        let before = target.parameterValues
        try whole.prefix(whole.count * 2 / 3).write(to: url)
        #expect(throws: DecodingError.self) { try target.load(from: url) }
        #expect(target.parameterValues == before)
        var file = try JSONDecoder().decode(MetaOptimizerFile.self, from: whole)
        file.parameters[1].values.removeLast()
        #expect(throws: MetaOptimizerFile.LoadError.self) { try target.load(file) }
        #expect(target.parameterValues == before)
    }
}

@Suite struct MetaOptimizerClampingTests {
    @Test func stepSizeIsClamped() {
        var o = tinyRateTeleport()
        let G = lossAndGradient(tinyProblem.initialWeights, tinyProblem.X, tinyProblem.objective).gradient
        func stepSize(bias: Double) -> Double {
            var head = o.teleport[0].stepSizeHead!
            head.parameterValues = [head.weight.value * 0, Matrix.scalar(bias)]
            o.teleport[0].stepSizeHead = head
            return o.teleport[0](dLdU: G[1], dLdV: G[0], o.teleport[0].trunk.zeroState()).stepSize!.scalar
        }
        #expect(stepSize(bias: 10) == 5e-3)
        #expect(stepSize(bias: -10) == 1e-7)
        #expect(stepSize(bias: 1e-3) == 1e-3)
    }

    @Test func updateIsClamped() {
        var o = tinyUpdate()
        var values = o.parameterValues
        let b = values.count - 1
        values[b] = Matrix(rows: 1, cols: 30, scalars: (0..<30).map { $0 % 3 == 0 ? 1e9 : ($0 % 3 == 1 ? -1e9 : 0.5) })
        values[b - 1] = values[b - 1] * 0
        o.parameterValues = values
        let G = lossAndGradient(tinyProblem.initialWeights, tinyProblem.X, tinyProblem.objective).gradient
        let update = o.update(gradients: G, o.update.trunk.zeroState()).update.value.scalars
        #expect(update[0] == 1e7 && update[1] == -1e7 && update[2] == 0.5)
    }
}

@Suite struct MetaOptimizerGradientTests {
    func expectClose(_ r: (analytic: Double, numeric: Double), _ what: String) {
        let error = abs(r.analytic - r.numeric) / max(abs(r.numeric), 1e-6)
        #expect(error < 1e-5, "\(what): analytic \(r.analytic), numeric \(r.numeric)")
        #expect(r.analytic != 0, "\(what) has a zero derivative")
    }

    @Test func rateTeleportUnrolledLossDerivative() {
        var o = tinyRateTeleport()
        // Keep the learned step size inside its clamp range, so that its head gets gradients.
        var head = o.teleport[0].stepSizeHead!
        head.parameterValues = [head.weight.value * 1e-3, Matrix.scalar(2e-3)]
        o.teleport[0].stepSizeHead = head
        expectClose(unrolledDerivative(o, parameter: index(of: "teleport0.linear2.weight", in: o), entry: 1), "linear2.weight")
        expectClose(unrolledDerivative(o, parameter: index(of: "teleport0.linear1.weight", in: o), entry: 3), "linear1.weight")
        expectClose(unrolledDerivative(o, parameter: index(of: "teleport1.lstm1.weight_ih", in: o), entry: 5), "lstm1.weight_ih")
    }

    @Test func updateUnrolledLossDerivative() {
        let o = tinyUpdate()
        expectClose(unrolledDerivative(o, parameter: index(of: "update.lstm1.weight_ih", in: o), entry: 7), "lstm1.weight_ih")
        expectClose(unrolledDerivative(o, parameter: index(of: "update.linear.bias", in: o), entry: 2), "linear.bias")
    }

    @Test func updateTeleportUnrolledLossDerivative() {
        let o = tinyUpdateTeleport()
        expectClose(unrolledDerivative(o, parameter: index(of: "update.lstm2.weight_hh", in: o), entry: 4), "update lstm2.weight_hh")
        expectClose(unrolledDerivative(o, parameter: index(of: "teleport0.linear1.weight", in: o), entry: 2), "teleport linear1.weight")
        expectClose(unrolledDerivative(o, parameter: index(of: "teleport1.lstm2.bias_ih", in: o), entry: 1), "teleport lstm2.bias_ih")
    }
}

@Suite struct MetaTrainerTests {
    /// Repeated meta-training on the first unroll of one fixed problem lowers that unroll's loss.
    func trainedUnroll<O: MetaOptimizer>(_ optimizer: O, iterations: Int, learningRate: Double)
        -> (before: Double, after: Double) where O.Scalar == Double {
        var trainer = MetaTrainer(optimizer: optimizer, unrollLength: 5,
                                  updateLearningRate: learningRate, teleportLearningRate: learningRate)
        var first = 0.0
        for i in 0..<iterations {
            var W = tinyProblem.initialWeights
            var state = trainer.optimizer.initialState()
            let L = trainer.trainUnroll(tinyProblem, weights: &W, state: &state)
            if i == 0 { first = L }
        }
        let last = trainer.unrolledLoss(tinyProblem, weights: tinyProblem.initialWeights,
                                        state: trainer.optimizer.initialState()).loss.scalar
        return (first, last)
    }

    @Test func updateLSTMLearns() {
        let r = trainedUnroll(tinyUpdate(), iterations: 20, learningRate: 1e-2)
        #expect(r.after < 0.9 * r.before, "\(r)")
    }

    @Test func updateTeleportLSTMLearns() {
        let r = trainedUnroll(tinyUpdateTeleport(), iterations: 20, learningRate: 1e-2)
        #expect(r.after < 0.9 * r.before, "\(r)")
    }

    @Test func rateTeleportLSTMLearns() {
        let r = trainedUnroll(tinyRateTeleport(), iterations: 20, learningRate: 1e-2)
        #expect(r.after < r.before, "\(r)")
    }

    @Test func trajectoryTrainingAdvancesTheWeights() {
        var trainer = MetaTrainer(optimizer: tinyUpdate(), unrollLength: 4)
        let losses = trainer.train(on: tinyProblem, steps: 12)
        #expect(losses.count == 3 && losses.allSatisfy(\.isFinite))
        #expect(trainer.adam.stepCount == 3)
    }
}
