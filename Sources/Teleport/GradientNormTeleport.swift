import Model
import Autodiff

/// Gradient-norm teleportation (PROTOCOL.md; Algorithm 1 of the paper): move along the
/// symmetry orbit to a point where ||dL/dW||^2 is larger, so that the next optimiser steps
/// descend faster.
///
/// Each of `steps` iterations sets T_m = 0 for every pair, computes
/// f(T) = ||dL/dW (g.W)||^2 on the teleport batch with g_m = I + T_m, takes one ascent step
/// T_m <- learningRate * df/dT_m, and applies g_m = I + T_m to every pair in order (exact
/// hidden inputs; with `hiddenInputs: .firstOrder`, the published code's first-order ones). It
/// stops early once f exceeds `cap`. This needs the gradient of a gradient norm: by default
/// from the action's tangent at the identity in closed form and a Hessian product of the loss
/// (GradientNormTangent.swift); `.general` and `.hiddenSpace` take it by double
/// backpropagation through the pinv-based action (the references it is tested against).
public struct GradientNormTeleport: Sendable {
    /// Number of ascent steps on the group elements.
    public var steps: Int
    /// Step size of the ascent on T.
    public var learningRate: Double
    /// Stop when ||dL/dW||^2 exceeds this value (100 in the published code).
    public var cap: Double
    /// Exact hidden inputs (corrected) or the published code's first-order ones.
    public var hiddenInputs: HiddenInputs
    /// How the ascent is computed; all give the same steps up to rounding.
    public var formulation: Formulation

    /// The formulations of the same ascent.
    public enum Formulation: Sendable {
        /// Double backpropagation through the action and the whole network on the batch X.
        case general
        /// The same with the first layer in the hidden space (`FirstLayerInHiddenSpace`).
        case hiddenSpace
        /// The first layer in the hidden space and the action's tangent at the identity in
        /// closed form (`tangentAscentDirection`), where it applies; else `hiddenSpace`.
        case tangent
    }

    public init(steps: Int = 10, learningRate: Double, cap: Double = 100, hiddenInputs: HiddenInputs = .exact,
                formulation: Formulation = .tangent) {
        self.steps = steps; self.learningRate = learningRate; self.cap = cap; self.hiddenInputs = hiddenInputs
        self.formulation = formulation
    }

    /// One record per completed evaluation: loss and ||dL/dW||^2 before that step's update.
    public struct Record: Sendable {
        public var loss: Double
        public var squaredGradientNorm: Double
    }

    /// d f / d T_m at T = 0 for every pair, with f(T) = ||dL/dW(g.W)||^2, plus the loss and f.
    /// With `hidden` (the published code's held hidden inputs), pair m acts with hidden[m]
    /// instead of the exact hidden input of the transformed weights.
    @_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
    public static func ascentDirection<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                               _ objective: Objective<Scalar>, hidden: [Matrix<Scalar>]? = nil)
        -> (loss: Scalar, squaredGradientNorm: Scalar, direction: [Matrix<Scalar>]) {
        let x = Variable(X)
        let (T, transformed) = actionAtIdentity(W, input: x, hidden: hidden)
        // The transformed weights feed later pairs' hidden inputs too; the loss gets its own
        // copies so that dL/dW is the gradient at g.W, not a total derivative through the action.
        let gW = transformed.map { $0 + 0 }
        let L = loss(gW, x, objective)
        let dLdW = grad(of: L, wrt: gW, createGraph: true)
        let f = sum(dLdW.map { $0.squaredNorm() })
        let dfdT = grad(of: f, wrt: T)
        return (L.scalar, f.scalar, dfdT.map(\.value))
    }

    /// `ascentDirection` with the first layer in the hidden space: the weights are those of the
    /// reduced network (`FirstLayerInHiddenSpace.reduced`), whose input is `layer.Z`; `hidden`,
    /// when given, starts with `layer.Z` too.
    @_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
    public static func ascentDirection<Scalar>(reduced W: [Matrix<Scalar>], _ layer: FirstLayerInHiddenSpace<Scalar>,
                                               _ objective: Objective<Scalar>, hidden: [Matrix<Scalar>]? = nil)
        -> (loss: Scalar, squaredGradientNorm: Scalar, direction: [Matrix<Scalar>]) {
        let z = Variable(layer.Z)
        let (T, transformed) = actionAtIdentity(W, input: z, hidden: hidden)
        // The pre-activation g A Z = g W[0] X, and the loss's own copies of the later weights.
        let preactivation = matmul(transformed[0], z)
        let later = transformed.dropFirst().map { $0 + 0 }
        let L = loss(firstPreactivation: preactivation, later: later[...], objective)
        let d = grad(of: L, wrt: [preactivation] + later, createGraph: true)
        let f = sum([layer.squaredFirstLayerGradientNorm(d[0])] + d.dropFirst().map { $0.squaredNorm() })
        let dfdT = grad(of: f, wrt: T)
        return (L.scalar, f.scalar, dfdT.map(\.value))
    }

    /// Teleports W on the batch (X, objective); returns the new weights and the per-step records.
    @_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
    public func callAsFunction<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                       _ objective: Objective<Scalar>)
        -> (weights: [Matrix<Scalar>], records: [Record]) {
        ensure(W.count >= 2, "a teleport needs at least one layer pair")
        switch formulation {
        case .general:
            return ascend(W, input: X) { W, hidden, _ in Self.ascentDirection(W, input: X, objective, hidden: hidden) }
        case .hiddenSpace, .tangent:
            let layer = FirstLayerInHiddenSpace(W[0], input: X)
            let (reduced, records) = ascend(layer.reduced(W), input: layer.Z) { W, hidden, pairs in
                (formulation == .tangent
                    ? Self.tangentAscentDirection(reduced: W, layer, objective, hidden: hidden, pairs: pairs) : nil)
                    ?? Self.ascentDirection(reduced: W, layer, objective, hidden: hidden)
            }
            return (layer.restored(reduced, firstLayer: W[0]), records)
        }
    }

    /// The ascent loop on weights W with input X (the batch, or Z for the reduced network). With
    /// exact hidden inputs each step keeps the pairs it computed (`stepKeepingPairs`, the
    /// operations of `teleportStep`) and hands them to the next direction.
    private func ascend<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                direction: ([Matrix<Scalar>], [Matrix<Scalar>]?, [PairAtIdentity<Scalar>]?)
                                    -> (loss: Scalar, squaredGradientNorm: Scalar, direction: [Matrix<Scalar>]))
        -> (weights: [Matrix<Scalar>], records: [Record]) {
        var W = W
        var records: [Record] = []
        var hidden = hiddenInputs == .firstOrder ? Teleport.hiddenInputs(W, input: X) : nil
        var pairs: [PairAtIdentity<Scalar>]? = nil
        for _ in 0..<steps {
            let (L, f, dfdT) = direction(W, hidden, pairs)
            records.append(Record(loss: Double(L), squaredGradientNorm: Double(f)))
            if Double(f) > cap || !Double(f).isFinite { break }
            let T = dfdT.map { $0 * Scalar(learningRate) }
            if hidden == nil {
                (W, pairs) = Self.stepKeepingPairs(W, input: X, T: T)
            } else {
                W = teleportStep(W, input: X, T: T, hidden: &hidden)
            }
        }
        return (W, records)
    }
}

