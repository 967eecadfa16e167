import Foundation
import Autodiff

/// Adam (Kingma and Ba; PyTorch's defaults beta1 = 0.9, beta2 = 0.999, eps = 1e-8, no weight
/// decay) over a list of parameter matrices, each with its own learning rate. Used to
/// meta-train the LSTM parameters.
public struct MetaAdam<Scalar: BLASScalar> {
    /// Learning rate of each parameter.
    public var learningRates: [Double]
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    /// Number of steps taken.
    public private(set) var stepCount = 0
    var firstMoment: [[Double]]
    var secondMoment: [[Double]]

    /// Adam state for parameters with the given values' shapes.
    public init(parameters: [Matrix<Scalar>], learningRates: [Double]) {
        precondition(parameters.count == learningRates.count, "one learning rate per parameter")
        self.learningRates = learningRates
        firstMoment = parameters.map { [Double](repeating: 0, count: $0.count) }
        secondMoment = firstMoment
    }

    /// One step: p <- p - lr mhat / (sqrt(vhat) + eps) with bias-corrected moments.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func step(_ parameters: inout [Matrix<Scalar>], gradients: [Matrix<Scalar>]) {
        precondition(parameters.count == gradients.count && parameters.count == firstMoment.count)
        stepCount += 1
        let c1 = 1 - pow(beta1, Double(stepCount)), c2 = 1 - pow(beta2, Double(stepCount))
        let b1 = beta1, b2 = beta2, eps = epsilon
        for i in parameters.indices {
            let lr = learningRates[i]
            let g = gradients[i].scalars
            precondition(g.count == parameters[i].count, "gradient shape differs from its parameter's")
            firstMoment[i].withUnsafeMutableBufferPointer { m in
                secondMoment[i].withUnsafeMutableBufferPointer { v in
                    parameters[i].scalars.withUnsafeMutableBufferPointer { p in
                        for j in 0..<p.count {
                            let gj = Double(g[j])
                            m[j] = b1 * m[j] + (1 - b1) * gj
                            v[j] = b2 * v[j] + (1 - b2) * gj * gj
                            let update = lr * (m[j] / c1) / ((v[j] / c2).squareRoot() + eps)
                            p[j] = Scalar(Double(p[j]) - update)
                        }
                    }
                }
            }
        }
    }
}


