// The Tensor module: dense matrices over Float (training) and Double (checks) on
// OpenBLAS/LAPACKE. Matrix.swift (storage, construction, random fills), Layout.swift
// (transpose, slices, concatenation, broadcasting), Elementwise.swift, Reductions.swift,
// Linalg.swift (gemm, SVD, pinv, solve, matrix exponential), BLAS.swift (Float/Double
// dispatch), Random.swift (the seeded generator).

/// Stops with `message` when `condition` is false. Unlike `precondition`, it stays active in
/// `-Ounchecked` builds (`make bench` compares one), so that a shape mismatch stops with a
/// message instead of reading out of bounds. Checked once per operation, never per entry.
@inlinable @inline(__always)
public func ensure(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = "check failed",
                   file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

/// A dense, row-major matrix with value semantics (copy-on-write through its `Array` storage).
///
/// Entry (i, j) is `scalars[i * cols + j]`. Vectors are n x 1 (columns) or 1 x n (rows) and a
/// scalar is 1 x 1. Data sets follow the paper's column-major convention: X is features x batch.
public struct Matrix<Scalar: BLASScalar>: Equatable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let cols: Int
    /// The entries in row-major order (`rows * cols` of them). Mutate in place freely, but keep
    /// the count.
    public var scalars: [Scalar]

    /// A matrix from row-major entries.
    @inlinable
    public init(rows: Int, cols: Int, scalars: [Scalar]) {
        ensure(rows >= 0 && cols >= 0 && scalars.count == rows * cols,
               "Matrix(\(rows)x\(cols)) needs \(rows * cols) scalars, got \(scalars.count)")
        self.rows = rows
        self.cols = cols
        self.scalars = scalars
    }

    /// A matrix with every entry equal to `value`.
    @inlinable
    public init(rows: Int, cols: Int, repeating value: Scalar) {
        self.init(rows: rows, cols: cols, scalars: Array(repeating: value, count: rows * cols))
    }

    /// A matrix from nested rows, e.g. `Matrix([[1, 2], [3, 4]])`.
    @inlinable
    public init(_ nested: [[Scalar]]) {
        let c = nested.first?.count ?? 0
        ensure(nested.allSatisfy { $0.count == c }, "Matrix rows of unequal length")
        self.init(rows: nested.count, cols: c, scalars: nested.flatMap { $0 })
    }

    /// A matrix whose entry (i, j) is `entry(i, j)`.
    @inlinable
    public init(rows: Int, cols: Int, entry: (Int, Int) -> Scalar) {
        var s: [Scalar] = []
        s.reserveCapacity(rows * cols)
        for i in 0..<rows { for j in 0..<cols { s.append(entry(i, j)) } }
        self.init(rows: rows, cols: cols, scalars: s)
    }

    /// A matrix whose entries are all written by `initializer` (which must write every one of
    /// the rows * cols entries of the buffer it is given; skips zero-filling).
    @inlinable
    public init(rows: Int, cols: Int,
                unsafeUninitialized initializer: (inout UnsafeMutableBufferPointer<Scalar>) -> Void) {
        let n = rows * cols
        self.init(rows: rows, cols: cols,
                  scalars: Array(unsafeUninitializedCapacity: n) { buffer, count in
                      initializer(&buffer)
                      count = n
                  })
    }

    /// Converts between precisions (e.g. a `Matrix<Double>` to `Matrix<Float>`).
    @inlinable
    public init<Other: BLASScalar>(_ other: Matrix<Other>) {
        // Concrete conversions for the two scalars: the generic BinaryFloatingPoint initialiser
        // goes through dynamic casts per entry when it is not specialised (the same values).
        let scalars: [Scalar]
        if Other.self == Scalar.self {
            scalars = unsafeBitCast(other.scalars, to: [Scalar].self)
        } else if Other.self == Float.self && Scalar.self == Double.self {
            scalars = unsafeBitCast(Self.converted(unsafeBitCast(other.scalars, to: [Float].self), Double.init), to: [Scalar].self)
        } else if Other.self == Double.self && Scalar.self == Float.self {
            scalars = unsafeBitCast(Self.converted(unsafeBitCast(other.scalars, to: [Double].self), Float.init), to: [Scalar].self)
        } else {
            scalars = other.scalars.map { Scalar($0) }
        }
        self.init(rows: other.rows, cols: other.cols, scalars: scalars)
    }

    /// `source.map(convert)` as one loop over raw buffers (the compiler vectorises it; `map`
    /// appends entry by entry).
    @inlinable
    static func converted<From, To>(_ source: [From], _ convert: (From) -> To) -> [To] {
        [To](unsafeUninitializedCapacity: source.count) { out, count in
            source.withUnsafeBufferPointer { src in
                for i in 0..<src.count { out[i] = convert(src[i]) }
            }
            count = source.count
        }
    }

    /// The all-zero matrix.
    @inlinable
    public static func zeros(_ rows: Int, _ cols: Int) -> Matrix {
        Matrix(rows: rows, cols: cols, repeating: 0)
    }

    /// The all-one matrix.
    @inlinable
    public static func ones(_ rows: Int, _ cols: Int) -> Matrix {
        Matrix(rows: rows, cols: cols, repeating: 1)
    }

    /// The n x n identity.
    @inlinable
    public static func identity(_ n: Int) -> Matrix {
        var m = zeros(n, n)
        for i in 0..<n { m.scalars[i * n + i] = 1 }
        return m
    }

    /// A 1 x 1 matrix.
    @inlinable
    public static func scalar(_ x: Scalar) -> Matrix { Matrix(rows: 1, cols: 1, scalars: [x]) }

    /// An n x 1 column vector.
    @inlinable
    public static func column(_ values: [Scalar]) -> Matrix {
        Matrix(rows: values.count, cols: 1, scalars: values)
    }

    /// A 1 x n row vector.
    @inlinable
    public static func row(_ values: [Scalar]) -> Matrix {
        Matrix(rows: 1, cols: values.count, scalars: values)
    }

    /// (rows, cols).
    @inlinable public var shape: (rows: Int, cols: Int) { (rows, cols) }
    /// Number of entries.
    @inlinable public var count: Int { rows * cols }
    /// The single entry of a 1 x 1 matrix.
    @inlinable public var scalar: Scalar {
        ensure(rows == 1 && cols == 1, "scalar of a \(rows)x\(cols) matrix")
        return scalars[0]
    }

    /// Entry (i, j).
    @inlinable
    public subscript(i: Int, j: Int) -> Scalar {
        get { scalars[i * cols + j] }
        set { scalars[i * cols + j] = newValue }
    }

    /// True when the two matrices have the same shape.
    @inlinable
    public func hasSameShape<T>(as other: Matrix<T>) -> Bool { rows == other.rows && cols == other.cols }

    /// The entries as Doubles (row-major), e.g. for comparisons in tests.
    @inlinable public var doubles: [Double] { scalars.map { Double($0) } }

    /// True when every entry is finite.
    @inlinable public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}

