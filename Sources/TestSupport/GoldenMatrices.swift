import Foundation
import Tensor

/// A golden 2-D array as a Float64 matrix.
public func matrix(_ m: (rows: Int, cols: Int, values: [Double])) -> Matrix<Double> {
    Matrix(rows: m.rows, cols: m.cols, scalars: m.values)
}

extension Golden {
    /// The 2-D array at `path` as a matrix.
    public func mat(_ path: String) throws -> Matrix<Double> { TestSupport.matrix(try self.matrix(path)) }
    /// The list of 2-D arrays at `path` (a weight list) as matrices.
    public func mats(_ path: String) throws -> [Matrix<Double>] { try self.matrices(path).map { TestSupport.matrix($0) } }
    /// The vector at `path` as class labels.
    public func labels(_ path: String) throws -> [Int] { try self.vector(path).map { Int($0) } }
}

/// Relative error (norm sense) between two lists of matrices.
public func relativeError(_ a: [Matrix<Double>], _ b: [Matrix<Double>]) -> Double {
    normRelativeError(a.flatMap(\.scalars), b.flatMap(\.scalars))
}

/// Relative error (norm sense) between two matrices.
public func relativeError(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
    normRelativeError(a.scalars, b.scalars)
}

/// |a - b| / |b|.
public func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }
