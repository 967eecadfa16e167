import Model
import Teleport
import Autodiff

/// Meta-training of a learned optimiser by truncated backpropagation through time
/// (PROTOCOL.md, Result 5): along a trajectory of the base problem, every `unrollLength` meta
/// steps form one unroll; the meta-loss is the sum of the base losses L(W_t) over the unroll,
/// its gradient w.r.t. the LSTM parameters is taken through all the steps of the unroll (the
/// base gradients fed to the LSTMs are constants), and Adam updates the parameters (1e-3 for
/// update LSTMs, 1e-4 for teleport LSTMs). Weights and LSTM states are then cut from the graph
/// and the trajectory goes on.
///
/// `train`, `trainPublished` and `trainUnroll` are compiled for the three meta-optimisers in
/// Float32 (the experiment's precision) as well as generically, so that callers in other
/// modules run code specialised for Float instead of dispatching every tensor operation through
/// the generic one (the same operations in the same order, so the same numbers).
public struct MetaTrainer<Optimizer: MetaOptimizer> {
    /// The precision of the base problems and the meta-optimiser.
    public typealias Scalar = Optimizer.Scalar
    /// The optimiser being trained.
    public var optimizer: Optimizer
    /// Adam over `optimizer.parameters`.
    public var adam: MetaAdam<Scalar>
    /// Meta steps per unroll.
    public var unrollLength: Int

    public init(optimizer: Optimizer, unrollLength: Int = 10,
                updateLearningRate: Double = 1e-3, teleportLearningRate: Double = 1e-4) {
        self.optimizer = optimizer
        self.unrollLength = unrollLength
        adam = MetaAdam(parameters: optimizer.parameterValues,
                        learningRates: optimizer.parameterRoles.map {
                            $0 == .update ? updateLearningRate : teleportLearningRate
                        })
    }

    /// The unrolled loss sum_t L(W_t) over `unrollLength` steps from (W, state), in the graph of
    /// the LSTM parameters, with the weights and state at the end of the unroll and the base
    /// gradients dL/dW_t that were fed to the LSTMs. With `replaying`, those gradients are
    /// used instead of being computed at W_t (to check derivatives of the unroll with the
    /// LSTM inputs held fixed, the quantity that backpropagation computes).
    public func unrolledLoss(_ problem: RegressionProblem<Scalar>, weights W: [Matrix<Scalar>],
                             state: MetaState<Scalar>, replaying: [[Matrix<Scalar>]]? = nil)
        -> (loss: Variable<Scalar>, weights: [Variable<Scalar>], state: MetaState<Scalar>,
            gradients: [[Matrix<Scalar>]]) {
        var w = W.map { Variable($0) }
        var s = state.detached()
        var losses: [Variable<Scalar>] = []
        var gradients: [[Matrix<Scalar>]] = []
        for t in 0..<unrollLength {
            let G = replaying?[t] ?? lossAndGradient(w.map(\.value), problem.X, problem.objective).gradient
            let step = optimizer.step(w, problem: problem, state: s, gradients: G)
            losses.append(step.loss)
            gradients.append(G)
            w = step.weights
            s = step.state
        }
        return (sum(losses), w, s, gradients)
    }

    /// One unroll and one Adam step on the LSTM parameters. Advances the trajectory's weights
    /// and state (cut from the graph) and returns the unrolled loss (before the Adam step).
    @discardableResult
    @_specialize(exported: true, where Optimizer == LSTMUpdateTeleport<Float>)
    @_specialize(exported: true, where Optimizer == LSTMUpdate<Float>)
    @_specialize(exported: true, where Optimizer == LSTMRateTeleport<Float>)
    public mutating func trainUnroll(_ problem: RegressionProblem<Scalar>, weights: inout [Matrix<Scalar>],
                                     state: inout MetaState<Scalar>) -> Scalar {
        let (L, w, s, _) = unrolledLoss(problem, weights: weights, state: state)
        let gradients = grad(of: L, wrt: optimizer.parameters).map(\.value)
        var values = optimizer.parameterValues
        adam.step(&values, gradients: gradients)
        optimizer.parameterValues = values
        weights = w.map(\.value)
        state = s.detached()
        return L.scalar
    }

    /// Meta-trains along one trajectory of `steps` steps (rounded down to whole unrolls) from
    /// the problem's initial weights; returns the unrolled loss of each unroll.
    @discardableResult
    @_specialize(exported: true, where Optimizer == LSTMUpdateTeleport<Float>)
    @_specialize(exported: true, where Optimizer == LSTMUpdate<Float>)
    @_specialize(exported: true, where Optimizer == LSTMRateTeleport<Float>)
    public mutating func train(on problem: RegressionProblem<Scalar>, steps: Int) -> [Scalar] {
        var W = problem.initialWeights
        var state = optimizer.initialState()
        return (0..<(steps / unrollLength)).map { _ in trainUnroll(problem, weights: &W, state: &state) }
    }

    /// Meta-trains along one trajectory with the published unroll boundaries (`train_meta_opt`,
    /// PROTOCOL.md "Published mode"): the meta-parameters are updated inside step t when
    /// t % unrollLength == 0 and t != 0, between its descent and its teleport. So the first
    /// unroll sums the losses L(W_0) ... L(W_10) (11 terms), each later one 10; the descent of a
    /// boundary step is cut from the graph while its teleport, computed after the Adam step,
    /// belongs to the next unroll; the losses after the last boundary are never used. Returns
    /// the summed loss of each unroll.
    @discardableResult
    @_specialize(exported: true, where Optimizer == LSTMUpdateTeleport<Float>)
    @_specialize(exported: true, where Optimizer == LSTMUpdate<Float>)
    @_specialize(exported: true, where Optimizer == LSTMRateTeleport<Float>)
    public mutating func trainPublished(on problem: RegressionProblem<Scalar>, steps: Int) -> [Scalar] {
        var W = problem.initialWeights.map { Variable($0) }
        var state = optimizer.initialState()
        var losses: [Variable<Scalar>] = [], sums: [Scalar] = []
        for t in 0..<steps {
            let G = lossAndGradient(W.map(\.value), problem.X, problem.objective).gradient
            var d = optimizer.descend(W, problem: problem, state: state, gradients: G)
            losses.append(d.loss)
            if t % unrollLength == 0 && t != 0 {
                let L = sum(losses)
                let gradients = grad(of: L, wrt: optimizer.parameters).map(\.value)
                var values = optimizer.parameterValues
                adam.step(&values, gradients: gradients)
                optimizer.parameterValues = values
                sums.append(L.scalar)
                losses = []
                d.weights = d.weights.map { Variable($0.value) }
                d.state = d.state.detached()
            }
            let s = optimizer.teleport(d, problem: problem, gradients: G)
            W = s.weights
            state = s.state
        }
        return sums
    }
}
