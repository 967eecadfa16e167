import Model
import Teleport
import Autodiff

// The three learned optimisers of Result 5 (PROTOCOL.md), each a `MetaOptimizer` built from
// the LSTM modules of `MetaLSTMs.swift`: LSTM(lr,tele), LSTM(update) and LSTM(update,tele).

/// The Frobenius norm T is rescaled to before teleporting (PROTOCOL.md).
public let metaTeleportMagnitude = 0.01

/// LSTM(lr,tele): per layer pair, a teleport LSTM (hidden 20) outputs T and a step size.
/// One step is a gradient descent step W <- W - eta dL/dW with the step size eta learned at the
/// previous step (the mean over pairs; `initialStepSize` at the first step), then a teleport
/// of the new weights with g = I + T, T rescaled to Frobenius norm 0.01 (`lieAlgebraTeleport`).
/// The LSTMs read the gradients at the weights before the descent step.
public struct LSTMRateTeleport<Scalar: BLASScalar>: MetaOptimizer {
    public static var methodName: String { "LSTM(lr,tele)" }
    public var teleport: [TeleportLSTM<Scalar>]
    /// The step size of the first step (1e-4 in the published code).
    public var initialStepSize: Double

    public init(weightShapes: [(rows: Int, cols: Int)], hiddenSize: Int = 20, initialStepSize: Double = 1e-4,
                seed: UInt64) {
        ensure(weightShapes.count >= 2, "LSTM(lr,tele) needs at least one layer pair")
        var rng = SeededGenerator(seed: seed)
        teleport = makeTeleportLSTMs(weightShapes, hiddenSize: hiddenSize, learnsStepSize: true, generator: &rng)
        self.initialStepSize = initialStepSize
    }

    public var parameters: [Variable<Scalar>] { teleport.flatMap(\.parameters) }
    public var parameterNames: [String] {
        teleport.indices.flatMap { m in teleport[m].parameterNames.map { "teleport\(m).\($0)" } }
    }
    public var parameterRoles: [MetaParameterRole] { parameters.map { _ in .teleport } }
    public var parameterValues: [Matrix<Scalar>] {
        get { teleportParameterValues(teleport) }
        set { setTeleportParameterValues(&teleport, newValue[...]) }
    }

    public func initialState() -> MetaState<Scalar> {
        MetaState(update: nil, teleport: teleport.map { $0.trunk.zeroState() })
    }

    public func descend(_ W: [Variable<Scalar>], problem: RegressionProblem<Scalar>, state: MetaState<Scalar>,
                        gradients G: [Matrix<Scalar>]) -> MetaStep<Scalar> {
        let eta = state.stepSize ?? Variable(Scalar(initialStepSize))
        return MetaStep(weights: zip(W, G).map { w, g in w - eta * Variable(g) }, loss: baseLoss(W, problem),
                        state: state)
    }

    public func teleport(_ d: MetaStep<Scalar>, problem: RegressionProblem<Scalar>,
                         gradients G: [Matrix<Scalar>]) -> MetaStep<Scalar> {
        let out = teleportOutputs(teleport, gradients: G, states: d.state.teleport)
        let teleported = lieAlgebraTeleport(d.weights, input: Variable(problem.X), T: out.T,
                                            magnitude: Scalar(metaTeleportMagnitude))
        let nextEta = sum(out.stepSizes) * (1 / Scalar(out.stepSizes.count))
        return MetaStep(weights: teleported, loss: d.loss,
                        state: MetaState(update: nil, teleport: out.states, stepSize: nextEta))
    }
}

/// LSTM(update): one update LSTM (hidden 300) reads all gradients and outputs the whole
/// update Δ; one step is W <- W - Δ. No teleportation.
public struct LSTMUpdate<Scalar: BLASScalar>: MetaOptimizer {
    public static var methodName: String { "LSTM(update)" }
    public var update: UpdateLSTM<Scalar>

    public init(weightShapes: [(rows: Int, cols: Int)], hiddenSize: Int = 300, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        update = UpdateLSTM(parameterCount: weightShapes.reduce(0) { $0 + $1.rows * $1.cols },
                            hiddenSize: hiddenSize, generator: &rng)
    }

    public var parameters: [Variable<Scalar>] { update.parameters }
    public var parameterNames: [String] { update.parameterNames.map { "update.\($0)" } }
    public var parameterRoles: [MetaParameterRole] { parameters.map { _ in .update } }
    public var parameterValues: [Matrix<Scalar>] {
        get { update.parameterValues }
        set { update.parameterValues = newValue }
    }

    public func initialState() -> MetaState<Scalar> {
        MetaState(update: update.trunk.zeroState(), teleport: [])
    }

    public func descend(_ W: [Variable<Scalar>], problem: RegressionProblem<Scalar>, state: MetaState<Scalar>,
                        gradients G: [Matrix<Scalar>]) -> MetaStep<Scalar> {
        let out = update(gradients: G, state.update!)
        return MetaStep(weights: UpdateLSTM.apply(out.update, to: W), loss: baseLoss(W, problem),
                        state: MetaState(update: out.state, teleport: []))
    }

    /// No teleportation.
    public func teleport(_ d: MetaStep<Scalar>, problem: RegressionProblem<Scalar>,
                         gradients G: [Matrix<Scalar>]) -> MetaStep<Scalar> { d }
}

/// LSTM(update,tele): the update LSTM of LSTM(update) plus a teleport LSTM per layer pair
/// (T only, no step size; hidden 300 as in the published code). One step follows the
/// published `train_meta_opt`: with the gradients G = dL/dW at the incoming weights, first
/// the learned update W' = W - Δ(G), then the teleport of W' with g = I + T(G), T rescaled to
/// Frobenius norm 0.01. Both LSTMs read the same G; the update is not recomputed after the
/// teleport, and the teleport acts on the already updated weights.
public struct LSTMUpdateTeleport<Scalar: BLASScalar>: MetaOptimizer {
    public static var methodName: String { "LSTM(update,tele)" }
    public var update: UpdateLSTM<Scalar>
    public var teleport: [TeleportLSTM<Scalar>]

    public init(weightShapes: [(rows: Int, cols: Int)], updateHiddenSize: Int = 300,
                teleportHiddenSize: Int = 300, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        update = UpdateLSTM(parameterCount: weightShapes.reduce(0) { $0 + $1.rows * $1.cols },
                            hiddenSize: updateHiddenSize, generator: &rng)
        teleport = makeTeleportLSTMs(weightShapes, hiddenSize: teleportHiddenSize, learnsStepSize: false,
                                     generator: &rng)
    }

    public var parameters: [Variable<Scalar>] { update.parameters + teleport.flatMap(\.parameters) }
    public var parameterNames: [String] {
        update.parameterNames.map { "update.\($0)" }
            + teleport.indices.flatMap { m in teleport[m].parameterNames.map { "teleport\(m).\($0)" } }
    }
    public var parameterRoles: [MetaParameterRole] {
        update.parameters.map { _ in .update } + teleport.flatMap(\.parameters).map { _ in .teleport }
    }
    public var parameterValues: [Matrix<Scalar>] {
        get { update.parameterValues + teleportParameterValues(teleport) }
        set {
            let n = update.parameters.count
            update.parameterValues = Array(newValue[0..<n])
            setTeleportParameterValues(&teleport, newValue[n...])
        }
    }

    public func initialState() -> MetaState<Scalar> {
        MetaState(update: update.trunk.zeroState(), teleport: teleport.map { $0.trunk.zeroState() })
    }

    public func descend(_ W: [Variable<Scalar>], problem: RegressionProblem<Scalar>, state: MetaState<Scalar>,
                        gradients G: [Matrix<Scalar>]) -> MetaStep<Scalar> {
        let up = update(gradients: G, state.update!)
        return MetaStep(weights: UpdateLSTM.apply(up.update, to: W), loss: baseLoss(W, problem),
                        state: MetaState(update: up.state, teleport: state.teleport))
    }

    public func teleport(_ d: MetaStep<Scalar>, problem: RegressionProblem<Scalar>,
                         gradients G: [Matrix<Scalar>]) -> MetaStep<Scalar> {
        let out = teleportOutputs(teleport, gradients: G, states: d.state.teleport)
        let teleported = lieAlgebraTeleport(d.weights, input: Variable(problem.X), T: out.T,
                                            magnitude: Scalar(metaTeleportMagnitude))
        return MetaStep(weights: teleported, loss: d.loss, state: MetaState(update: d.state.update, teleport: out.states))
    }
}

// MARK: - Shared pieces

/// The base loss L(W) in the graph (the unroll's term).
func baseLoss<Scalar>(_ W: [Variable<Scalar>], _ problem: RegressionProblem<Scalar>) -> Variable<Scalar> {
    loss(W, Variable(problem.X), problem.objective)
}

/// Runs each pair's teleport LSTM on (dL/dW[m+1], dL/dW[m]).
func teleportOutputs<Scalar>(_ lstms: [TeleportLSTM<Scalar>], gradients G: [Matrix<Scalar>],
                             states: [[LSTMState<Scalar>]])
    -> (T: [Variable<Scalar>], stepSizes: [Variable<Scalar>], states: [[LSTMState<Scalar>]]) {
    var T: [Variable<Scalar>] = [], etas: [Variable<Scalar>] = [], newStates: [[LSTMState<Scalar>]] = []
    for m in lstms.indices {
        let out = lstms[m](dLdU: G[m + 1], dLdV: G[m], states[m])
        T.append(out.T)
        if let eta = out.stepSize { etas.append(eta) }
        newStates.append(out.state)
    }
    return (T, etas, newStates)
}

func makeTeleportLSTMs<Scalar>(_ shapes: [(rows: Int, cols: Int)], hiddenSize: Int, learnsStepSize: Bool,
                               generator: inout SeededGenerator) -> [TeleportLSTM<Scalar>] {
    (0..<(shapes.count - 1)).map { m in
        TeleportLSTM(uShape: shapes[m + 1], vShape: shapes[m], hiddenSize: hiddenSize,
                     learnsStepSize: learnsStepSize, generator: &generator)
    }
}

func teleportParameterValues<Scalar>(_ lstms: [TeleportLSTM<Scalar>]) -> [Matrix<Scalar>] {
    lstms.flatMap(\.parameterValues)
}

func setTeleportParameterValues<Scalar>(_ lstms: inout [TeleportLSTM<Scalar>], _ values: ArraySlice<Matrix<Scalar>>) {
    var start = values.startIndex
    for m in lstms.indices {
        let n = lstms[m].parameters.count
        lstms[m].parameterValues = Array(values[start..<(start + n)])
        start += n
    }
}
