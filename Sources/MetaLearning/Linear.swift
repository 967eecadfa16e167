import Model
import Teleport
import Autodiff

/// A fully connected layer y = x Aᵀ + b with PyTorch's `nn.Linear` semantics: rows of x are
/// batch items, A is (outputs x inputs), b is a row (1 x outputs) broadcast over the batch.
public struct Linear<Scalar: BLASScalar> {
    /// The weight A, (outputs x inputs), a parameter leaf.
    public private(set) var weight: Variable<Scalar>
    /// The bias b, (1 x outputs), a parameter leaf.
    public private(set) var bias: Variable<Scalar>

    /// Number of input features.
    public var inputSize: Int { weight.cols }
    /// Number of outputs.
    public var outputSize: Int { weight.rows }

    /// PyTorch's default initialisation: every entry of A and b uniform in
    /// [-1/sqrt(inputs), 1/sqrt(inputs)), drawn weight first, then bias.
    public init(inputSize: Int, outputSize: Int, generator: inout SeededGenerator) {
        let bound = Scalar(1 / Double(inputSize).squareRoot())
        let w = Matrix<Scalar>.uniform(outputSize, inputSize, low: -bound, high: bound, using: &generator)
        let b = Matrix<Scalar>.uniform(1, outputSize, low: -bound, high: bound, using: &generator)
        self.init(weight: w, bias: b)
    }

    /// A layer with the given weight (outputs x inputs) and bias (1 x outputs).
    public init(weight: Matrix<Scalar>, bias: Matrix<Scalar>) {
        ensure(bias.rows == 1 && bias.cols == weight.rows, "bias must be 1 x outputs")
        self.weight = Variable(weight, requiresGrad: true)
        self.bias = Variable(bias, requiresGrad: true)
    }

    /// x Aᵀ + b for x of shape (batch x inputs); the result is (batch x outputs).
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        timesTransposed(x, weight) + bias
    }

    /// The parameters [A, b].
    public var parameters: [Variable<Scalar>] { [weight, bias] }

    /// The values of [A, b]; setting them makes fresh parameter leaves.
    public var parameterValues: [Matrix<Scalar>] {
        get { parameters.map(\.value) }
        set {
            ensure(newValue.count == 2 && newValue[0].hasSameShape(as: weight.value)
                         && newValue[1].hasSameShape(as: bias.value), "Linear parameter shapes differ")
            weight = Variable(newValue[0], requiresGrad: true)
            bias = Variable(newValue[1], requiresGrad: true)
        }
    }
}
