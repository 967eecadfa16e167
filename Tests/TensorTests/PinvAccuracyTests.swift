import Foundation
import Tensor
import Testing

@Suite struct PinvFloat32Value {
    /// Float32 pinv within two ulps (scaled) of the Float64 one on the same matrix, whatever
    /// its condition below the cutoff: formed in Double, it is correctly rounded. (From the
    /// single-precision SVD it was off by 5e-7 at condition 1 and 1e-5 at condition 100.)
    @Test(arguments: [(6, 4), (4, 6), (5, 5), (16, 200)])
    func correctlyRounded(rows: Int, cols: Int) {
        for condition in [1.0, 10, 100, 1000] {
            var g = SeededGenerator(seed: UInt64(rows * 100 + cols))
            let r = min(rows, cols)
            var u = svd(Matrix<Double>.normal(rows, r, using: &g))!.u
            let v = svd(Matrix<Double>.normal(cols, r, using: &g))!.u
            for j in 0..<r {
                for i in 0..<rows { u[i, j] *= pow(condition, -Double(j) / Double(r - 1)) }
            }
            let a = Matrix<Float>(matmul(u, v, transposeB: true))
            let p64 = pinv(Matrix<Double>(a)).scalars, p32 = pinv(a).doubles
            let scale = p64.reduce(0) { max($0, abs($1)) }
            let error = zip(p32, p64).reduce(0) { max($0, abs($1.0 - $1.1)) } / scale
            #expect(error < 2 * Double(Float.ulpOfOne), "\(rows)x\(cols), condition \(condition): \(error)")
        }
    }
}
