import Testing
import TestSupport
import Tensor
@testable import Model

/// The optimisers against PyTorch trajectories (golden/optimizers.json): each optimiser starts
/// at p0 and receives 12 fixed gradients.
@Suite struct OptimizerTests {
    static let names = ["sgd", "momentum", "adagrad", "rmsprop", "adam"]

    /// The optimiser described by the golden run `name`'s hyper-parameters.
    static func kind(_ name: String, _ g: Golden) throws -> OptimizerKind {
        let h = { (key: String) in try g.double("runs/\(name)/hyper/\(key)") }
        switch name {
        case "sgd": return .sgd(lr: try h("lr"))
        case "momentum": return .momentum(lr: try h("lr"), momentum: try h("momentum"))
        case "adagrad": return .adagrad(lr: try h("lr"), eps: try h("eps"))
        case "rmsprop": return .rmsprop(lr: try h("lr"), alpha: try h("alpha"), eps: try h("eps"))
        default: return .adam(lr: try h("lr"), beta1: try h("beta1"), beta2: try h("beta2"), eps: try h("eps"))
        }
    }

    /// Runs `optimizer` from p0 on the golden gradients; returns the largest relative error
    /// of any step's parameters against the golden trajectory.
    static func worstError<S: BinaryFloatingPoint>(_ optimizer: inout Optimizer<S>, _ g: Golden,
                                                   _ name: String) throws -> Double {
        var p = try g.vector("p0").map { S($0) }
        let gradients = try g.vectors("gradients")
        let trajectory = try g.vectors("runs/\(name)/trajectory")
        #expect(gradients.count == 12 && trajectory.count == 12)
        var worst = 0.0
        for (gradient, expected) in zip(gradients, trajectory) {
            optimizer.update(&p, gradient: gradient.map { S($0) })
            worst = max(worst, maxRelativeError(p.map { Double($0) }, expected))
        }
        return worst
    }

    @Test(.requires(.golden("optimizers.json")), arguments: names)
    func matchesPyTorchInDouble(name: String) throws {
        let g = try Golden.load("optimizers.json")
        var optimizer = Optimizer<Double>(try Self.kind(name, g), parameterCount: 5)
        let error = try Self.worstError(&optimizer, g, name)
        #expect(error < 1e-12, "\(name): max relative error \(error)")
        #expect(optimizer.stepCount == 12)
    }

    @Test(.requires(.golden("optimizers.json")), arguments: names)
    func matchesPyTorchInFloat(name: String) throws {
        let g = try Golden.load("optimizers.json")
        var optimizer = Optimizer<Float>(try Self.kind(name, g), parameterCount: 5)
        let error = try Self.worstError(&optimizer, g, name)
        #expect(error < 1e-5, "\(name): max relative error \(error)")
    }

    /// After `reset()` an optimiser behaves exactly like a fresh one.
    @Test(.requires(.golden("optimizers.json")), arguments: names)
    func resetRestartsState(name: String) throws {
        let g = try Golden.load("optimizers.json")
        let gradients = try g.vectors("gradients")
        var used = Optimizer<Double>(try Self.kind(name, g), parameterCount: 5)
        var scratch = try g.vector("p0")
        for gradient in gradients.prefix(5) {
            used.update(&scratch, gradient: gradient)
        }
        used.reset()
        #expect(used.stepCount == 0)
        var fresh = Optimizer<Double>(try Self.kind(name, g), parameterCount: 5)
        var a = try g.vector("p0"), b = a
        for gradient in gradients {
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
