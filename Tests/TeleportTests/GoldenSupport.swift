import Autodiff
import Teleport
import TestSupport

/// Golden arrays as Tensor matrices.
func matrix(_ m: (rows: Int, cols: Int, values: [Double])) -> Matrix<Double> {
    Matrix(rows: m.rows, cols: m.cols, scalars: m.values)
}

extension Golden {
    func mat(_ path: String) throws -> Matrix<Double> { TeleportTests.matrix(try self.matrix(path)) }
    func mats(_ path: String) throws -> [Matrix<Double>] { try self.matrices(path).map { TeleportTests.matrix($0) } }
    func labels(_ path: String) throws -> [Int] { try self.vector(path).map { Int($0) } }
}

/// Max relative error (norm sense) between two lists of matrices.
func relativeError(_ a: [Matrix<Double>], _ b: [Matrix<Double>]) -> Double {
    normRelativeError(a.flatMap(\.scalars), b.flatMap(\.scalars))
}

func relativeError(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
    normRelativeError(a.scalars, b.scalars)
}

func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }
