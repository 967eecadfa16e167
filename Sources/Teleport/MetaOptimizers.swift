import Autodiff

// The learned optimisers of Result 5 (PROTOCOL.md; Section 6 of the paper). Each is "two
// stacked LSTM cells and a linear head, fed the flattened gradients". A meta step maps the
// current weights W (Variables, possibly inside the graph of an unroll) to new weights in the
// same graph, so that the sum of base losses over an unroll can be backpropagated into the
// LSTM parameters. The base gradients dL/dW are inputs to the LSTMs and are treated as
// constants (not differentiated through), as in the published code.

// MARK: - Building blocks

/// Two stacked LSTM cells: the trunk of every meta-optimiser. The lower cell reads the input,
/// the upper cell reads the lower cell's h; the trunk's output is the upper cell's h.
public struct StackedLSTM<Scalar: BLASScalar> {
    public var lower: LSTMCell<Scalar>
    public var upper: LSTMCell<Scalar>

    public init(inputSize: Int, hiddenSize: Int, generator: inout SeededGenerator) {
        lower = LSTMCell(inputSize: inputSize, hiddenSize: hiddenSize, generator: &generator)
        upper = LSTMCell(inputSize: hiddenSize, hiddenSize: hiddenSize, generator: &generator)
    }

    /// Size of each cell's h and c.
    public var hiddenSize: Int { lower.hiddenSize }

    /// Zero state of both cells, batch 1.
    public func zeroState() -> [LSTMState<Scalar>] { [lower.zeroState(), upper.zeroState()] }

    /// One step on x (1 x input): the new states of both cells; the output is `states[1].h`.
    public func callAsFunction(_ x: Variable<Scalar>, _ state: [LSTMState<Scalar>]) -> [LSTMState<Scalar>] {
        let s0 = lower(x, state[0])
        return [s0, upper(s0.h, state[1])]
    }

    public var parameters: [Variable<Scalar>] { lower.parameters + upper.parameters }
    public var parameterNames: [String] {
        let cell = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
        return cell.map { "lstm1.\($0)" } + cell.map { "lstm2.\($0)" }
    }
    public var parameterValues: [Matrix<Scalar>] {
        get { parameters.map(\.value) }
        set {
            lower.parameterValues = Array(newValue[0..<4])
            upper.parameterValues = Array(newValue[4..<8])
        }
    }
}

/// The per-pair teleport LSTM: reads concat(flatten(dL/dU), flatten(dL/dV)) for the pair
/// (U = W[m+1], V = W[m]) and outputs a Lie algebra element T (k x k, k = rows of V) through a
/// linear head with k*k outputs; optionally also a step size through a second linear head,
/// clamped to [1e-7, 5e-3] (the LSTM(lr,tele) variant).
public struct TeleportLSTM<Scalar: BLASScalar> {
    public var trunk: StackedLSTM<Scalar>
    /// Head for T: k*k outputs reshaped row by row to k x k.
    public var groupHead: Linear<Scalar>
    /// Head for the step size (1 output), or nil when no step size is learned.
    public var stepSizeHead: Linear<Scalar>?
    /// Size k of T.
    public let groupSize: Int

    /// The range the learned step size is clamped to.
    public static var stepSizeRange: (low: Scalar, high: Scalar) { (1e-7, 5e-3) }

    /// A teleport LSTM for a pair with weight shapes `uShape` (U = W[m+1]) and `vShape` (V = W[m]).
    public init(uShape: (rows: Int, cols: Int), vShape: (rows: Int, cols: Int), hiddenSize: Int,
                learnsStepSize: Bool, generator: inout SeededGenerator) {
        let inputs = uShape.rows * uShape.cols + vShape.rows * vShape.cols
        groupSize = vShape.rows
        trunk = StackedLSTM(inputSize: inputs, hiddenSize: hiddenSize, generator: &generator)
        groupHead = Linear(inputSize: hiddenSize, outputSize: groupSize * groupSize, generator: &generator)
        stepSizeHead = learnsStepSize ? Linear(inputSize: hiddenSize, outputSize: 1, generator: &generator) : nil
    }

    /// One step: T (k x k), the step size (1 x 1, when learned) and the new state.
    public func callAsFunction(dLdU: Matrix<Scalar>, dLdV: Matrix<Scalar>, _ state: [LSTMState<Scalar>])
        -> (T: Variable<Scalar>, stepSize: Variable<Scalar>?, state: [LSTMState<Scalar>]) {
        let x = Variable(Matrix(rows: 1, cols: dLdU.count + dLdV.count, scalars: dLdU.scalars + dLdV.scalars))
        let s = trunk(x, state)
        let out = s[1].h
        let T = groupHead(out).reshaped(groupSize, groupSize)
        let range = Self.stepSizeRange
        let eta = stepSizeHead.map { $0(out).clamped(range.low, range.high) }
        return (T, eta, s)
    }

    public var parameters: [Variable<Scalar>] {
        trunk.parameters + groupHead.parameters + (stepSizeHead?.parameters ?? [])
    }
    public var parameterNames: [String] {
        trunk.parameterNames + ["linear1.weight", "linear1.bias"]
            + (stepSizeHead == nil ? [] : ["linear2.weight", "linear2.bias"])
    }
    public var parameterValues: [Matrix<Scalar>] {
        get { parameters.map(\.value) }
        set {
            trunk.parameterValues = Array(newValue[0..<8])
            groupHead.parameterValues = Array(newValue[8..<10])
            if stepSizeHead != nil { stepSizeHead!.parameterValues = Array(newValue[10..<12]) }
        }
    }
}

