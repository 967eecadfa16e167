import CBLAS
import CKernels
import Tensor

/// Which code computes the fused trainer's matrix products.
public enum ProductKernel: String, Hashable, Sendable, Codable {
    /// Register-blocked fused multiply-add kernels (CKernels/ProductKernels.c): no packing of
    /// the operands and no library call per product, and the same bits on every machine (AVX-512,
    /// AVX2+FMA and portable copies with one order of operations). The trainer's default on
    /// every network of the paper: on the MNIST MLP a batch-20 step is a few small products,
    /// where packing and call overhead cost more than the arithmetic; on the CIFAR-10 MLPs the
    /// products read the weights where they lie and copy only the crowded image rows, and beat
    /// OpenBLAS's packing (`make bench`: `epoch/*` against their `/openblas` entries).
    case registerBlocked
    /// OpenBLAS sgemm (single-threaded), which packs both operands for every product: the
    /// comparison the tests and the bench make.
    case openBLAS
}

extension ProductKernel {
    /// The copy of the register-blocked kernels this CPU runs: "AVX-512", "AVX2+FMA" or
    /// "portable" (all give the same bits).
    public static var registerBlockedCopy: String {
        switch teleport_product_kernel_level() {
        case 3: "AVX-512"
        case 2: "AVX2+FMA"
        default: "portable"
        }
    }
}

/// The dense kernels of the fused trainer, row-major with samples as rows.
///
/// Shapes: a batch of `m` rows, a weight `W` of `n x k`. Each product goes to the kernel the
/// trainer was built with (`ProductKernel`).
struct Kernels {
    let product: ProductKernel

    /// `C (m x n) = A (m x k) · Bᵀ`, `B` being `n x k` (the forward pass through a layer).
    /// `next`: where the next product's `A` starts, if known; the register-blocked kernel
    /// prefetches its first rows (`teleport_product_nt_then`; no value changes).
    func multiplyTransposed(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>,
                            _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                            next: UnsafePointer<Float>? = nil) {
        switch product {
        case .registerBlocked:
            teleport_product_nt_then(m, n, k, a, k, b, k, c, n, next)
        case .openBLAS:
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                        1, a, Int32(k), b, Int32(k), 0, c, Int32(n))
        }
    }

    /// `C (n x k) = alpha Aᵀ · B + beta C`, `A` being `m x n` and `B` `m x k`, beta 0 or 1 (a
    /// weight gradient δᵀ H; with `alpha = -lr, beta = 1` and `C = W`, an SGD step on `W`).
    func transposedMultiply(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>,
                            _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                            alpha: Float = 1, beta: Float = 0) {
        switch product {
        case .registerBlocked:
            ensure(beta == 0 || beta == 1, "the register-blocked products take beta 0 or 1")
            // Aᵀ(i, t) = A[t][i]: row stride 1, depth stride n.
            teleport_product_accumulate(n, k, m, a, 1, n, b, k, c, k, alpha, beta)
        case .openBLAS:
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(k), Int32(m),
                        alpha, a, Int32(n), b, Int32(k), beta, c, Int32(k))
        }
    }

    /// `C (m x k) = A (m x n) · B`, `B` being `n x k` (back-propagation through a layer).
    func multiply(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>,
                  _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
        switch product {
        case .registerBlocked:
            teleport_product_accumulate(m, k, n, a, n, 1, b, k, c, k, 1, 0)
        case .openBLAS:
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(k), Int32(n),
                        1, a, Int32(n), b, Int32(k), 0, c, Int32(k))
        }
    }

    /// `x = LeakyReLU(x)` in place.
    static func leakyReLU(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let slope = Float(leakySlope)
        for i in 0..<count { x[i] = x[i] > 0 ? x[i] : slope * x[i] }
    }

    /// `δ *= LeakyReLU'` given the layer's output `h` (positive exactly where its input is).
    static func leakyReLUBackward(_ delta: UnsafeMutablePointer<Float>, activation h: UnsafePointer<Float>,
                                  count: Int) {
        let slope = Float(leakySlope)
        for i in 0..<count { delta[i] = h[i] > 0 ? delta[i] : slope * delta[i] }
    }
}
