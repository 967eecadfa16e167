import Testing
import TestSupport
import Autodiff
@testable import Teleport
@testable import MetaLearning
@testable import Model

@Suite(.requires(.golden("meta_teleport.json")))
struct MetaTeleportGoldenTests {
    let g: Golden
    let objective: Objective<Double>, W: [Matrix<Double>], X: Matrix<Double>

    init() throws {
        g = try Golden.load("meta_teleport.json")
        objective = .regression(target: try g.mat("Y"))
        W = try g.mats("W")
        X = try g.mat("X")
    }

    @Test func lossBefore() throws {
        let L = loss(W.map { Variable($0) }, Variable(X), objective).scalar
        #expect(try relativeError(L, g.double("loss")) < 1e-12)
    }

    @Test func teleportWithRescaledT() throws {
        let W = lieAlgebraTeleport(self.W, input: X, T: try g.mats("T"), magnitude: try g.double("T_magnitude"))
        let error = relativeError(W, try g.mats("teleport_with_T/W_out"))
        #expect(error < 1e-9, "max relative error \(error)")
        let L = loss(W.map { Variable($0) }, Variable(X), objective).scalar
        #expect(try relativeError(L, g.double("teleport_with_T/loss_after")) < 1e-9)
    }

    @Test func gradientAscent() throws {
        let ascent = LieAlgebraGradientAscent(steps: Int(try g.double("gradient_ascent/steps")),
                                              learningRate: try g.double("gradient_ascent/lr_teleport"))
        let W = ascent(self.W, input: X, objective)
        let error = relativeError(W, try g.mats("gradient_ascent/W_out"))
        #expect(error < 1e-9, "max relative error \(error)")
        let L = loss(W.map { Variable($0) }, Variable(X), objective).scalar
        #expect(try relativeError(L, g.double("gradient_ascent/loss_after")) < 1e-9)
    }
}

@Suite struct MetaTeleportActionTests {
    /// With T = 0 and a layer input of full row rank the action leaves the weights unchanged.
    @Test func zeroTIsIdentity() {
        let problem = RegressionProblem<Double>(dimensions: [6, 4, 4, 3], seed: 3)
        let T = [Matrix<Double>.zeros(4, 4)]
        let W = lieAlgebraTeleport(problem.initialWeights, input: problem.X, T: T)
        #expect(relativeError(W, problem.initialWeights) < 1e-12)
    }

    /// Rescaling gives the requested Frobenius norm and the loss moves only to second order.
    @Test func rescaledTeleportPreservesLossToFirstOrder() {
        let problem = RegressionProblem<Double>(dimensions: [6, 4, 4, 3], seed: 4)
        var rng = SeededGenerator(seed: 5)
        let T = Matrix<Double>.uniform(4, 4, low: -1, high: 1, using: &rng)
        #expect(abs(rescaled(Variable(T), toFrobeniusNorm: 0.01).value.dot(rescaled(Variable(T), toFrobeniusNorm: 0.01).value) - 1e-4) < 1e-16)
        let L0 = problem.loss(problem.initialWeights)
        let d1 = abs(problem.loss(lieAlgebraTeleport(problem.initialWeights, input: problem.X, T: [T], magnitude: 1e-2)) - L0)
        let d2 = abs(problem.loss(lieAlgebraTeleport(problem.initialWeights, input: problem.X, T: [T], magnitude: 1e-3)) - L0)
        #expect(d2 < d1 / 50)
    }
}
