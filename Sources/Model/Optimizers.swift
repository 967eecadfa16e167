import CKernels
import Foundation
import Tensor

/// An optimiser and its hyper-parameters, with PyTorch's semantics and defaults
/// (no weight decay, no Nesterov, not centred, not AMSGrad, no learning-rate decay).
public enum OptimizerKind: Hashable, Sendable {
    /// `w -= lr g`.
    case sgd(lr: Double)
    /// Heavy ball with dampening 0: `b = g` on the first step, then `b = momentum b + g`;
    /// `w -= lr b`.
    case momentum(lr: Double, momentum: Double = 0.9)
    /// `s += g²`; `w -= lr g / (sqrt(s) + eps)`, accumulator starting at 0.
    case adagrad(lr: Double, eps: Double = 1e-10)
    /// `v = alpha v + (1 - alpha) g²`; `w -= lr g / (sqrt(v) + eps)`.
    case rmsprop(lr: Double, alpha: Double = 0.99, eps: Double = 1e-8)
    /// `m = beta1 m + (1 - beta1) g`, `v = beta2 v + (1 - beta2) g²`;
    /// `w -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)`.
    case adam(lr: Double, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8)

    /// The learning rate.
    public var learningRate: Double {
        switch self {
        case .sgd(let lr), .momentum(let lr, _), .adagrad(let lr, _), .rmsprop(let lr, _, _),
             .adam(let lr, _, _, _):
            return lr
        }
    }

    /// Short name: "sgd", "momentum", "adagrad", "rmsprop" or "adam".
    public var name: String {
        switch self {
        case .sgd: "sgd"
        case .momentum: "momentum"
        case .adagrad: "adagrad"
        case .rmsprop: "rmsprop"
        case .adam: "adam"
        }
    }
}

/// An optimiser with its state, updating a flat parameter buffer in place.
///
/// State buffers are allocated once in `init`; `update` allocates nothing. `reset()` returns
/// the state to that of a freshly created optimiser (used after each teleportation).
public struct Optimizer<Scalar: BinaryFloatingPoint> {
    /// Which optimiser, with its hyper-parameters.
    public let kind: OptimizerKind
    /// Length of the parameter buffers this optimiser updates.
    public let parameterCount: Int
    /// Number of updates since creation or the last `reset()`.
    public var stepCount: Int { steps }
    @usableFromInline var steps = 0

    /// Momentum buffer, AdaGrad sum of squares, RMSProp average of squares, or Adam first moment.
    @usableFromInline var first: [Scalar]
    /// Adam's second moment (empty for the others).
    @usableFromInline var second: [Scalar]

    /// A fresh optimiser for `parameterCount` parameters.
    public init(_ kind: OptimizerKind, parameterCount: Int) {
        self.kind = kind
        self.parameterCount = parameterCount
        switch kind {
        case .sgd: first = []; second = []
        case .momentum, .adagrad, .rmsprop: first = Array(repeating: 0, count: parameterCount); second = []
        case .adam:
            first = Array(repeating: 0, count: parameterCount)
            second = Array(repeating: 0, count: parameterCount)
        }
    }

    /// Forgets all state (moments, accumulators, step count) without reallocating.
    public mutating func reset() {
        steps = 0
        for i in first.indices { first[i] = 0 }
        for i in second.indices { second[i] = 0 }
    }

    /// One optimiser step: updates `parameters` in place from `gradient`.
    @inlinable
    public mutating func update(_ parameters: UnsafeMutableBufferPointer<Scalar>,
                                gradient: UnsafeBufferPointer<Scalar>) {
        wholeStep(parameters, gradient, inSwift: false)
    }

    /// One optimiser step through the plain Swift loops (`updateInSwift`) whatever the scalar
    /// type: the reference the Float32 C kernels are tested and benchmarked against.
    @inlinable
    public mutating func referenceUpdate(_ parameters: UnsafeMutableBufferPointer<Scalar>,
                                         gradient: UnsafeBufferPointer<Scalar>) {
        wholeStep(parameters, gradient, inSwift: true)
    }

    /// One step over every entry, through `update(entries:...)` or the Swift loops.
    @inlinable
    mutating func wholeStep(_ parameters: UnsafeMutableBufferPointer<Scalar>,
                            _ gradient: UnsafeBufferPointer<Scalar>, inSwift: Bool) {
        ensure(parameters.count == parameterCount && gradient.count == parameterCount,
               "optimizer built for \(parameterCount) parameters")
        let (p, g, t) = (parameters.baseAddress!, gradient.baseAddress!, steps + 1)
        if inSwift {
            updateInSwift(entries: 0..<parameterCount, parameters: p, gradient: g, step: t)
        } else {
            update(entries: 0..<parameterCount, parameters: p, gradient: g, step: t)
        }
        steps += 1
    }

    /// Part of step `t` (1-based): updates parameters `entries` (and their state), reading
    /// them at `p[0..<entries.count]` and their gradient at `g[0..<entries.count]`. A whole
    /// step is a set of calls covering every entry once, followed by `finishStep()`.
    ///
    /// The accumulators are never negative; square roots are taken of `abs(·)` so that the
    /// compiler knows it too and vectorises the loops (a plain `squareRoot()` keeps a scalar
    /// errno check).
    @inlinable
    mutating func update(entries: Range<Int>, parameters p: UnsafeMutablePointer<Scalar>,
                         gradient g: UnsafePointer<Scalar>, step t: Int) {
        if Scalar.self == Float.self {
            updateFloat(entries: entries, parameters: p, gradient: g, step: t)
        } else {
            updateInSwift(entries: entries, parameters: p, gradient: g, step: t)
        }
    }

