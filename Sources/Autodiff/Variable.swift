@_exported import Tensor

// The Autodiff module: reverse-mode differentiation of any order over `Variable`s.
// Variable.swift (graph nodes), Ops*.swift (each operation's forward and backward side by
// side), Gradient.swift (grad, jvp, jacobian), GradientCheck.swift (finite differences).

/// A node of the computation graph: a matrix value, the variables it was computed from, and
/// the rule that pulls a gradient back to them.
///
/// Every pullback is itself written with differentiable operations on `Variable`s, so the
/// gradients returned by `grad(of:wrt:createGraph: true)` are again nodes of a graph and can
/// be differentiated again (gradients of gradients, to any order).
///
/// Variables are immutable. A leaf is made with `Variable(matrix, requiresGrad: true)` (a
/// parameter) or `Variable(matrix)` (a constant such as data); an operation whose inputs are
/// all constants produces a constant and records nothing.
///
/// A loss, its gradient and the gradient of the squared gradient norm (the quantity that
/// gradient-norm teleportation ascends):
///
///     let w = weights.map { Variable($0, requiresGrad: true) }   // [Matrix<Float>] -> leaves
///     var h = Variable(x)                                          // features x batch
///     for layer in w.dropLast() { h = matmul(layer, h).leakyReLU(0.1) }
///     let loss = matmul(w.last!, h).crossEntropy(labels: y)        // softmax over output rows
///     let g = grad(of: loss, wrt: w, createGraph: true)            // differentiable gradients
///     let normSq = sum(g.map { $0.squaredNorm() })
///     let hvp = grad(of: normSq, wrt: w).map(\.value)              // [Matrix<Float>]
///
/// `value` is the Matrix inside; `scalar` reads a 1 x 1 value.
public final class Variable<Scalar: BLASScalar> {
    /// The rule of one operation: given the gradient `grad` of some scalar with respect to the
    /// operation's output, its `inputs` and its `output`, returns the gradient with respect to
    /// each input, or nil for inputs whose entry of `needs` is false. Both `inputs` and
    /// `output` are passed in (not captured) so that no reference cycle forms and so that
    /// `grad` can pass detached copies when no graph of the gradient is wanted.
    public typealias Pullback = (_ grad: Variable, _ inputs: [Variable], _ output: Variable,
                                 _ needs: [Bool]) -> [Variable?]

    /// The value.
    public let value: Matrix<Scalar>
    /// True for a leaf that asked for gradients and for any result computed from one.
    public let requiresGrad: Bool
    /// The operands this variable was computed from (empty for leaves and constants).
    @inlinable public var inputs: [Variable] { storedInputs }
    @usableFromInline var storedInputs: [Variable]
    @usableFromInline let pullback: Pullback?
    /// For a node made by `matmul` or `vecmat`, its transpose flags (`grad` batches the gradient of a
    /// weight used by many products, see `grad(of:wrt:seed:createGraph:)`); nil otherwise.
    @usableFromInline let product: (transposeA: Bool, transposeB: Bool)?

    /// A leaf: a parameter when `requiresGrad` is true, a constant otherwise.
    @inlinable
    public init(_ value: Matrix<Scalar>, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.storedInputs = []
        self.pullback = nil
        self.product = nil
    }

    /// The result of an operation on `inputs`. Records the inputs and the pullback only when
    /// some input requires gradients; otherwise the result is a constant. (`product` is set by
    /// `matmul` and `vecmat` only.)
    @inlinable
    public init(_ value: Matrix<Scalar>, inputs: [Variable],
                product: (transposeA: Bool, transposeB: Bool)? = nil, pullback: @escaping Pullback) {
        self.value = value
        self.product = product
        if inputs.contains(where: { $0.requiresGrad }) {
            self.requiresGrad = true
            self.storedInputs = inputs
            self.pullback = pullback
        } else {
            self.requiresGrad = false
            self.storedInputs = []
            self.pullback = nil
        }
    }

    /// Releases long chains of operations iteratively: the default recursive release of a
    /// graph thousands of operations deep could overflow a thread's stack.
    deinit {
        guard !storedInputs.isEmpty else { return }
        var pending = storedInputs
        storedInputs = []
        while var node = pending.popLast() {
            if isKnownUniquelyReferenced(&node) {
                pending.append(contentsOf: node.storedInputs)
                node.storedInputs = []
            }
        }
    }

    /// A constant 1 x 1 variable.
    @inlinable
    public convenience init(_ scalar: Scalar) { self.init(Matrix.scalar(scalar)) }

    /// The same value cut from the graph: a constant.
    @inlinable
    public func detached() -> Variable { Variable(value) }

    /// Number of rows of the value.
    @inlinable public var rows: Int { value.rows }
    /// Number of columns of the value.
    @inlinable public var cols: Int { value.cols }
    /// (rows, cols) of the value.
    @inlinable public var shape: (rows: Int, cols: Int) { value.shape }
    /// The entry of a 1 x 1 value (e.g. a loss).
    @inlinable public var scalar: Scalar { value.scalar }

    /// A constant of zeros.
    @inlinable
    public static func zeros(_ rows: Int, _ cols: Int) -> Variable { Variable(Matrix.zeros(rows, cols)) }

    /// A constant of ones.
    @inlinable
    public static func ones(_ rows: Int, _ cols: Int) -> Variable { Variable(Matrix.ones(rows, cols)) }
}

/// The constant n x n identity.
@inlinable
public func eye<Scalar>(_ n: Int, as type: Scalar.Type = Scalar.self) -> Variable<Scalar> {
    Variable(Matrix.identity(n))
}

extension Variable: CustomStringConvertible {
    public var description: String {
        "Variable(\(requiresGrad ? "requiresGrad, " : "")\(inputs.count) inputs) " + value.description
    }
}
