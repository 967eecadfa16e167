// Elementwise functions. Each backward rule reuses the forward's output where that is the
// natural form (exp, sqrt, tanh, sigmoid), which keeps it differentiable.

extension Variable {
    /// Each entry to the constant power `p`.
    @inlinable
    public func pow(_ p: Scalar) -> Variable {
        Variable(value.pow(p), inputs: [self]) { g, x, _, _ in
            [p == 2 ? g * x[0] * 2 : g * x[0].pow(p - 1) * p]
        }
    }

    /// Entrywise square root.
    @inlinable
    public func sqrt() -> Variable {
        Variable(value.sqrt(), inputs: [self]) { g, _, y, _ in [g / y * 0.5] }
    }

    /// Entrywise exponential.
    @inlinable
    public func exp() -> Variable {
        Variable(value.exp(), inputs: [self]) { g, _, y, _ in [g * y] }
    }

    /// Entrywise natural logarithm.
    @inlinable
    public func log() -> Variable {
        Variable(value.log(), inputs: [self]) { g, x, _, _ in [g / x[0]] }
    }

    /// Entrywise hyperbolic tangent.
    @inlinable
    public func tanh() -> Variable {
        Variable(value.tanh(), inputs: [self]) { g, _, y, _ in [g * (1 - y * y)] }
    }

    /// Entrywise logistic function 1 / (1 + exp(-x)).
    @inlinable
    public func sigmoid() -> Variable {
        Variable(value.sigmoid(), inputs: [self]) { g, _, y, _ in [g * y * (1 - y)] }
    }

    /// Entrywise absolute value; the derivative is sign(x) (0 at 0, as PyTorch).
    @inlinable
    public func abs() -> Variable {
        Variable(value.abs(), inputs: [self]) { g, x, _, _ in
            [g * Variable(x[0].value.map { $0 > 0 ? 1 : $0 < 0 ? -1 : 0 })]
        }
    }

    /// x for x > 0 and slope * x otherwise. The derivative is the constant mask (1 or slope),
    /// so second derivatives through it vanish, as in PyTorch.
    @inlinable
    public func leakyReLU(_ slope: Scalar) -> Variable {
        Variable(value.leakyReLU(slope), inputs: [self]) { g, x, _, _ in
            [g * Variable(x[0].value.leakyReLUDerivative(slope))]
        }
    }

    /// Each entry clamped to [low, high]; the gradient passes where low <= x <= high (as PyTorch).
    @inlinable
    public func clamped(_ low: Scalar, _ high: Scalar) -> Variable {
        Variable(value.clamped(low, high), inputs: [self]) { g, x, _, _ in
            [g * Variable(x[0].value.map { $0 >= low && $0 <= high ? 1 : 0 })]
        }
    }
}
