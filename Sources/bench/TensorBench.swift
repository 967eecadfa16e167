import Theory
import MetaLearning
import Model
import Autodiff
import Teleport
import Tensor

/// The machine's reference rates: a large square product through OpenBLAS, single-threaded as
/// the project runs BLAS (runs parallelise across processes instead), in Float32 (`peak/sgemm`)
/// and Float64 (`peak/dgemm`). Every benchmark with a flop count reports how close it comes to
/// the time its flops take at these rates. 2 n^3 flops.
func peakBenchmark<Scalar: BLASScalar>(_ type: Scalar.Type, size n: Int = 2048) -> Benchmark {
    let name = Scalar.self == Float.self ? "sgemm" : "dgemm"
    return Benchmark("peak/\(name)", "one \(n)x\(n) by \(n)x\(n) \(Scalar.self == Float.self ? "Float32" : "Float64") "
                     + "product, OpenBLAS, 1 thread", repeats: Scalar.self == Float.self ? 7 : 5) {
        var g = SeededGenerator(seed: 5)
        let a = Matrix<Scalar>.uniform(n, n, low: -1, high: 1, using: &g)
        let b = Matrix<Scalar>.uniform(n, n, low: -1, high: 1, using: &g)
        var c = Matrix<Scalar>.zeros(n, n)
        return { gemm(a, b, into: &c) }
    }
}

/// Kernels of the numeric core: sgemm on the paper's layer shapes, one autodiff training step
/// of the MNIST MLP, and a double-backpropagation step through the pinv-based group action.
func tensorBenchmarks() -> [Benchmark] {
    /// `inner` products of m x k by k x n: 2 m k n flops each.
    func sgemm(_ name: String, m: Int, k: Int, n: Int, inner: Int) -> Benchmark {
        Benchmark("sgemm/\(name)", "\(inner) x (\(m)x\(k) by \(k)x\(n)) Float32 products",
                  flops: Double(inner) * 2 * Double(m * k * n)) {
            var g = SeededGenerator(seed: 1)
            let a = Matrix<Float>.uniform(m, k, low: -1, high: 1, using: &g)
            let b = Matrix<Float>.uniform(k, n, using: &g)
            var c = Matrix<Float>.zeros(m, n)
            return { for _ in 0..<inner { gemm(a, b, into: &c) } }
        }
    }

    return [
        sgemm("mnist", m: 16, k: 784, n: 20, inner: 200),
        sgemm("cifar", m: 128, k: 3072, n: 20, inner: 10),
    ] + [(16, "mnist"), (128, "cifar")].flatMap { rows, name -> [Benchmark] in
        // The hidden activations a teleport's group action inverts (k x batch 200): pinv
        // by Cholesky QR, and the same cutoff given explicitly, which takes the SVD.
        let detail = "pinv of a \(rows)x200 Float32 matrix (torch cutoff)"
        func make() -> Matrix<Float> {
            var g = SeededGenerator(seed: 3)
            return Matrix<Float>.uniform(rows, 200, low: -1, high: 1, using: &g)
        }
        return [
            Benchmark("linalg/pinv/\(name)/svd", detail + ", SVD", repeats: 51) {
                let a = make()
                return { _ = pinv(a, rtol: 200 * Float.ulpOfOne) }
            },
            Benchmark("linalg/pinv/\(name)", detail + ", Cholesky QR", repeats: 51, naive: "linalg/pinv/\(name)/svd") {
                let a = make()
                return { _ = pinv(a) }
            },
        ]
    } + [
        Benchmark("linalg/matrixExp", "exp of a 16x16 matrix of norm ~4 (Pade 13)", repeats: 51) {
            var g = SeededGenerator(seed: 4)
            let a = Matrix<Float>.uniform(16, 16, low: -0.5, high: 0.5, using: &g)
            return { _ = matrixExp(a) }
        },
        Benchmark("autodiff/mlp-step", "forward + backward of the 784-16-10-10 MLP, batch 20, Float32",
                  repeats: 101, flops: MLPShape.mnist.trainingFlops(samples: 20)) {
            let (w, x, labels) = mnistShapedProblem(batch: 20)
            return {
                let params = w.map { Variable($0, requiresGrad: true) }
                let loss = mlpLoss(params, x: Variable(x), labels: labels)
                _ = grad(of: loss, wrt: params)
            }
        },
    ]
}

/// Weights of a 784-16-10-10 MLP (uniform +-1/sqrt(fan_in)), a random batch and labels.
private func mnistShapedProblem(batch: Int) -> ([Matrix<Float>], Matrix<Float>, [Int]) {
    var g = SeededGenerator(seed: 2)
    let dims = [784, 16, 10, 10]
    let w = (0..<3).map { i -> Matrix<Float> in
        let bound = 1 / Float(dims[i]).squareRoot()
        return Matrix.uniform(dims[i + 1], dims[i], low: -bound, high: bound, using: &g)
    }
    let x = Matrix<Float>.uniform(784, batch, using: &g)
    return (w, x, (0..<batch).map { _ in g.int(below: 10) })
}

/// The paper's bias-free MLP loss on column-major data (mean cross-entropy).
private func mlpLoss(_ w: [Variable<Float>], x: Variable<Float>, labels: [Int]) -> Variable<Float> {
    var h = x
    for layer in w.dropLast() { h = matmul(layer, h).leakyReLU(0.1) }
    return matmul(w[w.count - 1], h).crossEntropy(labels: labels)
}
