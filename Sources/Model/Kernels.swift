import CBLAS

/// The dense kernels of the fused trainer, row-major with samples as rows.
///
/// Shapes: a batch of `m` rows, a weight `W` of `n x k`. The products go to OpenBLAS
/// (single-threaded): it picks AVX-512/AVX2 kernels at run time, with copy-free kernels for the
/// small shapes of batch-20 training, whereas Swift code here is compiled for baseline x86-64.
enum Kernels {
    /// `C (m x n) = A (m x k) · Bᵀ`, `B` being `n x k` (the forward pass through a layer).
    static func multiplyTransposed(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>,
                                   _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, Int32(k), 0, c, Int32(n))
    }

    /// `C (n x k) = alpha Aᵀ · B + beta C`, `A` being `m x n` and `B` `m x k` (a weight
    /// gradient δᵀ H; with `alpha = -lr, beta = 1` and `C = W`, an SGD step on `W`).
    static func transposedMultiply(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>,
                                   _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                   alpha: Float = 1, beta: Float = 0) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(k), Int32(m),
                    alpha, a, Int32(n), b, Int32(k), beta, c, Int32(k))
    }

    /// `C (m x k) = A (m x n) · B`, `B` being `n x k` (back-propagation through a layer).
    static func multiply(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>,
                         _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(k), Int32(n),
                    1, a, Int32(n), b, Int32(k), 0, c, Int32(k))
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
