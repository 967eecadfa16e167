/// Elementwise arithmetic with broadcasting, and elementwise functions.
///
/// Broadcasting (as NumPy, restricted to two dimensions): the operands' shapes must agree in
/// each dimension or be 1 there, so a matrix combines with a 1 x 1 scalar, an n x 1 column
/// (applied to every column) or a 1 x m row (applied to every row).

/// The broadcast shape of two shapes, or a precondition failure.
@inlinable
public func broadcastShape(_ a: (rows: Int, cols: Int), _ b: (rows: Int, cols: Int)) -> (rows: Int, cols: Int) {
    func dim(_ x: Int, _ y: Int) -> Int {
        ensure(x == y || x == 1 || y == 1, "shapes \(a) and \(b) do not broadcast")
        return x == 1 ? y : x
    }
    return (dim(a.rows, b.rows), dim(a.cols, b.cols))
}

extension Matrix {
    /// `op` applied to every entry.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func map(_ op: (Scalar) -> Scalar) -> Matrix {
        scalars.withUnsafeBufferPointer { src in
            Matrix(rows: rows, cols: cols, unsafeUninitialized: { dst in
                for i in 0..<src.count { dst[i] = op(src[i]) }
            })
        }
    }

    /// `op` applied to every entry in place.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public mutating func apply(_ op: (Scalar) -> Scalar) {
        scalars.withUnsafeMutableBufferPointer { buf in
            for i in 0..<buf.count { buf[i] = op(buf[i]) }
        }
    }

    /// `op(a, b)` entrywise with broadcasting.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public static func zip(_ a: Matrix, _ b: Matrix, _ op: (Scalar, Scalar) -> Scalar) -> Matrix {
        let (r, c) = broadcastShape(a.shape, b.shape)
        return a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                Matrix(rows: r, cols: c, unsafeUninitialized: { po in
                    if a.rows == b.rows && a.cols == b.cols {
                        for i in 0..<po.count { po[i] = op(pa[i], pb[i]) }
                    } else if b.count == 1 {
                        let y = pb[0]
                        for i in 0..<po.count { po[i] = op(pa[i], y) }
                    } else if a.count == 1 {
                        let x = pa[0]
                        for i in 0..<po.count { po[i] = op(x, pb[i]) }
                    } else {
                        // Strides are 0 along a broadcast dimension.
                        let ars = a.rows == 1 ? 0 : a.cols, acs = a.cols == 1 ? 0 : 1
                        let brs = b.rows == 1 ? 0 : b.cols, bcs = b.cols == 1 ? 0 : 1
                        for i in 0..<r {
                            for j in 0..<c { po[i * c + j] = op(pa[i * ars + j * acs], pb[i * brs + j * bcs]) }
                        }
                    }
                })
            }
        }
    }

    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public static func + (a: Matrix, b: Matrix) -> Matrix { zip(a, b, +) }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public static func - (a: Matrix, b: Matrix) -> Matrix { zip(a, b, -) }
    /// Entrywise (Hadamard) product; `matmul` is the matrix product.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public static func * (a: Matrix, b: Matrix) -> Matrix { zip(a, b, *) }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public static func / (a: Matrix, b: Matrix) -> Matrix { zip(a, b, /) }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public static prefix func - (a: Matrix) -> Matrix { a.map { -$0 } }

    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public static func + (a: Matrix, s: Scalar) -> Matrix { a.map { $0 + s } }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public static func - (a: Matrix, s: Scalar) -> Matrix { a.map { $0 - s } }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public static func * (a: Matrix, s: Scalar) -> Matrix { a.map { $0 * s } }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public static func / (a: Matrix, s: Scalar) -> Matrix { a.map { $0 / s } }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public static func + (s: Scalar, a: Matrix) -> Matrix { a.map { s + $0 } }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public static func - (s: Scalar, a: Matrix) -> Matrix { a.map { s - $0 } }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public static func * (s: Scalar, a: Matrix) -> Matrix { a.map { s * $0 } }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public static func / (s: Scalar, a: Matrix) -> Matrix { a.map { s / $0 } }

    // In place, same shapes (the optimisers' updates).
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public static func += (a: inout Matrix, b: Matrix) { a.add(b, scaledBy: 1) }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public static func -= (a: inout Matrix, b: Matrix) { a.add(b, scaledBy: -1) }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public static func *= (a: inout Matrix, s: Scalar) { a.apply { $0 * s } }

    /// `self += alpha * x` (axpy), same shapes.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public mutating func add(_ x: Matrix, scaledBy alpha: Scalar) {
        ensure(hasSameShape(as: x), "add: \(rows)x\(cols) vs \(x.rows)x\(x.cols)")
        x.scalars.withUnsafeBufferPointer { px in
            scalars.withUnsafeMutableBufferPointer { p in
                for i in 0..<p.count { p[i] += alpha * px[i] }
            }
        }
    }
}

// MARK: - Elementwise functions

extension Matrix {
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func exp() -> Matrix {
        var y = self
        y.scalars.withUnsafeMutableBufferPointer { p in
            if let b = p.baseAddress { Scalar.exp(count: p.count, b, b) }
        }
        return y
    }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func log() -> Matrix { map { Scalar.log($0) } }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func tanh() -> Matrix { map { Scalar.tanh($0) } }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func sqrt() -> Matrix { map { $0.squareRoot() } }
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func abs() -> Matrix { map { Swift.abs($0) } }
    /// Each entry to the power `p` (x * x for p = 2, exact).
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func pow(_ p: Scalar) -> Matrix {
        p == 2 ? map { $0 * $0 } : p == 1 ? self : map { Scalar.pow($0, p) }
    }
    /// 1 / (1 + exp(-x)), computed without overflow.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func sigmoid() -> Matrix {
        map { x in
            if x >= 0 { return 1 / (1 + Scalar.exp(-x)) }
            let e = Scalar.exp(x)
            return e / (1 + e)
        }
    }
    /// x for x > 0, slope * x otherwise (PyTorch's LeakyReLU; the paper uses slope 0.1, and its
    /// inverse is the LeakyReLU with slope 1/0.1).
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func leakyReLU(_ slope: Scalar) -> Matrix { map { $0 > 0 ? $0 : slope * $0 } }
    /// Derivative of `leakyReLU`: 1 for x > 0, slope otherwise (as PyTorch's backward).
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func leakyReLUDerivative(_ slope: Scalar) -> Matrix { map { $0 > 0 ? 1 : slope } }
    /// Each entry clamped to [low, high].
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func clamped(_ low: Scalar, _ high: Scalar) -> Matrix {
        map { Swift.min(Swift.max($0, low), high) }
    }
}
