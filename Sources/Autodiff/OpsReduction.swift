// Reductions and the classification loss. See `Axis` for the meaning of `.rows` / `.columns`.

extension Variable {
    /// Sum of all entries (1 x 1).
    @inlinable
    public func sum() -> Variable {
        Variable(Matrix.scalar(value.sum()), inputs: [self]) { g, x, _, _ in
            [g.broadcast(toRows: x[0].rows, cols: x[0].cols)]
        }
    }

    /// Sums along `axis`: 1 x cols for `.rows`, rows x 1 for `.columns`.
    @inlinable
    public func sum(over axis: Axis) -> Variable {
        Variable(value.sum(over: axis), inputs: [self]) { g, x, _, _ in
            [g.broadcast(toRows: x[0].rows, cols: x[0].cols)]
        }
    }

    /// Mean of all entries (1 x 1).
    @inlinable
    public func mean() -> Variable { sum() * (1 / Scalar(value.count)) }

    /// Means along `axis`.
    @inlinable
    public func mean(over axis: Axis) -> Variable {
        sum(over: axis) * (1 / Scalar(axis == .rows ? rows : cols))
    }

    /// Sum of squares of the entries (squared Frobenius norm), 1 x 1.
    @inlinable
    public func squaredNorm() -> Variable { (self * self).sum() }

    /// Frobenius norm, 1 x 1.
    @inlinable
    public func frobeniusNorm() -> Variable { squaredNorm().sqrt() }

    /// Frobenius inner product sum(self * other), 1 x 1.
    @inlinable
    public func dot(_ other: Variable) -> Variable { (self * other).sum() }

    /// log(softmax(x)) along `axis`; `.rows` gives one distribution per column (the paper's
    /// classes x batch outputs). Backward: g - softmax * sum(g along axis).
    @inlinable
    public func logSoftmax(over axis: Axis) -> Variable {
        Variable(value.logSoftmax(over: axis), inputs: [self]) { g, _, y, _ in
            [g - y.exp() * g.sum(over: axis)]
        }
    }

    /// Mean negative log-likelihood of integer labels given log-probabilities: with
    /// `classesAlong: .rows` the value is classes x batch and `labels[j]` is the class of
    /// column j (the paper's layout); with `.columns` it is batch x classes (PyTorch's layout).
    @inlinable
    public func nllLoss(labels: [Int], classesAlong axis: Axis = .rows) -> Variable {
        let batch = axis == .rows ? cols : rows
        ensure(labels.count == batch, "nllLoss: \(labels.count) labels for a batch of \(batch)")
        // W holds -1/batch at each (label, sample) position: loss = sum(W * logProbs).
        var w = Matrix<Scalar>.zeros(rows, cols)
        let scale = -1 / Scalar(batch)
        for (j, label) in labels.enumerated() {
            if axis == .rows { w[label, j] = scale } else { w[j, label] = scale }
        }
        let weights = w
        return Variable(Matrix.scalar(value.dot(weights)), inputs: [self]) { g, _, _, _ in
            [g * Variable(weights)]
        }
    }

    /// Mean cross-entropy of softmax(self) against integer labels (see `nllLoss` for layouts).
    @inlinable
    public func crossEntropy(labels: [Int], classesAlong axis: Axis = .rows) -> Variable {
        logSoftmax(over: axis).nllLoss(labels: labels, classesAlong: axis)
    }
}
