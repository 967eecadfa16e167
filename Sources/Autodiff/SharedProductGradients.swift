// An optimisation beside the reverse sweep of `grad`: the gradient of a weight shared by many
// products, formed as one matrix product.

/// Gradients of weights shared by many products, formed as one stacked product.
///
/// A weight W that is the right operand of several products C_k = A_k op(W) (a recurrent
/// network's weight, used once per time step) has the gradient sum_k A_kᵀ G_k (or
/// sum_k G_kᵀ A_k for op = transpose): for batch-1 inputs, one outer product per step, each a
/// full pass over W. Instead the sweep hands each product's small factors here, and the sum is
/// formed once as [A_1; A_2; ...]ᵀ [G_1; G_2; ...]: the same sum, one gemm. Used only without a
/// graph (the stacked product is not recorded); tested against the per-use sum.
@usableFromInline
struct SharedProductGradients<Scalar: BLASScalar> {
    /// Per shared weight: the (P, Q) pairs with dW += Pᵀ Q.
    @usableFromInline var factors: [ObjectIdentifier: [(p: Matrix<Scalar>, q: Matrix<Scalar>)]] = [:]

    /// Finds the targets that are the right operand of two or more stackable products in
    /// `order` (the nodes of the sweep).
    @inlinable
    init(order: [Variable<Scalar>], targets: Set<ObjectIdentifier>) {
        var uses: [ObjectIdentifier: Int] = [:]
        for node in order where Self.isStackable(node) && targets.contains(ObjectIdentifier(node.inputs[1])) {
            uses[ObjectIdentifier(node.inputs[1]), default: 0] += 1
        }
        for (id, count) in uses where count >= 2 { factors[id] = [] }
    }

    /// Keeps the factors of `node`'s gradient with respect to its right operand when that is a
    /// shared weight, given the gradient `g` of the product; true when it did (the sweep then
    /// skips that input).
    @inlinable
    mutating func absorb(_ node: Variable<Scalar>, gradient g: Variable<Scalar>) -> Bool {
        guard !factors.isEmpty, Self.isStackable(node), factors[ObjectIdentifier(node.inputs[1])] != nil
        else { return false }
        // C = A op(W): dW = Aᵀ G, or Gᵀ A for op = transpose.
        let a = node.inputs[0].value
        factors[ObjectIdentifier(node.inputs[1]), default: []]
            .append(node.product!.transposeB ? (g.value, a) : (a, g.value))
        return true
    }

    /// Adds each shared weight's sum, one product [P_1; P_2; ...]ᵀ [Q_1; Q_2; ...], to `grads`.
    @inlinable
    func addSums(to grads: inout [ObjectIdentifier: Variable<Scalar>]) {
        for (id, pairs) in factors where !pairs.isEmpty {
            var sum = matmul(vconcat(pairs.map(\.p)), vconcat(pairs.map(\.q)), transposeA: true)
            if let previous = grads[id] { sum += previous.value }
            grads[id] = Variable(sum)
        }
    }

    /// True for a product node A op(W) with A not transposed and two distinct operands: the
    /// form whose gradients with respect to W can be stacked.
    @inlinable
    static func isStackable(_ node: Variable<Scalar>) -> Bool {
        guard let flags = node.product else { return false }
        return !flags.transposeA && node.inputs[0] !== node.inputs[1]
    }
}
