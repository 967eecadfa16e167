import Model
import Tensor
import Foundation

/// A plain-loop, Double-precision forward and backward pass of the bias-free MLP, written for
/// clarity rather than speed: the reference that fast implementations are checked against.
///
/// Samples are rows: `inputs` holds `batch` rows of `d[0]` values. Parameters use the flat
/// layout of `MLPShape`.
public enum ReferenceMLP {
    /// The training objective on one batch.
    public enum Loss {
        /// Mean over the batch of the cross-entropy of softmax(outputs) against class labels.
        case crossEntropy(labels: [Int])
        /// `0.5 ||Y - f(X)||²_F`, summed (not averaged) over the batch; `targets` is
        /// `batch x d[L]`, row-major.
        case squaredError(targets: [Double])
    }

    /// Every layer's output for a batch: `activations[0]` is the input, `activations[i]` is
    /// `h(i)` (`batch x d[i]`), the last entry the linear network output.
    public static func forward(_ shape: MLPShape, parameters: [Double], inputs: [Double],
                               batch: Int) -> [[Double]] {
        ensure(parameters.count == shape.parameterCount && inputs.count == batch * shape.inputSize)
        var activations = [inputs]
        for layer in 0..<shape.layerCount {
            let (rows, cols) = shape.weightShape(layer)
            let w = shape.weightOffset(layer)
            let h = activations[layer]
            var out = [Double](repeating: 0, count: batch * rows)
            for b in 0..<batch {
                for r in 0..<rows {
                    var sum = 0.0
                    for c in 0..<cols { sum += parameters[w + r * cols + c] * h[b * cols + c] }
                    let hidden = layer < shape.layerCount - 1
                    out[b * rows + r] = hidden && sum < 0 ? leakySlope * sum : sum
                }
            }
            activations.append(out)
        }
        return activations
    }

    /// The loss on a batch.
    public static func loss(_ shape: MLPShape, parameters: [Double], inputs: [Double],
                            batch: Int, loss: Loss) -> Double {
        lossAndGradient(shape, parameters: parameters, inputs: inputs, batch: batch, loss: loss).loss
    }

    /// The loss on a batch and its gradient with respect to every weight (flat layout).
    public static func lossAndGradient(_ shape: MLPShape, parameters: [Double], inputs: [Double],
                                       batch: Int, loss: Loss) -> (loss: Double, gradient: [Double]) {
        let activations = forward(shape, parameters: parameters, inputs: inputs, batch: batch)
        let outputs = activations[shape.layerCount]
        let k = shape.outputSize
        var value = 0.0
        // delta = dLoss / d(pre-activation) of the current layer, batch x d[i+1].
        var delta = [Double](repeating: 0, count: batch * k)
        switch loss {
        case .crossEntropy(let labels):
            ensure(labels.count == batch)
            for b in 0..<batch {
                let row = Array(outputs[(b * k)..<((b + 1) * k)])
                let top = row.max()!
                let sum = row.reduce(0) { $0 + exp($1 - top) }
                value += log(sum) - (row[labels[b]] - top)
                for j in 0..<k {
                    let p = exp(row[j] - top) / sum
                    delta[b * k + j] = (p - (j == labels[b] ? 1 : 0)) / Double(batch)
                }
            }
            value /= Double(batch)
        case .squaredError(let targets):
            ensure(targets.count == batch * k)
            for i in 0..<(batch * k) {
                let r = outputs[i] - targets[i]
                value += 0.5 * r * r
                delta[i] = r
            }
        }
        var gradient = [Double](repeating: 0, count: shape.parameterCount)
        for layer in stride(from: shape.layerCount - 1, through: 0, by: -1) {
            let (rows, cols) = shape.weightShape(layer)
            let w = shape.weightOffset(layer)
            let h = activations[layer]
            for r in 0..<rows {
                for c in 0..<cols {
                    var sum = 0.0
                    for b in 0..<batch { sum += delta[b * rows + r] * h[b * cols + c] }
                    gradient[w + r * cols + c] = sum
                }
            }
            guard layer > 0 else { break }
            // Back through W[layer] and the LeakyReLU of layer - 1 (h > 0 exactly when its input is).
            var next = [Double](repeating: 0, count: batch * cols)
            for b in 0..<batch {
                for c in 0..<cols {
                    var sum = 0.0
                    for r in 0..<rows { sum += delta[b * rows + r] * parameters[w + r * cols + c] }
                    next[b * cols + c] = h[b * cols + c] > 0 ? sum : leakySlope * sum
                }
            }
            delta = next
        }
        return (value, gradient)
    }
}
