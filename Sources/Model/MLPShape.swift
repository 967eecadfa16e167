import Tensor

/// The architecture of a bias-free multilayer perceptron, `d[0] -> d[1] -> ... -> d[L]`.
///
/// Layer `i` (0-based) has weight `W[i]` of shape `d[i+1] x d[i]`, stored row-major. All
/// weights live in one flat parameter buffer, `W[0]` first, each matrix row-major, so a
/// parameter vector, its gradient and optimiser state share one layout.
///
/// Hidden layers apply LeakyReLU with slope `leakySlope` (0.1, Network.swift); the output layer is
/// linear. With samples as rows (`X` is `batch x d[0]`), layer `i` computes `H W[i]ᵀ`.
public struct MLPShape: Hashable, Sendable, CustomStringConvertible {
    /// Layer widths `d[0...L]`: input size first, output size last.
    public let dims: [Int]

    /// Creates the shape for widths `dims` (at least an input and an output size).
    public init(_ dims: [Int]) {
        ensure(dims.count >= 2 && dims.allSatisfy { $0 > 0 }, "MLPShape needs >= 2 positive widths")
        self.dims = dims
    }

    /// 784-16-10-10, the MNIST and Fashion-MNIST model of the paper.
    public static let mnist = MLPShape([784, 16, 10, 10])
    /// 3072-128-32-10, the CIFAR-10 model of the paper.
    public static let cifar = MLPShape([3072, 128, 32, 10])
    /// 3072-32-10-10, the CIFAR-10 model of the sharpness/curvature teleportation result.
    public static let cifarSmall = MLPShape([3072, 32, 10, 10])

    /// Number of weight matrices `L`.
    public var layerCount: Int { dims.count - 1 }
    /// `d[0]`, the number of features of one sample.
    public var inputSize: Int { dims[0] }
    /// `d[L]`, the number of outputs (classes).
    public var outputSize: Int { dims[dims.count - 1] }

    /// Shape of `W[layer]`: `d[layer+1]` rows, `d[layer]` columns.
    public func weightShape(_ layer: Int) -> (rows: Int, cols: Int) {
        (dims[layer + 1], dims[layer])
    }

    /// Index of the first entry of `W[layer]` in the flat parameter buffer.
    public func weightOffset(_ layer: Int) -> Int {
        var offset = 0
        for i in 0..<layer { offset += dims[i + 1] * dims[i] }
        return offset
    }

    /// Index range of `W[layer]` in the flat parameter buffer.
    public func weightRange(_ layer: Int) -> Range<Int> {
        let start = weightOffset(layer)
        return start..<(start + dims[layer + 1] * dims[layer])
    }

    /// Total number of weights.
    public var parameterCount: Int { weightOffset(layerCount) }

    public var description: String { dims.map(String.init).joined(separator: "-") }

    /// PyTorch-style initial weights: every entry of `W[i]` i.i.d. uniform in
    /// `[-1/sqrt(d[i]), 1/sqrt(d[i])]`.
    ///
    /// Draw order: layer by layer (`W[0]` first), each matrix row-major, one
    /// `SeededGenerator(seed:).uniform(-b, b)` Double per entry, rounded to `Scalar`; the Float
    /// and Double initialisations of one seed therefore agree to Float rounding.
    public func initialParameters<Scalar: BinaryFloatingPoint>(
        seed: UInt64, as: Scalar.Type = Scalar.self
    ) -> [Scalar] {
        var generator = SeededGenerator(seed: seed)
        var parameters: [Scalar] = []
        parameters.reserveCapacity(parameterCount)
        for layer in 0..<layerCount {
            let bound = 1 / Double(dims[layer]).squareRoot()
            for _ in 0..<(dims[layer + 1] * dims[layer]) {
                parameters.append(Scalar(generator.uniform(-bound, bound)))
            }
        }
        return parameters
    }

    /// The published code's initial weights, `init_param_MLP(dims, seed)`: `torch.manual_seed(seed)`,
    /// then per layer `W = 2k * torch.rand(out, in) - k` with k = 1/sqrt(in), in float32
    /// (the product, then the difference, each rounded as PyTorch rounds them), row-major.
    public func publishedInitialParameters(seed: UInt64) -> [Float] {
        var generator = TorchGenerator(seed: seed)
        var parameters: [Float] = []
        parameters.reserveCapacity(parameterCount)
        for layer in 0..<layerCount {
            let k = 1 / Double(dims[layer]).squareRoot()
            let twoK = Float(2 * k), kFloat = Float(k)
            for _ in 0..<(dims[layer + 1] * dims[layer]) {
                parameters.append(twoK * generator.uniformFloat() - kFloat)
            }
        }
        return parameters
    }
}
