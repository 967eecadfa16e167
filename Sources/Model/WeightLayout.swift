import Tensor

// The fused trainer keeps all weights in one flat buffer (W[0], W[1], ... each row-major);
// teleportation works on one matrix per layer. These convert between the two layouts.

extension MLPShape {
    /// The layer matrices W[i] (d[i+1] x d[i]) of a flat row-major parameter vector.
    public func matrices<Scalar: BLASScalar>(_ parameters: [Scalar]) -> [Matrix<Scalar>] {
        ensure(parameters.count == parameterCount, "expected \(parameterCount) weights")
        return (0..<layerCount).map { i in
            let (r, c) = weightShape(i)
            return Matrix(rows: r, cols: c, scalars: Array(parameters[weightRange(i)]))
        }
    }

    /// The flat row-major parameter vector of layer matrices.
    public func flatten<Scalar: BLASScalar>(_ W: [Matrix<Scalar>]) -> [Scalar] {
        ensure(W.count == layerCount, "expected \(layerCount) layers")
        var out: [Scalar] = []
        out.reserveCapacity(parameterCount)
        for (i, w) in W.enumerated() {
            ensure(w.rows == weightShape(i).rows && w.cols == weightShape(i).cols,
                         "layer \(i) has shape \(w.rows)x\(w.cols), expected \(weightShape(i))")
            out += w.scalars
        }
        return out
    }
}

/// A batch in the paper's layout: features x batch (one column per sample), from samples
/// stored as contiguous rows of `features` values.
public func columnBatch(images: [Float], features: Int, indices: [Int]) -> Matrix<Float> {
    var X = Matrix<Float>.zeros(features, indices.count)
    X.scalars.withUnsafeMutableBufferPointer { out in
        images.withUnsafeBufferPointer { x in
            for (j, s) in indices.enumerated() {
                let row = s * features
                for f in 0..<features { out[f * indices.count + j] = x[row + f] }
            }
        }
    }
    return X
}
