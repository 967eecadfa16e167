import Model
import Teleport
import Autodiff

// The interface shared by the learned optimisers of Result 5 (PROTOCOL.md; Section 6 of the
// paper). A meta step maps the current weights W (Variables, possibly inside the graph of an
// unroll) to new weights in the same graph, so that the sum of base losses over an unroll can
// be backpropagated into the LSTM parameters. The base gradients dL/dW are inputs to the
// LSTMs and are treated as constants (not differentiated through), as in the published code.

/// The recurrent state of a meta-optimiser along one trajectory.
public struct MetaState<Scalar: BLASScalar> {
    /// States (two cells) of the update LSTM, when there is one.
    public var update: [LSTMState<Scalar>]?
    /// States (two cells) of each pair's teleport LSTM.
    public var teleport: [[LSTMState<Scalar>]]
    /// The step size learned at the previous step (LSTM(lr,tele)); nil before the first step.
    public var stepSize: Variable<Scalar>?

    public init(update: [LSTMState<Scalar>]?, teleport: [[LSTMState<Scalar>]], stepSize: Variable<Scalar>? = nil) {
        self.update = update; self.teleport = teleport; self.stepSize = stepSize
    }

    /// The same values cut from the graph (truncation between unrolls).
    public func detached() -> MetaState {
        MetaState(update: update?.map { $0.detached() }, teleport: teleport.map { $0.map { $0.detached() } },
                  stepSize: stepSize?.detached())
    }
}

/// The result of one meta step.
public struct MetaStep<Scalar: BLASScalar> {
    /// The new weights, in the graph of the incoming weights and the LSTM parameters.
    public var weights: [Variable<Scalar>]
    /// The base loss L(W) at the incoming weights, in the graph (the term of the unrolled loss).
    public var loss: Variable<Scalar>
    /// The new recurrent state.
    public var state: MetaState<Scalar>
}

/// What a parameter of a meta-optimiser belongs to (they are meta-trained with different
/// Adam learning rates).
public enum MetaParameterRole: Sendable {
    case update, teleport
}

/// A learned optimiser: LSTM modules with parameters, a recurrent state and one meta step.
public protocol MetaOptimizer {
    associatedtype Scalar: BLASScalar
    /// The paper's name of the method, e.g. "LSTM(lr,tele)".
    static var methodName: String { get }
    /// The parameter leaves, in a fixed order.
    var parameters: [Variable<Scalar>] { get }
    /// A name per parameter (for the saved file).
    var parameterNames: [String] { get }
    /// The role of each parameter.
    var parameterRoles: [MetaParameterRole] { get }
    /// The parameter values; setting them makes fresh leaves.
    var parameterValues: [Matrix<Scalar>] { get set }
    /// The state at the start of a trajectory (zeros).
    func initialState() -> MetaState<Scalar>
    /// The first half of a step from weights W, with `gradients` G = dL/dW at W given as
    /// constants (the LSTMs' inputs): the descent or learned update. Its loss is L(W); its
    /// state has the update LSTM's new state, the teleport states are passed on unchanged.
    func descend(_ W: [Variable<Scalar>], problem: RegressionProblem<Scalar>, state: MetaState<Scalar>,
                 gradients G: [Matrix<Scalar>]) -> MetaStep<Scalar>
    /// The second half: the teleport of the descended weights W, reading the same G (the
    /// identity for optimisers that do not teleport). Its loss is passed through.
    func teleport(_ descended: MetaStep<Scalar>, problem: RegressionProblem<Scalar>,
                  gradients G: [Matrix<Scalar>]) -> MetaStep<Scalar>
}

extension MetaOptimizer {
    /// One optimisation step of the base problem from weights W: `descend`, then `teleport`,
    /// with G = dL/dW at W given as constants (`step(_:problem:state:)` computes them).
    public func step(_ W: [Variable<Scalar>], problem: RegressionProblem<Scalar>, state: MetaState<Scalar>,
                     gradients G: [Matrix<Scalar>]) -> MetaStep<Scalar> {
        teleport(descend(W, problem: problem, state: state, gradients: G), problem: problem, gradients: G)
    }

    /// One meta step from weights W: dL/dW is computed at W's value with `lossAndGradient` and
    /// fed to the LSTMs as a constant (not differentiated through).
    @_specialize(exported: true, where Self == LSTMUpdateTeleport<Float>)
    @_specialize(exported: true, where Self == LSTMUpdate<Float>)
    @_specialize(exported: true, where Self == LSTMRateTeleport<Float>)
    public func step(_ W: [Variable<Scalar>], problem: RegressionProblem<Scalar>,
                     state: MetaState<Scalar>) -> MetaStep<Scalar> {
        let G = lossAndGradient(W.map(\.value), problem.X, problem.objective).gradient
        return step(W, problem: problem, state: state, gradients: G)
    }
}

// MARK: - Running a trained optimiser

extension MetaOptimizer {
    /// Runs `steps` meta steps on `problem` from its initial weights without meta-training
    /// (the graph is cut after each step) and returns the loss before each step followed by
    /// the final loss (steps + 1 values), and the final weights.
    public func run(on problem: RegressionProblem<Scalar>, steps: Int) -> (losses: [Scalar], weights: [Matrix<Scalar>]) {
        var W = problem.initialWeights
        var state = initialState()
        var losses: [Scalar] = []
        for _ in 0..<steps {
            let s = step(W.map { Variable($0) }, problem: problem, state: state)
            losses.append(s.loss.scalar)
            W = s.weights.map(\.value)
            state = s.state.detached()
        }
        losses.append(problem.loss(W))
        return (losses, W)
    }
}
