import Model
import Teleport
import Autodiff

/// The recurrent state (h, c) of an LSTM cell, each (batch x hidden).
public struct LSTMState<Scalar: BLASScalar> {
    /// The hidden state h, which is also the cell's output.
    public var h: Variable<Scalar>
    /// The cell (memory) state c.
    public var c: Variable<Scalar>

    public init(h: Variable<Scalar>, c: Variable<Scalar>) { self.h = h; self.c = c }

    /// Zeros of shape (batch x hidden).
    public static func zeros(batch: Int = 1, hidden: Int) -> LSTMState {
        LSTMState(h: .zeros(batch, hidden), c: .zeros(batch, hidden))
    }

    /// The same values cut from the graph (the truncation of backpropagation through time).
    public func detached() -> LSTMState { LSTMState(h: h.detached(), c: c.detached()) }
}

/// One LSTM cell with PyTorch's `nn.LSTMCell` semantics. Rows of x are batch items; with
/// gates = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh split into four column blocks in the order
/// input i, forget f, cell g, output o:
///
///     i = sigmoid(.), f = sigmoid(.), g = tanh(.), o = sigmoid(.),
///     c1 = f * c0 + i * g,   h1 = o * tanh(c1).
///
/// Every step is a differentiable `Variable` operation, so gradients flow to the parameters,
/// the input and the incoming state.
public struct LSTMCell<Scalar: BLASScalar> {
    /// W_ih, (4 hidden x input).
    public private(set) var weightIH: Variable<Scalar>
    /// W_hh, (4 hidden x hidden).
    public private(set) var weightHH: Variable<Scalar>
    /// b_ih, (1 x 4 hidden).
    public private(set) var biasIH: Variable<Scalar>
    /// b_hh, (1 x 4 hidden).
    public private(set) var biasHH: Variable<Scalar>

    /// Number of input features.
    public var inputSize: Int { weightIH.cols }
    /// Size of h and c.
    public var hiddenSize: Int { weightHH.cols }

    /// PyTorch's default initialisation: every entry uniform in [-1/sqrt(hidden), 1/sqrt(hidden)),
    /// drawn in the order W_ih, W_hh, b_ih, b_hh.
    public init(inputSize: Int, hiddenSize: Int, generator: inout SeededGenerator) {
        let bound = Scalar(1 / Double(hiddenSize).squareRoot())
        func draw(_ r: Int, _ c: Int) -> Matrix<Scalar> {
            .uniform(r, c, low: -bound, high: bound, using: &generator)
        }
        let wih = draw(4 * hiddenSize, inputSize), whh = draw(4 * hiddenSize, hiddenSize)
        let bih = draw(1, 4 * hiddenSize), bhh = draw(1, 4 * hiddenSize)
        self.init(weightIH: wih, weightHH: whh, biasIH: bih, biasHH: bhh)
    }

    /// A cell with the given parameters (shapes as the properties).
    public init(weightIH: Matrix<Scalar>, weightHH: Matrix<Scalar>,
                biasIH: Matrix<Scalar>, biasHH: Matrix<Scalar>) {
        let four = weightHH.cols * 4
        ensure(weightIH.rows == four && weightHH.rows == four
                     && biasIH.rows == 1 && biasIH.cols == four && biasHH.rows == 1 && biasHH.cols == four,
                     "LSTMCell parameter shapes are inconsistent")
        self.weightIH = Variable(weightIH, requiresGrad: true)
        self.weightHH = Variable(weightHH, requiresGrad: true)
        self.biasIH = Variable(biasIH, requiresGrad: true)
        self.biasHH = Variable(biasHH, requiresGrad: true)
    }

    /// Zero state for `batch` rows.
    public func zeroState(batch: Int = 1) -> LSTMState<Scalar> { .zeros(batch: batch, hidden: hiddenSize) }

    /// One step: the new state (h1, c1) from input x (batch x input) and state (h0, c0).
    public func callAsFunction(_ x: Variable<Scalar>, _ state: LSTMState<Scalar>) -> LSTMState<Scalar> {
        let gates = timesTransposed(x, weightIH) + biasIH + timesTransposed(state.h, weightHH) + biasHH
        let n = hiddenSize
        let blocks = gates.split(sizes: [n, n, n, n], along: .columns)
        let i = blocks[0].sigmoid(), f = blocks[1].sigmoid()
        let g = blocks[2].tanh(), o = blocks[3].sigmoid()
        let c1 = f * state.c + i * g
        return LSTMState(h: o * c1.tanh(), c: c1)
    }

    /// The parameters [W_ih, W_hh, b_ih, b_hh] (PyTorch's order).
    public var parameters: [Variable<Scalar>] { [weightIH, weightHH, biasIH, biasHH] }

    /// The values of the parameters; setting them makes fresh parameter leaves.
    public var parameterValues: [Matrix<Scalar>] {
        get { parameters.map(\.value) }
        set {
            ensure(newValue.count == 4 && zip(newValue, parameters).allSatisfy { $0.hasSameShape(as: $1.value) },
                         "LSTMCell parameter shapes differ")
            self = LSTMCell(weightIH: newValue[0], weightHH: newValue[1], biasIH: newValue[2], biasHH: newValue[3])
        }
    }
}

/// x Wᵀ, through gemv when x is one row (the meta-optimisers' batch-1 steps; `vecmat`), else gemm.
@inlinable
func timesTransposed<Scalar>(_ x: Variable<Scalar>, _ w: Variable<Scalar>) -> Variable<Scalar> {
    x.rows == 1 ? vecmat(x, w, transposeW: true) : matmul(x, w, transposeB: true)
}