/// How a teleport computes its objective; both formulations give the same steps up to rounding.
public enum TeleportFormulation: Sendable {
    /// Every evaluation goes through the whole network on the batch X (the reference).
    case general
    /// The first layer is seen from the hidden space: the batch enters through W[0] X
    /// (`FirstLayerInHiddenSpace`), so the work that grows with the input size is done once.
    case hiddenSpace
}

/// The first layer of a teleport seen from the hidden space. The group acts on W[0] from the
/// left, so the batch X enters only through Z = W[0] X: the reduced network [A, W[1], ...] on
/// the input Z, with A = I (k x k) in place of W[0], has the same loss, and g acts on A as on
/// W[0] (g A Z = g W[0] X), so a teleport of the reduced network ends at A = g_s ... g_1 and
/// W[0] is restored as A W[0]. Only the first layer's term of ||dL/dW||^2 needs X:
/// ||dL/dW[0]||^2 = ||D X^T||^2 = sum((D G) .* D), D = dL/d(A Z), with the Gram matrix
/// G = X^T X (batch x batch) when the batch is smaller than the input.
public struct FirstLayerInHiddenSpace<Scalar: BLASScalar> {
    /// The first layer's pre-activation W[0] X (k x batch).
    public let Z: Matrix<Scalar>
    /// X^T X, when the batch is smaller than the input; else nil and `input` is used.
    public let gram: Matrix<Scalar>?
    /// The batch X (features x batch).
    public let input: Matrix<Scalar>

    public init(_ W0: Matrix<Scalar>, input X: Matrix<Scalar>) {
        Z = matmul(W0, X)
        gram = X.cols < X.rows ? gramMatrix(X) : nil
        input = X
    }

    /// [I, W[1], ...]: the reduced network's weights.
    public func reduced(_ W: [Matrix<Scalar>]) -> [Matrix<Scalar>] {
        [Matrix<Scalar>.identity(W[0].rows)] + W.dropFirst()
    }

    /// The full network's weights [A W[0], W[1], ...] from the reduced ones.
    public func restored(_ reduced: [Matrix<Scalar>], firstLayer W0: Matrix<Scalar>) -> [Matrix<Scalar>] {
        [matmul(reduced[0], W0)] + reduced.dropFirst()
    }

    /// ||D X^T||^2 for D = dL/dZ' (k x batch): sum((D G) .* D) with the Gram matrix, else directly.
    public func squaredFirstLayerGradientNorm(_ D: Variable<Scalar>) -> Variable<Scalar> {
        if let G = gram { return matmul(D, Variable(G)).dot(D) }
        return matmul(D, Variable(input), transposeB: true).squaredNorm()
    }
}
