// Checking gradients against central finite differences in Double.

/// The outcome of a gradient check: both gradients and their largest discrepancy.
public struct GradientCheckResult: Sendable {
    /// Gradients from `grad`, one per input.
    public let analytic: [Matrix<Double>]
    /// Central finite-difference gradients, one per input.
    public let numeric: [Matrix<Double>]
    /// max over all entries of |analytic - numeric| / max(1, |numeric|).
    public let maxError: Double

    /// True when `maxError` is at most `tolerance`.
    public func passes(_ tolerance: Double = 1e-6) -> Bool { maxError <= tolerance }
}

/// Central finite-difference gradient of a scalar function:
/// (f(x + h e_k) - f(x - h e_k)) / 2h for every entry k of every input.
public func numericalGradient(at inputs: [Matrix<Double>], step h: Double = 1e-6,
                              of f: ([Variable<Double>]) -> Variable<Double>) -> [Matrix<Double>] {
    // Inputs are marked as requiring gradients so that an f which itself differentiates
    // (a second-order check) sees them as variables.
    func value(_ xs: [Matrix<Double>]) -> Double { f(xs.map { Variable($0, requiresGrad: true) }).scalar }
    var xs = inputs
    return inputs.indices.map { i in
        var g = Matrix<Double>.zeros(inputs[i].rows, inputs[i].cols)
        for k in 0..<inputs[i].count {
            let original = xs[i].scalars[k]
            xs[i].scalars[k] = original + h
            let up = value(xs)
            xs[i].scalars[k] = original - h
            let down = value(xs)
            xs[i].scalars[k] = original
            g.scalars[k] = (up - down) / (2 * h)
        }
        return g
    }
}

/// Compares `grad` of the scalar function `f` at `inputs` with central finite differences.
///
/// `f` may itself take gradients (with `createGraph: true`), which makes this a check of
/// second (or higher) derivatives; see `secondOrderGradientCheck`.
public func gradientCheck(at inputs: [Matrix<Double>], step: Double = 1e-6,
                          of f: ([Variable<Double>]) -> Variable<Double>) -> GradientCheckResult {
    let xs = inputs.map { Variable($0, requiresGrad: true) }
    let y = f(xs)
    ensure(y.rows == 1 && y.cols == 1, "gradientCheck needs a scalar (1x1) function")
    let analytic = grad(of: y, wrt: xs).map(\.value)
    let numeric = numericalGradient(at: inputs, step: step, of: f)
    var worst = 0.0
    for (a, n) in zip(analytic, numeric) {
        for k in 0..<a.count {
            let e = Swift.abs(a.scalars[k] - n.scalars[k]) / Swift.max(1, Swift.abs(n.scalars[k]))
            worst = e.isNaN ? .infinity : Swift.max(worst, e)
        }
    }
    return GradientCheckResult(analytic: analytic, numeric: numeric, maxError: worst)
}

/// Checks second derivatives of the scalar function `f`: the gradient of
/// h(x) = sum_i <df/dx_i, probes_i> (a Hessian-vector product, by double backpropagation)
/// against finite differences of h (whose value needs only first derivatives).
public func secondOrderGradientCheck(at inputs: [Matrix<Double>], probes: [Matrix<Double>],
                                     step: Double = 1e-6,
                                     of f: @escaping ([Variable<Double>]) -> Variable<Double>)
    -> GradientCheckResult {
    gradientCheck(at: inputs, step: step) { xs in
        let gs = grad(of: f(xs), wrt: xs, createGraph: true)
        return sum(zip(gs, probes).map { $0.dot(Variable($1)) })
    }
}
