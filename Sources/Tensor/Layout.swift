/// Shape operations: transpose, reshape, slices, concatenation, broadcasting.
extension Matrix {
    /// The transpose (cols x rows).
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func transposed() -> Matrix {
        if rows == 1 || cols == 1 { return Matrix(rows: cols, cols: rows, scalars: scalars) }
        var out = [Scalar](repeating: 0, count: count)
        let r = rows, c = cols
        scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                // Blocked to stay cache friendly on the 784 x 16 and 3072 x 128 weights.
                let block = 32
                var i0 = 0
                while i0 < r {
                    let i1 = Swift.min(i0 + block, r)
                    var j0 = 0
                    while j0 < c {
                        let j1 = Swift.min(j0 + block, c)
                        for i in i0..<i1 { for j in j0..<j1 { dst[j * r + i] = src[i * c + j] } }
                        j0 = j1
                    }
                    i0 = i1
                }
            }
        }
        return Matrix(rows: c, cols: r, scalars: out)
    }

    /// The same entries (row-major order) viewed as rows x cols.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func reshaped(_ rows: Int, _ cols: Int) -> Matrix {
        ensure(rows * cols == count, "cannot reshape \(self.rows)x\(self.cols) to \(rows)x\(cols)")
        return Matrix(rows: rows, cols: cols, scalars: scalars)
    }

    /// The entries as an n x 1 column (row-major order, as PyTorch's `flatten`).
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func flattened() -> Matrix { reshaped(count, 1) }

    /// The block of rows `rowRange` and columns `colRange`.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func slice(rows rowRange: Range<Int>, cols colRange: Range<Int>) -> Matrix {
        ensure(rowRange.lowerBound >= 0 && rowRange.upperBound <= rows
               && colRange.lowerBound >= 0 && colRange.upperBound <= cols,
               "slice \(rowRange), \(colRange) out of \(rows)x\(cols)")
        if colRange.count == cols {
            return Matrix(rows: rowRange.count, cols: cols,
                          scalars: Array(scalars[(rowRange.lowerBound * cols)..<(rowRange.upperBound * cols)]))
        }
        var out: [Scalar] = []
        out.reserveCapacity(rowRange.count * colRange.count)
        for i in rowRange {
            out.append(contentsOf: scalars[(i * cols + colRange.lowerBound)..<(i * cols + colRange.upperBound)])
        }
        return Matrix(rows: rowRange.count, cols: colRange.count, scalars: out)
    }

    /// Rows `range`, all columns.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func slice(rows range: Range<Int>) -> Matrix { slice(rows: range, cols: 0..<cols) }

    /// Columns `range`, all rows (e.g. a mini-batch of a features x samples data matrix).
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func slice(cols range: Range<Int>) -> Matrix { slice(rows: 0..<rows, cols: range) }

    /// A zero matrix of shape rows x cols with `self` written at (rowOffset, colOffset): the
    /// adjoint of `slice`.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func embedded(inRows rows: Int, cols: Int, at rowOffset: Int, _ colOffset: Int) -> Matrix {
        ensure(rowOffset >= 0 && colOffset >= 0 && rowOffset + self.rows <= rows
               && colOffset + self.cols <= cols, "embedding does not fit")
        var out = Matrix.zeros(rows, cols)
        for i in 0..<self.rows {
            for j in 0..<self.cols { out.scalars[(i + rowOffset) * cols + j + colOffset] = self[i, j] }
        }
        return out
    }

    /// Columns gathered in the given order (e.g. a shuffled mini-batch of samples).
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func columns(_ indices: [Int]) -> Matrix {
        var out = Matrix.zeros(rows, indices.count)
        for i in 0..<rows {
            for (k, j) in indices.enumerated() { out.scalars[i * indices.count + k] = scalars[i * cols + j] }
        }
        return out
    }

    /// Broadcasts a matrix with rows or cols equal to 1 (or equal to the target) to rows x cols.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    @inlinable
    public func broadcast(toRows rows: Int, cols: Int) -> Matrix {
        if rows == self.rows && cols == self.cols { return self }
        ensure((self.rows == rows || self.rows == 1) && (self.cols == cols || self.cols == 1),
               "cannot broadcast \(self.rows)x\(self.cols) to \(rows)x\(cols)")
        let rowStride = self.rows == 1 ? 0 : self.cols, colStride = self.cols == 1 ? 0 : 1
        return scalars.withUnsafeBufferPointer { src in
            Matrix(rows: rows, cols: cols, unsafeUninitialized: { dst in
                for i in 0..<rows {
                    for j in 0..<cols { dst[i * cols + j] = src[i * rowStride + j * colStride] }
                }
            })
        }
    }
}

/// Side by side: matrices with equal row counts joined along the columns ([A, B]).
@_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
@inlinable
public func hconcat<Scalar>(_ parts: [Matrix<Scalar>]) -> Matrix<Scalar> {
    ensure(!parts.isEmpty, "hconcat of nothing")
    let rows = parts[0].rows
    ensure(parts.allSatisfy { $0.rows == rows }, "hconcat needs equal row counts")
    let cols = parts.reduce(0) { $0 + $1.cols }
    var out: [Scalar] = []
    out.reserveCapacity(rows * cols)
    for i in 0..<rows {
        for p in parts { out.append(contentsOf: p.scalars[(i * p.cols)..<((i + 1) * p.cols)]) }
    }
    return Matrix(rows: rows, cols: cols, scalars: out)
}

/// One above the other: matrices with equal column counts joined along the rows ([A; B]).
@_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
@inlinable
public func vconcat<Scalar>(_ parts: [Matrix<Scalar>]) -> Matrix<Scalar> {
    ensure(!parts.isEmpty, "vconcat of nothing")
    let cols = parts[0].cols
    ensure(parts.allSatisfy { $0.cols == cols }, "vconcat needs equal column counts")
    return Matrix(rows: parts.reduce(0) { $0 + $1.rows }, cols: cols,
                  scalars: parts.flatMap { $0.scalars })
}
