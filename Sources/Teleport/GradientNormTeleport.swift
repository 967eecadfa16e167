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
/// stops early once f exceeds `cap`. This needs the gradient of a gradient norm: double
/// backpropagation through the pinv-based action.
public struct GradientNormTeleport: Sendable {
    /// Number of ascent steps on the group elements.
    public var steps: Int
    /// Step size of the ascent on T.
    public var learningRate: Double
    /// Stop when ||dL/dW||^2 exceeds this value (100 in the published code).
    public var cap: Double
    /// Exact hidden inputs (corrected) or the published code's first-order ones.
    public var hiddenInputs: HiddenInputs

    public init(steps: Int = 10, learningRate: Double, cap: Double = 100, hiddenInputs: HiddenInputs = .exact) {
        self.steps = steps; self.learningRate = learningRate; self.cap = cap; self.hiddenInputs = hiddenInputs
    }

    /// One record per completed evaluation: loss and ||dL/dW||^2 before that step's update.
    public struct Record: Sendable {
        public var loss: Double
        public var squaredGradientNorm: Double
    }

    /// d f / d T_m at T = 0 for every pair, with f(T) = ||dL/dW(g.W)||^2, plus the loss and f.
    /// With `hidden` (the published code's held hidden inputs), pair m acts with hidden[m]
    /// instead of the exact hidden input of the transformed weights.
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

    /// Teleports W on the batch (X, objective); returns the new weights and the per-step records.
    public func callAsFunction<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                       _ objective: Objective<Scalar>)
        -> (weights: [Matrix<Scalar>], records: [Record]) {
        var W = W
        var records: [Record] = []
        var hidden = hiddenInputs == .firstOrder ? Teleport.hiddenInputs(W, input: X) : nil
        for _ in 0..<steps {
            let (L, f, dfdT) = Self.ascentDirection(W, input: X, objective, hidden: hidden)
            records.append(Record(loss: Double(L), squaredGradientNorm: Double(f)))
            if Double(f) > cap || !Double(f).isFinite { break }
            W = teleportStep(W, input: X, T: dfdT.map { $0 * Scalar(learningRate) }, hidden: &hidden)
        }
        return (W, records)
    }
}
