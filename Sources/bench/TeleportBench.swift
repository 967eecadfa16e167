import Experiments
import Theory
import MetaLearning
import Model
import Foundation
import Autodiff
import Teleport

/// Teleportation and the statistics phi and psi on the paper's architectures (random data of
/// the right shapes; the cost does not depend on the values).
func teleportBenchmarks() -> [Benchmark] {
    [
        gradientNormTeleport(.mnist, "784-16-10-10", .general, repeats: 11),
        gradientNormTeleport(.mnist, "784-16-10-10", .hiddenSpace, repeats: 11),
        gradientNormTeleport(.mnist, "784-16-10-10", .tangent, repeats: 11),
        gradientNormTeleport(.cifar, "3072-128-32-10", .general, repeats: 5),
        gradientNormTeleport(.cifar, "3072-128-32-10", .hiddenSpace, repeats: 5),
        gradientNormTeleport(.cifar, "3072-128-32-10", .tangent, repeats: 5),
        sharpnessTeleport(.mnist, "784-16-10-10", .general),
        sharpnessTeleport(.mnist, "784-16-10-10", .hiddenSpace),
        sharpnessTeleport(.cifarSmall, "3072-32-10-10", .general),
        sharpnessTeleport(.cifarSmall, "3072-32-10-10", .hiddenSpace),
        Benchmark("teleport/curvature/mnist-mlp",
                  "one curvature step (third derivative along exp(tM)), batch 2000, 784-16-10-10", repeats: 5) {
            let (W, X, _) = problem(.mnist, batch: 2000)
            let teleport = CurvatureTeleport(steps: 1, learningRate: 0.2, direction: .increase)
            return {
                var rng = SeededGenerator(seed: 1)
                _ = teleport(W, input: X, using: &rng)
            }
        },
        phiBenchmark(.mnist, "784-16-10-10", general: true),
        phiBenchmark(.mnist, "784-16-10-10", general: false),
        phiBenchmark(.cifar, "3072-128-32-10", general: true),
        phiBenchmark(.cifar, "3072-128-32-10", general: false),
        psiBenchmark(.mnist, "784-16-10-10", .general),
        psiBenchmark(.mnist, "784-16-10-10", .unshared),
        psiBenchmark(.mnist, "784-16-10-10", .shared),
        psiBenchmark(.cifar, "3072-128-32-10", .general),
        psiBenchmark(.cifar, "3072-128-32-10", .unshared),
        psiBenchmark(.cifar, "3072-128-32-10", .shared),
        Benchmark("meta/lstm-update-tele-step",
                  "one LSTM(update,tele) step on the [20,20,20,20] regression, Float32", repeats: 5) {
            let problem = RegressionProblem<Float>(dimensions: [20, 20, 20, 20], seed: 1)
            let optimizer = LSTMUpdateTeleport<Float>(weightShapes: problem.weightShapes, seed: 1)
            let W = problem.initialWeights.map { Variable($0) }
            return { _ = optimizer.step(W, problem: problem, state: optimizer.initialState()) }
        },
        Benchmark("meta/lstm-update-tele-unroll",
                  "meta-training: one unroll of 10 LSTM(update,tele) steps, backward, Adam; [20,20,20,20], Float64",
                  repeats: 5) { metaTrainingUnroll(Double.self) },
        Benchmark("meta/lstm-update-tele-unroll-f32",
                  "meta-training: one unroll of 10 LSTM(update,tele) steps, backward, Adam; [20,20,20,20], Float32",
                  repeats: 5) { metaTrainingUnroll(Float.self) },
    ]
}

/// Gradient-norm teleport, 10 ascent steps on a batch of 200, in one formulation: the one the
/// experiments use (the action's tangent in closed form, first layer in the hidden space), and
/// the double backpropagation through the action in the hidden space and through the input
/// layer (the naive reference both are compared with).
private func gradientNormTeleport(_ shape: MLPShape, _ widths: String, _ formulation: GradientNormTeleport.Formulation,
                                  repeats: Int) -> Benchmark {
    let net = shape == .mnist ? "mnist-mlp" : "cifar-mlp"
    let name = { (f: GradientNormTeleport.Formulation) in
        "teleport/grad-norm/\(net)" + (f == .general ? "/general" : f == .hiddenSpace ? "/autodiff" : "")
    }
    let how = switch formulation {
    case .general: "double backpropagation through the action and the input layer"
    case .hiddenSpace: "double backpropagation through the action, first layer in the hidden space"
    case .tangent: "the action's tangent in closed form, first layer in the hidden space"
    }
    return Benchmark(name(formulation), "gradient-norm teleport, 10 ascent steps, batch 200, \(widths), Float32, \(how)",
                     repeats: repeats, naive: formulation == .general ? nil : name(.general)) {
        let (W, X, objective) = problem(shape, batch: 200)
        let teleport = GradientNormTeleport(steps: 10, learningRate: 1e-4, cap: .infinity, formulation: formulation)
        return { _ = teleport(W, input: X, objective) }
    }
}

