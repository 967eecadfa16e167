import Testing
@testable import Tensor

/// The benchmarks' flop counter: 2mnk per product, the BLAS-3 calls of the Cholesky
/// pseudo-inverse, nothing when off. Serialized: one thread counts at a time.
@Suite(.serialized) struct ProductFlopsTests {
    @Test func productsCountTwoMultiplyAddsPerTerm() {
        var g = SeededGenerator(seed: 1)
        let a = Matrix<Float>.uniform(3, 5, using: &g), b = Matrix<Float>.uniform(5, 7, using: &g)
        #expect(ProductFlops.count { _ = matmul(a, b) } == ProductFlops.Work(single: 2 * 3 * 5 * 7, double: 0))
        #expect(ProductFlops.count { _ = matmul(a, b); _ = matmul(b, a, transposeA: true, transposeB: true) }.single
                == 4 * 3 * 5 * 7)
        let x = Matrix<Double>.uniform(4, 9, using: &g)
        #expect(ProductFlops.count { _ = matmul(x, x, transposeB: true) } == ProductFlops.Work(single: 0, double: 2 * 4 * 9 * 4))
        // Off outside `count`: a product afterwards adds nothing to a later count.
        _ = matmul(a, b)
        #expect(ProductFlops.count {}.total == 0)
    }

    @Test func choleskyPseudoInverseCountsSyrkAndTrsm() throws {
        var g = SeededGenerator(seed: 2)
        let (m, n) = (4, 10)
        let a = Matrix<Double>.uniform(m, n, low: -1, high: 1, using: &g)
        var result: (pinv: Matrix<Double>, q: Matrix<Double>)?
        let flops = ProductFlops.count { result = choleskyPseudoInverse(a, rtol: 1e-12) }
        try #require(result != nil)
        // syrk A Aᵀ (m(m+1)n), Q = L⁻¹A (m²n), and Qᵀ L⁻¹ for the pinv (m²n).
        #expect(flops == ProductFlops.Work(single: 0, double: Double(m * (m + 1) * n + 2 * m * m * n)))
    }
}
