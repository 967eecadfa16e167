// Arithmetic with broadcasting (shapes as in Tensor's Elementwise.swift: equal, or 1 in a
// dimension). The gradient of a broadcast operand is summed back to its own shape.

extension Variable {
    /// Sums a (broadcast) gradient back to rows x cols; identity when the shape already matches.
    /// Adjoint of `broadcast(toRows:cols:)`.
    @inlinable
    public func summed(toRows rows: Int, cols: Int) -> Variable {
        if rows == self.rows && cols == self.cols { return self }
        return Variable(value.summed(toRows: rows, cols: cols), inputs: [self]) { g, x, _, _ in
            [g.broadcast(toRows: x[0].rows, cols: x[0].cols)]
        }
    }

    /// Repeats a row, column or scalar to rows x cols. Adjoint of `summed(toRows:cols:)`.
    @inlinable
    public func broadcast(toRows rows: Int, cols: Int) -> Variable {
        if rows == self.rows && cols == self.cols { return self }
        return Variable(value.broadcast(toRows: rows, cols: cols), inputs: [self]) { g, x, _, _ in
            [g.summed(toRows: x[0].rows, cols: x[0].cols)]
        }
    }

    /// `summed(toRows:cols:)` to the shape of `other`.
    @inlinable
    public func summed(toShapeOf other: Variable) -> Variable { summed(toRows: other.rows, cols: other.cols) }

    // MARK: Binary operations (broadcasting)

    @inlinable
    public static func + (a: Variable, b: Variable) -> Variable {
        Variable(a.value + b.value, inputs: [a, b]) { g, x, _, needs in
            [needs[0] ? g.summed(toShapeOf: x[0]) : nil, needs[1] ? g.summed(toShapeOf: x[1]) : nil]
        }
    }

    @inlinable
    public static func - (a: Variable, b: Variable) -> Variable {
        Variable(a.value - b.value, inputs: [a, b]) { g, x, _, needs in
            [needs[0] ? g.summed(toShapeOf: x[0]) : nil, needs[1] ? (-g).summed(toShapeOf: x[1]) : nil]
        }
    }

    /// Entrywise (Hadamard) product; `matmul` is the matrix product.
    @inlinable
    public static func * (a: Variable, b: Variable) -> Variable {
        Variable(a.value * b.value, inputs: [a, b]) { g, x, _, needs in
            [needs[0] ? (g * x[1]).summed(toShapeOf: x[0]) : nil,
             needs[1] ? (g * x[0]).summed(toShapeOf: x[1]) : nil]
        }
    }

    /// Entrywise quotient.
    @inlinable
    public static func / (a: Variable, b: Variable) -> Variable {
        Variable(a.value / b.value, inputs: [a, b]) { g, x, y, needs in
            // d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -y/b.
            [needs[0] ? (g / x[1]).summed(toShapeOf: x[0]) : nil,
             needs[1] ? (-(g * y) / x[1]).summed(toShapeOf: x[1]) : nil]
        }
    }

    @inlinable
    public static prefix func - (a: Variable) -> Variable {
        Variable(-a.value, inputs: [a]) { g, _, _, _ in [-g] }
    }

    // MARK: With constant scalars

    @inlinable
    public static func * (a: Variable, s: Scalar) -> Variable {
        Variable(a.value * s, inputs: [a]) { g, _, _, _ in [g * s] }
    }
    @inlinable public static func * (s: Scalar, a: Variable) -> Variable { a * s }
    @inlinable public static func / (a: Variable, s: Scalar) -> Variable { a * (1 / s) }

    @inlinable
    public static func + (a: Variable, s: Scalar) -> Variable {
        Variable(a.value + s, inputs: [a]) { g, _, _, _ in [g] }
    }
    @inlinable public static func + (s: Scalar, a: Variable) -> Variable { a + s }
    @inlinable public static func - (a: Variable, s: Scalar) -> Variable { a + (-s) }
    @inlinable public static func - (s: Scalar, a: Variable) -> Variable { (-a) + s }

    /// s / a entrywise.
    @inlinable
    public static func / (s: Scalar, a: Variable) -> Variable { Variable(Matrix.scalar(s)) / a }
}

/// Sum of several variables of broadcast-compatible shapes (e.g. a sum of losses).
@inlinable
public func sum<Scalar>(_ terms: [Variable<Scalar>]) -> Variable<Scalar> {
    ensure(!terms.isEmpty, "sum of no variables")
    return terms.dropFirst().reduce(terms[0], +)
}
