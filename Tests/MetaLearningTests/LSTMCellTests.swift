import Testing
import TestSupport
import Autodiff
@testable import Teleport
@testable import MetaLearning
@testable import Model

@Suite(.requires(.golden("lstm_cell.json")))
struct LSTMCellGoldenTests {
    let g: Golden, cell: LSTMCell<Double>, state: LSTMState<Double>

    init() throws {
        g = try Golden.load("lstm_cell.json")
        cell = LSTMCell(weightIH: try g.mat("weight_ih"), weightHH: try g.mat("weight_hh"),
                        biasIH: try Self.row(g, "bias_ih"), biasHH: try Self.row(g, "bias_hh"))
        state = LSTMState(h: Variable(try g.mat("h0")), c: Variable(try g.mat("c0")))
    }

    static func row(_ g: Golden, _ path: String) throws -> Matrix<Double> {
        let v = try g.vector(path)
        return Matrix(rows: 1, cols: v.count, scalars: v)
    }

    @Test func forwardMatchesPyTorch() throws {
        let out = cell(Variable(try g.mat("x")), state)
        #expect(try relativeError(out.h.value, g.mat("h1")) < 1e-12)
        #expect(try relativeError(out.c.value, g.mat("c1")) < 1e-12)
    }

    /// probe_loss = sum(h1 * [[0..4],[5..9]]) + sum(c1^2) and its gradients.
    @Test func probeGradientsMatchPyTorch() throws {
        let x = Variable(try g.mat("x"), requiresGrad: true)
        let out = cell(x, state)
        let weights = Matrix<Double>(rows: 2, cols: 5, scalars: (0..<10).map(Double.init))
        let probe = (out.h * Variable(weights)).sum() + out.c.squaredNorm()
        #expect(try relativeError(probe.scalar, g.double("probe_loss")) < 1e-12)
        let grads = grad(of: probe, wrt: cell.parameters + [x]).map(\.value)
        #expect(try relativeError(grads[0], g.mat("probe_grad/weight_ih")) < 1e-9)
        #expect(try relativeError(grads[1], g.mat("probe_grad/weight_hh")) < 1e-9)
        #expect(try relativeError(grads[2], Self.row(g, "probe_grad/bias_ih")) < 1e-9)
        #expect(try relativeError(grads[3], Self.row(g, "probe_grad/bias_hh")) < 1e-9)
        #expect(try relativeError(grads[4], g.mat("probe_grad/x")) < 1e-9)
    }
}

@Suite struct LSTMCellTests {
    @Test func pytorchInitialisationBoundsAndShapes() {
        var rng = SeededGenerator(seed: 1)
        let cell = LSTMCell<Double>(inputSize: 7, hiddenSize: 16, generator: &rng)
        #expect(cell.weightIH.shape == (64, 7))
        #expect(cell.weightHH.shape == (64, 16))
        #expect(cell.biasIH.shape == (1, 64) && cell.biasHH.shape == (1, 64))
        #expect(cell.parameterValues.allSatisfy { $0.scalars.allSatisfy { abs($0) <= 0.25 } })
        let linear = Linear<Double>(inputSize: 4, outputSize: 3, generator: &rng)
        #expect(linear.weight.shape == (3, 4) && linear.bias.shape == (1, 3))
        #expect(linear.parameterValues.allSatisfy { $0.scalars.allSatisfy { abs($0) <= 0.5 } })
        let y = linear(Variable(Matrix<Double>.ones(2, 4)))
        #expect(y.shape == (2, 3))
    }

    @Test func gradientsMatchFiniteDifferences() {
        var rng = SeededGenerator(seed: 2)
        let cell = LSTMCell<Double>(inputSize: 3, hiddenSize: 4, generator: &rng)
        let x = Matrix<Double>.uniform(2, 3, low: -1, high: 1, using: &rng)
        let h0 = Matrix<Double>.uniform(2, 4, low: -1, high: 1, using: &rng)
        let c0 = Matrix<Double>.uniform(2, 4, low: -1, high: 1, using: &rng)
        func probe(_ cell: LSTMCell<Double>, _ x: Variable<Double>, _ h0: Variable<Double>,
                   _ c0: Variable<Double>) -> Variable<Double> {
            let s = cell(x, LSTMState(h: h0, c: c0))
            return s.h.sum() + s.c.squaredNorm()
        }
        let leaves = [x, h0, c0].map { Variable($0, requiresGrad: true) }
        let analytic = grad(of: probe(cell, leaves[0], leaves[1], leaves[2]),
                            wrt: cell.parameters + leaves).map(\.value)
        let numeric = numericalGradient(at: cell.parameterValues + [x, h0, c0]) { v in
            let c = LSTMCell(weightIH: v[0].value, weightHH: v[1].value, biasIH: v[2].value, biasHH: v[3].value)
            return probe(c, v[4], v[5], v[6])
        }
        #expect(relativeError(analytic, numeric) < 1e-8)
    }
}
