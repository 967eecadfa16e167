// Shape operations. Each backward rule is the adjoint layout operation.

extension Variable {
    /// The transpose.
    @inlinable
    public func transposed() -> Variable {
        Variable(value.transposed(), inputs: [self]) { g, _, _, _ in [g.transposed()] }
    }

    /// The same entries (row-major order) as rows x cols.
    @inlinable
    public func reshaped(_ rows: Int, _ cols: Int) -> Variable {
        if rows == self.rows && cols == self.cols { return self }
        return Variable(value.reshaped(rows, cols), inputs: [self]) { g, x, _, _ in
            [g.reshaped(x[0].rows, x[0].cols)]
        }
    }

    /// The entries as an n x 1 column (row-major order).
    @inlinable
    public func flattened() -> Variable { reshaped(value.count, 1) }

    /// The block of rows `rowRange` and columns `colRange`.
    @inlinable
    public func slice(rows rowRange: Range<Int>, cols colRange: Range<Int>) -> Variable {
        if rowRange == 0..<rows && colRange == 0..<cols { return self }
        return Variable(value.slice(rows: rowRange, cols: colRange), inputs: [self]) { g, x, _, _ in
            [g.embedded(inRows: x[0].rows, cols: x[0].cols, at: rowRange.lowerBound, colRange.lowerBound)]
        }
    }

    /// Rows `range`, all columns.
    @inlinable
    public func slice(rows range: Range<Int>) -> Variable { slice(rows: range, cols: 0..<cols) }

    /// Columns `range`, all rows.
    @inlinable
    public func slice(cols range: Range<Int>) -> Variable { slice(rows: 0..<rows, cols: range) }

    /// Zero padding: a rows x cols matrix of zeros with `self` at (rowOffset, colOffset).
    /// Adjoint of `slice`.
    @inlinable
    public func embedded(inRows rows: Int, cols: Int, at rowOffset: Int, _ colOffset: Int) -> Variable {
        let r = self.rows, c = self.cols
        return Variable(value.embedded(inRows: rows, cols: cols, at: rowOffset, colOffset),
                        inputs: [self]) { g, _, _, _ in
            [g.slice(rows: rowOffset..<(rowOffset + r), cols: colOffset..<(colOffset + c))]
        }
    }

    /// Splits into consecutive blocks of rows (`along: .rows`) or of columns (`along: .columns`)
    /// with the given sizes. Inverse of `vconcat` / `hconcat`.
    @inlinable
    public func split(sizes: [Int], along axis: Axis) -> [Variable] {
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return axis == .rows ? slice(rows: start..<(start + size)) : slice(cols: start..<(start + size))
        }
    }
}

/// Side by side: variables with equal row counts joined along the columns ([A, B]).
@inlinable
public func hconcat<Scalar>(_ parts: [Variable<Scalar>]) -> Variable<Scalar> {
    if parts.count == 1 { return parts[0] }
    return Variable(hconcat(parts.map(\.value)), inputs: parts) { g, x, _, needs in
        var start = 0
        return x.indices.map { i in
            defer { start += x[i].cols }
            return needs[i] ? g.slice(cols: start..<(start + x[i].cols)) : nil
        }
    }
}

/// One above the other: variables with equal column counts joined along the rows ([A; B]).
@inlinable
public func vconcat<Scalar>(_ parts: [Variable<Scalar>]) -> Variable<Scalar> {
    if parts.count == 1 { return parts[0] }
    return Variable(vconcat(parts.map(\.value)), inputs: parts) { g, x, _, needs in
        var start = 0
        return x.indices.map { i in
            defer { start += x[i].rows }
            return needs[i] ? g.slice(rows: start..<(start + x[i].rows)) : nil
        }
    }
}