/// The update LSTM: reads all gradients flattened (W[0] first, each row by row) and outputs
/// the whole parameter update Δ (same size), clamped to [-1e7, 1e7]; the step is W - Δ.
public struct UpdateLSTM<Scalar: BLASScalar> {
    public var trunk: StackedLSTM<Scalar>
    public var head: Linear<Scalar>

    /// The bound the update is clamped to.
    public static var updateBound: Scalar { 1e7 }

    public init(parameterCount: Int, hiddenSize: Int, generator: inout SeededGenerator) {
        trunk = StackedLSTM(inputSize: parameterCount, hiddenSize: hiddenSize, generator: &generator)
        head = Linear(inputSize: hiddenSize, outputSize: parameterCount, generator: &generator)
    }

    /// One step: the update Δ (1 x parameterCount) and the new state.
    public func callAsFunction(gradients: [Matrix<Scalar>], _ state: [LSTMState<Scalar>])
        -> (update: Variable<Scalar>, state: [LSTMState<Scalar>]) {
        let flat = gradients.flatMap(\.scalars)
        let s = trunk(Variable(Matrix(rows: 1, cols: flat.count, scalars: flat)), state)
        return (head(s[1].h).clamped(-Self.updateBound, Self.updateBound), s)
    }

    /// W - Δ, with Δ cut into the weights' shapes.
    public static func apply(_ update: Variable<Scalar>, to W: [Variable<Scalar>]) -> [Variable<Scalar>] {
        var start = 0
        return W.map { w in
            defer { start += w.value.count }
            return w - update.slice(cols: start..<(start + w.value.count)).reshaped(w.rows, w.cols)
        }
    }

    public var parameters: [Variable<Scalar>] { trunk.parameters + head.parameters }
    public var parameterNames: [String] { trunk.parameterNames + ["linear.weight", "linear.bias"] }
    public var parameterValues: [Matrix<Scalar>] {
        get { parameters.map(\.value) }
        set {
            trunk.parameterValues = Array(newValue[0..<8])
            head.parameterValues = Array(newValue[8..<10])
        }
    }
}

// MARK: - State and the meta-optimiser interface

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
    /// One optimisation step of the base problem from weights W, with `gradients` = dL/dW at W
    /// given as constants (the LSTMs' inputs; `step(_:problem:state:)` computes them).
    func step(_ W: [Variable<Scalar>], problem: RegressionProblem<Scalar>, state: MetaState<Scalar>,
              gradients G: [Matrix<Scalar>]) -> MetaStep<Scalar>
}

extension MetaOptimizer {
    /// One meta step from weights W: dL/dW is computed at W's value with `lossAndGradient` and
    /// fed to the LSTMs as a constant (not differentiated through).
    public func step(_ W: [Variable<Scalar>], problem: RegressionProblem<Scalar>,
                     state: MetaState<Scalar>) -> MetaStep<Scalar> {
        let G = lossAndGradient(W.map(\.value), problem.X, problem.objective).gradient
        return step(W, problem: problem, state: state, gradients: G)
    }
}

/// The Frobenius norm T is rescaled to before teleporting (PROTOCOL.md).
public let metaTeleportMagnitude = 0.01

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

// MARK: - The three methods

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

    public func step(_ W: [Variable<Scalar>], problem: RegressionProblem<Scalar>, state: MetaState<Scalar>,
                     gradients G: [Matrix<Scalar>]) -> MetaStep<Scalar> {
        let L = baseLoss(W, problem)
        let eta = state.stepSize ?? Variable(Scalar(initialStepSize))
        let descended = zip(W, G).map { w, g in w - eta * Variable(g) }
        let out = teleportOutputs(teleport, gradients: G, states: state.teleport)
        let teleported = lieAlgebraTeleport(descended, input: Variable(problem.X), T: out.T,
                                            magnitude: Scalar(metaTeleportMagnitude))
        let nextEta = sum(out.stepSizes) * (1 / Scalar(out.stepSizes.count))
        return MetaStep(weights: teleported, loss: L,
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

    public func step(_ W: [Variable<Scalar>], problem: RegressionProblem<Scalar>, state: MetaState<Scalar>,
                     gradients G: [Matrix<Scalar>]) -> MetaStep<Scalar> {
        let L = baseLoss(W, problem)
        let out = update(gradients: G, state.update!)
        return MetaStep(weights: UpdateLSTM.apply(out.update, to: W), loss: L,
                        state: MetaState(update: out.state, teleport: []))
    }
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

    public func step(_ W: [Variable<Scalar>], problem: RegressionProblem<Scalar>, state: MetaState<Scalar>,
                     gradients G: [Matrix<Scalar>]) -> MetaStep<Scalar> {
        let L = baseLoss(W, problem)
        let up = update(gradients: G, state.update!)
        let updated = UpdateLSTM.apply(up.update, to: W)
        let out = teleportOutputs(teleport, gradients: G, states: state.teleport)
        let teleported = lieAlgebraTeleport(updated, input: Variable(problem.X), T: out.T,
                                            magnitude: Scalar(metaTeleportMagnitude))
        return MetaStep(weights: teleported, loss: L, state: MetaState(update: up.state, teleport: out.states))
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
