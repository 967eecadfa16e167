import Model
import Teleport
import Autodiff

// The LSTM modules of the learned optimisers of Result 5 (PROTOCOL.md): "two stacked LSTM
// cells and a linear head, fed the flattened gradients". `MetaOptimizers.swift` combines them
// into the three methods of the paper.

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
/// clamped to [1e-7, 5e-3] (the LSTM(lr,tele) variant). (The published code feeds the same
/// two gradients in the other order, dL/dW[m] first; the order is a convention of the input.)
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
