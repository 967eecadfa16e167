import Testing
import TestSupport
import Tensor
@testable import MetaLearning

/// The meta-optimisers' Adam against PyTorch's Adam trajectory (golden/optimizers.json, run
/// "adam"), with the parameters split over two matrices with different learning rates (the
/// second runs at lr 0, so it must stay put), and without touching a matrix shared elsewhere.
@Suite struct MetaAdamTests {
    @Test(.requires(.golden("optimizers.json")))
    func matchesPyTorchAdam() throws {
        let g = try Golden.load("optimizers.json")
        let lr = try g.double("runs/adam/hyper/lr")
        let p0 = try g.vector("p0")
        let gradients = try g.vectors("gradients")
        let trajectory = try g.vectors("runs/adam/trajectory")
        let kept = Matrix<Double>(rows: 1, cols: 2, scalars: [3, 4])
        let shared = Matrix<Double>(rows: 1, cols: 5, scalars: p0)
        var parameters = [shared, kept]
        var adam = MetaAdam(parameters: parameters, learningRates: [lr, 0])
        var worst = 0.0
        for (gradient, expected) in zip(gradients, trajectory) {
            adam.step(&parameters, gradients: [Matrix(rows: 1, cols: 5, scalars: gradient),
                                               Matrix(rows: 1, cols: 2, scalars: [1, -1])])
            worst = max(worst, maxRelativeError(parameters[0].scalars, expected))
        }
        #expect(worst < 1e-12, "max relative error \(worst)")
        #expect(parameters[1] == kept)
        #expect(shared.scalars == p0)
        #expect(adam.stepCount == 12)
    }
}