    /// `update(entries:parameters:gradient:step:)` for Float32 through the C kernels
    /// (`CKernels/OptimizerKernels.c`): the Swift loops' operations in the same order, compiled
    /// for AVX2 where the CPU has it, so the same bits as `updateInSwift`. AdaGrad, RMSProp and
    /// Adam, bound by their divisions and square roots, run about twice as fast on 8-float
    /// vectors; momentum is bound by memory traffic and gains nothing (bench `optimizer/*`).
    @usableFromInline
    mutating func updateFloat(entries: Range<Int>, parameters p: UnsafeMutablePointer<Scalar>,
                              gradient g: UnsafePointer<Scalar>, step t: Int) {
        let n = entries.count, o = entries.lowerBound
        let p = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
        let g = UnsafeRawPointer(g).assumingMemoryBound(to: Float.self)
        func state(_ buffer: inout [Scalar], _ body: (UnsafeMutablePointer<Float>) -> Void) {
            buffer.withUnsafeMutableBufferPointer {
                body(UnsafeMutableRawPointer($0.baseAddress! + o).assumingMemoryBound(to: Float.self))
            }
        }
        switch kind {
        case .sgd(let lr):
            let lr = Float(lr)
            for i in 0..<n { p[i] -= lr * g[i] }
        case .momentum(let lr, let mu):
            state(&first) { b in teleport_optimizer_momentum(n, p, g, b, Float(lr), Float(mu), t == 1 ? 1 : 0) }
        case .adagrad(let lr, let eps):
            state(&first) { s in teleport_optimizer_adagrad(n, p, g, s, Float(lr), Float(eps)) }
        case .rmsprop(let lr, let alpha, let eps):
            state(&first) { v in teleport_optimizer_rmsprop(n, p, g, v, Float(lr), Float(alpha), Float(eps)) }
        case .adam(let lr, let beta1, let beta2, let eps):
            let (stepSize, correction2) = Self.adamCorrections(lr: lr, beta1: beta1, beta2: beta2, step: t)
            state(&first) { m in
                state(&second) { v in
                    teleport_optimizer_adam(n, p, g, m, v, Float(stepSize), Float(correction2),
                                            Float(beta1), Float(beta2), Float(eps))
                }
            }
        }
    }

    /// Adam's bias corrections of step `t`, in Double as PyTorch computes them in Python
    /// floats: the step size `lr / (1 - beta1^t)` and `sqrt(1 - beta2^t)`.
    @inlinable
    static func adamCorrections(lr: Double, beta1: Double, beta2: Double, step t: Int) -> (Double, Double) {
        (lr / (1 - pow(beta1, Double(t))), (1 - pow(beta2, Double(t))).squareRoot())
    }

    /// The update as plain Swift loops, for any scalar type; the reference of the C kernels.
    @inlinable
    mutating func updateInSwift(entries: Range<Int>, parameters p: UnsafeMutablePointer<Scalar>,
                                gradient g: UnsafePointer<Scalar>, step t: Int) {
        let n = entries.count, o = entries.lowerBound
        switch kind {
        case .sgd(let lr):
            let lr = Scalar(lr)
            for i in 0..<n { p[i] -= lr * g[i] }
        case .momentum(let lr, let mu):
            let lr = Scalar(lr), mu = Scalar(mu)
            first.withUnsafeMutableBufferPointer { b in
                let b = b.baseAddress! + o
                if t == 1 {
                    for i in 0..<n { b[i] = g[i]; p[i] -= lr * g[i] }
                } else {
                    for i in 0..<n { b[i] = mu * b[i] + g[i]; p[i] -= lr * b[i] }
                }
            }
        case .adagrad(let lr, let eps):
            let lr = Scalar(lr), eps = Scalar(eps)
            first.withUnsafeMutableBufferPointer { s in
                let s = s.baseAddress! + o
                for i in 0..<n {
                    s[i] += g[i] * g[i]
                    p[i] -= lr * (g[i] / (abs(s[i]).squareRoot() + eps))
                }
            }
        case .rmsprop(let lr, let alpha, let eps):
            let lr = Scalar(lr), alpha = Scalar(alpha), eps = Scalar(eps)
            first.withUnsafeMutableBufferPointer { v in
                let v = v.baseAddress! + o
                for i in 0..<n {
                    v[i] = alpha * v[i] + (1 - alpha) * g[i] * g[i]
                    p[i] -= lr * (g[i] / (abs(v[i]).squareRoot() + eps))
                }
            }
        case .adam(let lr, let beta1, let beta2, let eps):
            let corrections = Self.adamCorrections(lr: lr, beta1: beta1, beta2: beta2, step: t)
            let stepSize = Scalar(corrections.0), correction2 = Scalar(corrections.1)
            let b1 = Scalar(beta1), b2 = Scalar(beta2), eps = Scalar(eps)
            first.withUnsafeMutableBufferPointer { m in
                second.withUnsafeMutableBufferPointer { v in
                    let m = m.baseAddress! + o, v = v.baseAddress! + o
                    for i in 0..<n {
                        m[i] = b1 * m[i] + (1 - b1) * g[i]
                        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                        p[i] -= stepSize * (m[i] / (abs(v[i]).squareRoot() / correction2 + eps))
                    }
                }
            }
        }
    }

    /// Closes a step made of `update(entries:parameters:gradient:step:)` calls.
    @inlinable
    mutating func finishStep() { steps += 1 }

    /// One optimiser step on arrays (convenience for tests and small problems).
    @inlinable
    public mutating func update(_ parameters: inout [Scalar], gradient: [Scalar]) {
        gradient.withUnsafeBufferPointer { g in
            parameters.withUnsafeMutableBufferPointer { p in update(p, gradient: g) }
        }
    }
}

extension Optimizer: Sendable where Scalar: Sendable {}