/// Encoded as {"rows", "cols", "scalars"} (e.g. weights saved in a run's JSON).
extension Matrix: Codable where Scalar: Codable {}

// MARK: - Random fills

extension Matrix {
    /// Entries i.i.d. uniform in [low, high), drawn row by row (Double draws rounded to Scalar,
    /// so a seed gives the same values in Float and Double up to rounding).
    @inlinable
    public static func uniform(_ rows: Int, _ cols: Int, low: Scalar = 0, high: Scalar = 1,
                               using generator: inout SeededGenerator) -> Matrix {
        let lo = Double(low), hi = Double(high)
        var s: [Scalar] = []
        s.reserveCapacity(rows * cols)
        for _ in 0..<(rows * cols) {
            let x = Scalar(generator.uniform(lo, hi))
            s.append(x < high ? x : high.nextDown)   // rounding to Float can reach `high`
        }
        return Matrix(rows: rows, cols: cols, scalars: s)
    }

    /// Entries i.i.d. normal with the given mean and standard deviation, drawn row by row.
    @inlinable
    public static func normal(_ rows: Int, _ cols: Int, mean: Scalar = 0, std: Scalar = 1,
                              using generator: inout SeededGenerator) -> Matrix {
        let mu = Double(mean), sd = Double(std)
        var s: [Scalar] = []
        s.reserveCapacity(rows * cols)
        for _ in 0..<(rows * cols) { s.append(Scalar(mu + sd * generator.normal())) }
        return Matrix(rows: rows, cols: cols, scalars: s)
    }
}

// MARK: - Printing

extension Matrix: CustomStringConvertible {
    public var description: String {
        var lines = ["Matrix<\(Scalar.self)> \(rows)x\(cols)"]
        let shownRows = Swift.min(rows, 8), shownCols = Swift.min(cols, 8)
        for i in 0..<shownRows {
            var line = (0..<shownCols).map { "\(self[i, $0])" }.joined(separator: " ")
            if cols > shownCols { line += " ..." }
            lines.append("  [" + line + "]")
        }
        if rows > shownRows { lines.append("  ...") }
        return lines.joined(separator: "\n")
    }
}
