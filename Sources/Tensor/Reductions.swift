/// The axis a reduction runs along.
///
/// `.rows` runs over the rows (the row index varies): a rows x cols matrix becomes 1 x cols,
/// one result per column, as PyTorch's `dim=0`. The paper's outputs are classes x batch, so
/// "softmax over the output rows" is `logSoftmax(over: .rows)`, one distribution per sample.
/// `.columns` runs over the columns: the result is rows x 1, as `dim=1`.
public enum Axis: Sendable, Equatable {
    case rows
    case columns
}

extension Matrix {
    /// Sum of all entries.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func sum() -> Scalar {
        scalars.withUnsafeBufferPointer { p in
            var s: Scalar = 0
            for x in p { s += x }
            return s
        }
    }

    /// Mean of all entries.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func mean() -> Scalar { sum() / Scalar(count) }

    /// Sums along `axis`: 1 x cols for `.rows`, rows x 1 for `.columns`.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func sum(over axis: Axis) -> Matrix {
        let r = rows, c = cols
        switch axis {
        case .rows:
            var out = [Scalar](repeating: 0, count: c)
            scalars.withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { o in
                    for i in 0..<r { for j in 0..<c { o[j] += p[i * c + j] } }
                }
            }
            return Matrix(rows: 1, cols: c, scalars: out)
        case .columns:
            var out = [Scalar](repeating: 0, count: r)
            scalars.withUnsafeBufferPointer { p in
                for i in 0..<r {
                    var s: Scalar = 0
                    for j in 0..<c { s += p[i * c + j] }
                    out[i] = s
                }
            }
            return Matrix(rows: r, cols: 1, scalars: out)
        }
    }

    /// Means along `axis`.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func mean(over axis: Axis) -> Matrix {
        sum(over: axis) / Scalar(axis == .rows ? rows : cols)
    }

    /// Sums a broadcast result back to rows x cols (each 1 or equal to the current size): the
    /// adjoint of `broadcast(toRows:cols:)`.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func summed(toRows rows: Int, cols: Int) -> Matrix {
        var out = self
        if rows == 1 && out.rows != 1 { out = out.sum(over: .rows) }
        if cols == 1 && out.cols != 1 { out = out.sum(over: .columns) }
        ensure(out.rows == rows && out.cols == cols,
               "cannot sum \(self.rows)x\(self.cols) to \(rows)x\(cols)")
        return out
    }

    /// Largest entry.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func max() -> Scalar { scalars.max() ?? -.infinity }
    /// Smallest entry.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func min() -> Scalar { scalars.min() ?? .infinity }
    /// Largest absolute value.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func maxAbs() -> Scalar { scalars.reduce(0) { Swift.max($0, Swift.abs($1)) } }

    /// Sum of squares (squared Frobenius norm).
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func squaredNorm() -> Scalar {
        scalars.withUnsafeBufferPointer { p in
            var s: Scalar = 0
            for x in p { s += x * x }
            return s
        }
    }

    /// Frobenius norm.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable public func norm() -> Scalar { squaredNorm().squareRoot() }

    /// Frobenius inner product: sum of a * b over the entries (same shapes).
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func dot(_ other: Matrix) -> Scalar {
        ensure(hasSameShape(as: other), "dot: \(rows)x\(cols) vs \(other.rows)x\(other.cols)")
        return scalars.withUnsafeBufferPointer { p in
            other.scalars.withUnsafeBufferPointer { q in
                var s: Scalar = 0
                for i in 0..<p.count { s += p[i] * q[i] }
                return s
            }
        }
    }

    /// Row-wise or column-wise log(sum(exp(x))), computed stably (max subtracted).
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func logSumExp(over axis: Axis) -> Matrix {
        // Line i (a column for `.rows`, a row for `.columns`) has `length` entries, entry j at
        // p[i * step + j * stride]. Each line: its max m, then the sum of exp(x - m) in order
        // of j, then m + log(sum). The lines are visited side by side (for `.rows`, j outer and
        // the contiguous columns inner), so that exp takes the entries of all lines at once
        // (`exp(count:)`); each line's additions keep their order.
        let (lines, length, step, stride) = axis == .rows ? (cols, rows, 1, cols) : (rows, cols, cols, 1)
        var m = [Scalar](repeating: -Scalar.infinity, count: lines)
        var s = [Scalar](repeating: 0, count: lines)
        var e = [Scalar](repeating: 0, count: lines)
        // Through plain pointers and wrapping index arithmetic, so that the loops over the lines
        // vectorise (contiguous for `.rows`); the same operations in the same order.
        scalars.withUnsafeBufferPointer { p in
            m.withUnsafeMutableBufferPointer { m in
                s.withUnsafeMutableBufferPointer { s in
                    e.withUnsafeMutableBufferPointer { e in
                        guard lines > 0, let p = p.baseAddress, let m = m.baseAddress,
                              let s = s.baseAddress, let e = e.baseAddress else { return }
                        for j in 0..<length {
                            let x = p + j &* stride
                            for i in 0..<lines { m[i] = Swift.max(m[i], x[i &* step]) }
                        }
                        for j in 0..<length {
                            let x = p + j &* stride
                            for i in 0..<lines { e[i] = x[i &* step] - m[i] }
                            Scalar.exp(count: lines, e, e)
                            for i in 0..<lines where m[i].isFinite { s[i] += e[i] }
                        }
                    }
                }
            }
        }
        let out = (0..<lines).map { i in m[i].isFinite ? m[i] + Scalar.log(s[i]) : m[i] }
        return axis == .rows ? Matrix(rows: 1, cols: cols, scalars: out)
                             : Matrix(rows: rows, cols: 1, scalars: out)
    }

    /// log(softmax(x)) along `axis` (`.rows`: one distribution per column).
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func logSoftmax(over axis: Axis) -> Matrix { self - logSumExp(over: axis) }

    /// softmax(x) along `axis`.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func softmax(over axis: Axis) -> Matrix { logSoftmax(over: axis).exp() }

    /// Index of the largest entry along `axis` (`.rows`: one index per column, e.g. the
    /// predicted class of each sample of a classes x batch output).
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func argmax(over axis: Axis) -> [Int] {
        switch axis {
        case .rows:
            return (0..<cols).map { j in
                var best = 0
                for i in 1..<Swift.max(rows, 1) where self[i, j] > self[best, j] { best = i }
                return best
            }
        case .columns:
            return (0..<rows).map { i in
                var best = 0
                for j in 1..<Swift.max(cols, 1) where self[i, j] > self[i, best] { best = j }
                return best
            }
        }
    }
}
