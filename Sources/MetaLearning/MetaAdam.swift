import Model
import Teleport
import Foundation
import Autodiff

/// Adam (Kingma and Ba; PyTorch's defaults beta1 = 0.9, beta2 = 0.999, eps = 1e-8, no weight
/// decay) over a list of parameter matrices, each with its own learning rate. Used to
/// meta-train the LSTM parameters. As in PyTorch, the moments are kept in the parameters'
/// precision.
public struct MetaAdam<Scalar: BLASScalar> {
    /// Learning rate of each parameter.
    public var learningRates: [Double]
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    /// Number of steps taken.
    public private(set) var stepCount = 0
    var firstMoment: [[Scalar]]
    var secondMoment: [[Scalar]]

    /// Adam state for parameters with the given values' shapes.
    public init(parameters: [Matrix<Scalar>], learningRates: [Double]) {
        ensure(parameters.count == learningRates.count, "one learning rate per parameter")
        self.learningRates = learningRates
        firstMoment = parameters.map { [Scalar](repeating: 0, count: $0.count) }
        secondMoment = firstMoment
    }

    /// One step: p <- p - lr mhat / (sqrt(vhat) + eps) with bias-corrected moments
    /// (mhat = m / (1 - beta1^t), vhat = v / (1 - beta2^t)). Each parameter is written to a new
    /// matrix in one pass, so values still shared with the optimiser's leaves are not copied first.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func step(_ parameters: inout [Matrix<Scalar>], gradients: [Matrix<Scalar>]) {
        ensure(parameters.count == gradients.count && parameters.count == firstMoment.count)
        stepCount += 1
        let c1 = 1 - pow(beta1, Double(stepCount)), c2 = 1 - pow(beta2, Double(stepCount))
        let b1 = Scalar(beta1), b2 = Scalar(beta2), eps = Scalar(epsilon)
        let rootC2 = Scalar(c2.squareRoot())
        for i in parameters.indices {
            // lr mhat / (sqrt(vhat) + eps) = (lr / c1) m / (sqrt(v) / sqrt(c2) + eps).
            let rate = Scalar(learningRates[i] / c1)
            let old = parameters[i]
            ensure(gradients[i].hasSameShape(as: old), "gradient shape differs from its parameter's")
            parameters[i] = old.scalars.withUnsafeBufferPointer { p in
                gradients[i].scalars.withUnsafeBufferPointer { g in
                    firstMoment[i].withUnsafeMutableBufferPointer { m in
                        secondMoment[i].withUnsafeMutableBufferPointer { v in
                            Matrix(rows: old.rows, cols: old.cols, unsafeUninitialized: { out in
                                adamPass(p: p, g: g, m: m, v: v, out: out, b1: b1, b2: b2,
                                         rate: rate, rootC2: rootC2, eps: eps)
                            })
                        }
                    }
                }
            }
        }
    }
}

/// The elementwise Adam update over one parameter, eight entries at a time (explicit SIMD: the
/// buffers are distinct, but the compiler cannot know it and would not vectorise the loop).
@inline(__always)
private func adamPass<Scalar: BLASScalar>(p: UnsafeBufferPointer<Scalar>, g: UnsafeBufferPointer<Scalar>,
                                         m: UnsafeMutableBufferPointer<Scalar>,
                                         v: UnsafeMutableBufferPointer<Scalar>,
                                         out: UnsafeMutableBufferPointer<Scalar>,
                                         b1: Scalar, b2: Scalar, rate: Scalar, rootC2: Scalar, eps: Scalar) {
    typealias Lanes = SIMD8<Scalar>
    func load(_ b: UnsafeBufferPointer<Scalar>, _ j: Int) -> Lanes {
        UnsafeRawPointer(b.baseAddress! + j).loadUnaligned(as: Lanes.self)
    }
    func load(_ b: UnsafeMutableBufferPointer<Scalar>, _ j: Int) -> Lanes {
        UnsafeRawPointer(b.baseAddress! + j).loadUnaligned(as: Lanes.self)
    }
    func store(_ x: Lanes, _ b: UnsafeMutableBufferPointer<Scalar>, _ j: Int) {
        UnsafeMutableRawPointer(b.baseAddress! + j).storeBytes(of: x, as: Lanes.self)
    }
    let n = out.count, whole = n - n % Lanes.scalarCount
    var j = 0
    while j < whole {
        let gj = load(g, j)
        let mj = b1 * load(m, j) + (1 - b1) * gj
        let vj = b2 * load(v, j) + (1 - b2) * gj * gj
        store(mj, m, j); store(vj, v, j)
        store(load(p, j) - rate * mj / (vj.squareRoot() / rootC2 + eps), out, j)
        j += Lanes.scalarCount
    }
    while j < n {
        let gj = g[j]
        m[j] = b1 * m[j] + (1 - b1) * gj
        v[j] = b2 * v[j] + (1 - b2) * gj * gj
        out[j] = p[j] - rate * m[j] / (v[j].squareRoot() / rootC2 + eps)
        j += 1
    }
}

