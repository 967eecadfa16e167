import Testing
import TestSupport
import Tensor
@testable import Teleport

/// The optimisers against PyTorch trajectories (golden/optimizers.json): each optimiser starts
/// at p0 and receives 12 fixed gradients.
@Suite struct OptimizerTests {
    static let golden = Golden.load("optimizers.json")
    static let names = ["sgd", "momentum", "adagrad", "rmsprop", "adam"]

    /// The optimiser described by the golden run `name`'s hyper-parameters.
    static func kind(_ name: String, _ g: Golden) -> OptimizerKind {
        let h = { (key: String) in g.double("runs/\(name)/hyper/\(key)")! }
        switch name {
        case "sgd": return .sgd(lr: h("lr"))
        case "momentum": return .momentum(lr: h("lr"), momentum: h("momentum"))
        case "adagrad": return .adagrad(lr: h("lr"), eps: h("eps"))
        case "rmsprop": return .rmsprop(lr: h("lr"), alpha: h("alpha"), eps: h("eps"))
        default: return .adam(lr: h("lr"), beta1: h("beta1"), beta2: h("beta2"), eps: h("eps"))
        }
    }

    /// Runs `optimizer` from p0 on the golden gradients; returns the largest relative error
    /// of any step's parameters against the golden trajectory.
    static func worstError<S: BinaryFloatingPoint>(_ optimizer: inout Optimizer<S>, _ g: Golden,
                                                   _ name: String) -> Double {
        var p = g.vector("p0")!.map { S($0) }
        let gradients = (g["gradients"] as! [Any]).map { Golden.vector($0)! }
        let trajectory = (g["runs/\(name)/trajectory"] as! [Any]).map { Golden.vector($0)! }
        #expect(gradients.count == 12 && trajectory.count == 12)
        var worst = 0.0
        for (gradient, expected) in zip(gradients, trajectory) {
            optimizer.update(&p, gradient: gradient.map { S($0) })
            worst = max(worst, maxRelativeError(p.map { Double($0) }, expected))
        }
        return worst
    }

    @Test(.enabled(if: golden != nil, "golden file optimizers.json absent"), arguments: names)
    func matchesPyTorchInDouble(name: String) {
        let g = Self.golden!
        var optimizer = Optimizer<Double>(Self.kind(name, g), parameterCount: 5)
        let error = Self.worstError(&optimizer, g, name)
        #expect(error < 1e-12, "\(name): max relative error \(error)")
        #expect(optimizer.stepCount == 12)
    }

    @Test(.enabled(if: golden != nil, "golden file optimizers.json absent"), arguments: names)
    func matchesPyTorchInFloat(name: String) {
        let g = Self.golden!
        var optimizer = Optimizer<Float>(Self.kind(name, g), parameterCount: 5)
        let error = Self.worstError(&optimizer, g, name)
        #expect(error < 1e-5, "\(name): max relative error \(error)")
    }

    /// After `reset()` an optimiser behaves exactly like a fresh one.
    @Test(.enabled(if: golden != nil, "golden file optimizers.json absent"), arguments: names)
    func resetRestartsState(name: String) {
        let g = Self.golden!
        var used = Optimizer<Double>(Self.kind(name, g), parameterCount: 5)
        var scratch = g.vector("p0")!
        for gradient in (g["gradients"] as! [Any]).prefix(5) {
            used.update(&scratch, gradient: Golden.vector(gradient)!)
        }
        used.reset()
        #expect(used.stepCount == 0)
        var fresh = Optimizer<Double>(Self.kind(name, g), parameterCount: 5)
        var a = g.vector("p0")!, b = a
        for gradient in (g["gradients"] as! [Any]).map({ Golden.vector($0)! }) {
            used.update(&a, gradient: gradient)
            fresh.update(&b, gradient: gradient)
        }
        #expect(a == b)
    }

    /// Stateful optimisers use their state: a second step from a used optimiser differs from
    /// the same step taken by a fresh one.
    @Test func statefulOptimizersUseTheirState() {
        let p0: [Float] = [1, -2, 3], g1: [Float] = [0.5, 0.25, -1], g2: [Float] = [-0.3, 1, 0.2]
        for kind: OptimizerKind in [.momentum(lr: 0.1), .adagrad(lr: 0.1), .rmsprop(lr: 0.1), .adam(lr: 0.1)] {
            var used = Optimizer<Float>(kind, parameterCount: 3)
            var p = p0
            used.update(&p, gradient: g1)
            var q = p
            used.update(&p, gradient: g2)
            var fresh = Optimizer<Float>(kind, parameterCount: 3)
            fresh.update(&q, gradient: g2)
            #expect(p != q, "\(kind.name)")
        }
    }
}

/// The meta-optimisers' Adam against PyTorch's Adam trajectory (golden/optimizers.json, run
/// "adam"), with the parameters split over two matrices with different learning rates (the
/// second runs at lr 0, so it must stay put), and without touching a matrix shared elsewhere.
@Suite struct MetaAdamTests {
    @Test(.enabled(if: OptimizerTests.golden != nil, "golden file optimizers.json absent"))
    func matchesPyTorchAdam() {
        let g = OptimizerTests.golden!
        let lr = g.double("runs/adam/hyper/lr")!
        let p0 = g.vector("p0")!
        let gradients = (g["gradients"] as! [Any]).map { Golden.vector($0)! }
        let trajectory = (g["runs/adam/trajectory"] as! [Any]).map { Golden.vector($0)! }
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