/// One sharpness ascent step at the paper's settings (9 radii x 100 directions, batch 2000) on
/// the MNIST MLP or generalization's CIFAR-10 MLP, in one formulation; the hidden-space entry is
/// compared with the general one.
private func sharpnessTeleport(_ shape: MLPShape, _ widths: String, _ formulation: TeleportFormulation) -> Benchmark {
    let name = "teleport/sharpness/" + (shape == .mnist ? "mnist-mlp" : "cifar-small-mlp")
    let how = formulation == .general ? "every perturbed network on X, through the autodiff"
        : "first layer in the hidden space, later layers written out by hand"
    return Benchmark(name + (formulation == .general ? "/general" : ""),
                     "one sharpness ascent step (9 radii x 100 directions), batch 2000, \(widths), \(how)",
                     repeats: shape == .mnist ? 3 : 1, naive: formulation == .general ? nil : name + "/general") {
        let (W, X, objective) = problem(shape, batch: 2000)
        let teleport = SharpnessTeleport(steps: 1, learningRate: 5e-2, direction: .increase,
                                         directionsPerRadius: 100, cap: .infinity, formulation: formulation)
        return {
            var rng = SeededGenerator(seed: 1)
            _ = teleport(W, input: X, objective, using: &rng)
        }
    }
}

/// phi as the experiments measure it (Float32): 20 curves (batches of 200) x 20 radii with
/// correlation.py's draws, each direction added to W while it is drawn
/// (`measurementDraws(..., perturbing:)`), or, the naive reference, the directions drawn whole
/// and added afterwards (`perturbed(W, by:)`).
private func phiBenchmark(_ shape: MLPShape, _ widths: String, general: Bool) -> Benchmark {
    let name = "statistic/phi/" + (shape == .mnist ? "mnist-mlp" : "cifar-mlp")
    let how = general ? "directions drawn whole, then added to W"
        : "directions added to W while drawn, their norms kept from the warm-up (as from a first model)"
    return Benchmark(name + (general ? "/general" : ""),
                     "phi: 20 curves x 20 radii, batches of 200, correlation.py's draws, \(widths), \(how)",
                     repeats: shape == .mnist ? 5 : 3, naive: general ? nil : name + "/general") {
        let (W, X, objective) = problem(shape, batch: 200)
        let radii = sharpnessRadii(start: 0.0001, end: 0.02, step: 0.001)
        return {
            var total = 0.0
            for curve in 0..<20 {
                if general {
                    for d in PublishedStreams.measurementDraws(curve: curve, shape: shape, radii: radii).directions {
                        total += Double(lossValue(perturbed(W, by: d), X, objective))
                    }
                } else {
                    _ = PublishedStreams.measurementDraws(curve: curve, shape: shape, radii: radii, perturbing: W) {
                        total += Double(lossValue($0, X, objective))
                    }
                }
            }
            precondition(total.isFinite)
        }
    }
}

/// psi over 20 draws on batches of 200 (Float64, as the correlation measures it): through the
/// Gram matrix of the batch (`orbitCurvature`) with its Cholesky factor prepared beforehand (the
/// measurements return to the same batches for every model: `InputGram`), or factored in every
/// draw (`unshared`), or with the closed-form derivatives and pinv(X) (`general`, the naive
/// reference).
private func psiBenchmark(_ shape: MLPShape, _ widths: String, _ variant: PsiVariant) -> Benchmark {
    let name = "statistic/psi/" + (shape == .mnist ? "mnist-mlp" : "cifar-mlp")
    let how = switch variant {
    case .general: "closed-form derivatives with pinv(X)"
    case .unshared: "input layer through the Gram matrix X^T X, factored in every draw"
    case .shared: "input layer through the Gram matrix X^T X, its factor prepared once per batch"
    }
    return Benchmark(name + (variant == .shared ? "" : "/" + variant.rawValue),
                     "psi: 20 draws on batches of 200, \(widths), Float64, \(how)",
                     repeats: shape == .mnist ? 5 : 3, naive: variant == .general ? nil : name + "/general") {
        let (W, X, _) = problem(shape, batch: 200)
        let Wd = W.map { Matrix<Double>($0) }, Xd = Matrix<Double>(X)
        let gram = variant == .shared ? InputGram(Xd) : nil
        return {
            var rng = SeededGenerator(seed: 1)
            var total = 0.0
            for _ in 0..<20 {
                let M: [Matrix<Double>] = Wd.dropLast().map { randomCurvatureDirection($0.rows, using: &rng) }
                if variant == .general {
                    let (g1, g2) = curveDerivatives(Wd, input: Xd, directions: M)
                    total += curvature(first: g1, second: g2)
                } else {
                    total += orbitCurvature(Wd, input: Xd, directions: M, gram: gram)
                }
            }
            precondition(total.isFinite)
        }
    }
}

/// How `psiBenchmark` computes psi.
private enum PsiVariant: String { case general, unshared, shared }

/// One unroll of LSTM(update,tele) meta-training per call, along one trajectory (metalearning
/// runs it in Float32; Float64 for comparison).
private func metaTrainingUnroll<S: BLASScalar>(_ type: S.Type) -> () -> Void {
    let problem = RegressionProblem<S>(dimensions: [20, 20, 20, 20], seed: 1)
    var trainer = MetaTrainer(optimizer: LSTMUpdateTeleport<S>(weightShapes: problem.weightShapes, seed: 1))
    var W = problem.initialWeights
    var state = trainer.optimizer.initialState()
    return { trainer.trainUnroll(problem, weights: &W, state: &state) }
}

/// PyTorch-style weights of `shape`, a random batch in the paper's layout, random labels.
private func problem(_ shape: MLPShape, batch: Int) -> ([Matrix<Float>], Matrix<Float>, Objective<Float>) {
    var rng = SeededGenerator(seed: 2)
    let W = shape.matrices(shape.initialParameters(seed: 1, as: Float.self))
    let X = Matrix<Float>(rows: shape.inputSize, cols: batch) { _, _ in Float(rng.uniform()) }
    return (W, X, .classification(labels: (0..<batch).map { _ in rng.int(below: shape.outputSize) }))
}
