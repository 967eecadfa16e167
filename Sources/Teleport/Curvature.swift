import Model
import Autodiff

// Curvature of the symmetry orbit through a minimum (PROTOCOL.md, "Sharpness phi and
// curvature psi"). For Lie-algebra directions M[m] (one per layer pair) the orbit is a curve
// gamma(t) through W; its curvature at t = 0 is
//     kappa = sqrt(|g1|^2 |g2|^2 - <g1, g2>^2) / |g1|^3,    g1 = gamma'(0), g2 = gamma''(0),
// over all weights flattened. psi is the mean kappa over random directions and batches.

/// kappa = sqrt(|g1|^2 |g2|^2 - <g1,g2>^2) / |g1|^3 for curve derivatives given per layer.
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func curvature<Scalar>(first g1: [Matrix<Scalar>], second g2: [Matrix<Scalar>]) -> Scalar {
    var n1: Scalar = 0, n2: Scalar = 0, d: Scalar = 0
    for (a, b) in zip(g1, g2) { n1 += a.dot(a); n2 += b.dot(b); d += a.dot(b) }
    return (max(n1 * n2 - d * d, 0)).squareRoot() / (n1 * n1.squareRoot())
}

/// The same formula on differentiable curve derivatives (used by curvature teleportation).
@inlinable
public func curvature<Scalar>(first g1: [Variable<Scalar>], second g2: [Variable<Scalar>]) -> Variable<Scalar> {
    let n1 = sum(g1.map { $0.squaredNorm() })
    let n2 = sum(g2.map { $0.squaredNorm() })
    let d = sum(zip(g1, g2).map { $0.dot($1) })
    return (n1 * n2 - d * d).sqrt() / (n1 * n1.sqrt())
}

/// gamma'(0) and gamma''(0) in closed form, summed over pairs m with h = h(m), V = W[m],
/// U = W[m+1] (the curve U exp(-tM), sigma^{-1}(exp(tM) sigma(V h)) pinv(h) of each pair):
///     gamma'  on W[m+1]: -U M      on W[m]: (M sigma(Vh) / sigma'(Vh)) pinv(h)
///     gamma'' on W[m+1]: +U M^2    on W[m]: (M^2 sigma(Vh) / sigma'(Vh)) pinv(h)
/// (elementwise division; sigma' is 1 or 0.1; hidden inputs from the untransformed weights).
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func curveDerivatives<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                     directions M: [Matrix<Scalar>])
    -> (first: [Matrix<Scalar>], second: [Matrix<Scalar>]) {
    curveDerivatives(W, input: X, directions: M, inputLayerOutput: nil)
}

/// `curveDerivatives`, without pair 0's term on the input layer W[0] when `inputLayerOutput`
/// (sigma(W[0] X), already computed) is given: `orbitCurvature` accounts for that term through
/// the Gram matrix.
func curveDerivatives<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                              directions M: [Matrix<Scalar>], inputLayerOutput: Matrix<Scalar>?)
    -> (first: [Matrix<Scalar>], second: [Matrix<Scalar>]) {
    ensure(M.count == W.count - 1, "one direction per layer pair")
    var g1 = W.map { Matrix<Scalar>.zeros($0.rows, $0.cols) }
    var g2 = g1
    let slope = Scalar(leakySlope)
    var h = X
    for m in 0..<(W.count - 1) {
        let U = W[m + 1], V = W[m]
        let M2 = matmul(M[m], M[m])
        g1[m + 1] -= matmul(U, M[m])
        g2[m + 1] += matmul(U, M2)
        if m == 0, let output = inputLayerOutput { h = output; continue }
        let Vh = matmul(V, h)
        let sigmaVh = Vh.leakyReLU(slope)
        let sigmaPrime = Vh.leakyReLUDerivative(slope)
        let hPinv = pinv(h)
        g1[m] += matmul(matmul(M[m], sigmaVh) / sigmaPrime, hPinv)
        g2[m] += matmul(matmul(M2, sigmaVh) / sigmaPrime, hPinv)
        h = sigmaVh
    }
    return (g1, g2)
}

/// What `orbitCurvature` needs of an input batch X (features x batch) for the input layer: the
/// Cholesky factor of its Gram matrix X^T X (batch x batch), when X has more rows than columns
/// and X^T X has a reciprocal condition number of at least sqrt(eps) (then pinv's cutoff keeps
/// every singular value, (X^T X)^+ is the inverse, and the Gram matrix costs at most sqrt(eps)
/// relative accuracy); else nil, and psi takes the general path. It depends on the batch only:
/// measurements that return to the same batches (every model of a correlation) factor it once.
public struct InputGram<Scalar: BLASScalar>: Sendable {
    /// The factor of X^T X, or nil for the general path.
    public let factor: CholeskyFactor<Scalar>?

    @_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
    public init(_ X: Matrix<Scalar>) {
        guard X.cols < X.rows, let factor = CholeskyFactor(matmul(X, X, transposeA: true)),
              factor.reciprocalCondition >= Scalar.ulpOfOne.squareRoot() else { factor = nil; return }
        self.factor = factor
    }
}

/// kappa of the orbit through W along the directions M: the value of
/// `curvature(first:second:)` on `curveDerivatives`, without pinv(X) of the input layer. There
/// gamma' and gamma'' are A pinv(X) and B pinv(X) (A = M sigma(VX) / sigma'(VX), B the same with
/// M^2), and kappa needs only their Frobenius products, <A pinv(X), B pinv(X)> =
/// tr(A (X^T X)^+ B^T): one solve with the Cholesky factor of X^T X (`InputGram`, factored here
/// unless `gram` brings it) instead of an SVD of X. Without a usable factor, the general path.
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func orbitCurvature<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                   directions M: [Matrix<Scalar>], gram: InputGram<Scalar>? = nil) -> Scalar {
    ensure(M.count == W.count - 1 && !M.isEmpty, "one direction per layer pair")
    if let gram { ensure(gram.factor.map { $0.order == X.cols } ?? true, "orbitCurvature: the Gram factor is not X's") }
    func general() -> Scalar {
        let (g1, g2) = curveDerivatives(W, input: X, directions: M)
        return curvature(first: g1, second: g2)
    }
    guard let factor = (gram ?? InputGram(X)).factor else { return general() }
    let slope = Scalar(leakySlope)
    let Vh = matmul(W[0], X)
    let sigmaVh = Vh.leakyReLU(slope), sigmaPrime = Vh.leakyReLUDerivative(slope)
    let A = matmul(M[0], sigmaVh) / sigmaPrime, B = matmul(matmul(M[0], M[0]), sigmaVh) / sigmaPrime
    // Rows of A G^-1 and B G^-1 (G = X^T X); <A pinv(X), B pinv(X)> = <A G^-1, B>. Weights with
    // NaN (a diverged run) make LAPACK refuse the solve; the general path then gives kappa.
    guard let AB = factor.solve(vconcat([A, B])) else { return general() }
    let k = A.rows
    let AG = AB.slice(rows: 0..<k), BG = AB.slice(rows: k..<(2 * k))
    var n1 = AG.dot(A), n2 = BG.dot(B), d = AG.dot(B)
    let (g1, g2) = curveDerivatives(W, input: X, directions: M, inputLayerOutput: sigmaVh)
    for (a, b) in zip(g1, g2) { n1 += a.dot(a); n2 += b.dot(b); d += a.dot(b) }
    return (max(n1 * n2 - d * d, 0)).squareRoot() / (n1 * n1.squareRoot())
}

/// A random Lie-algebra direction for psi: entries uniform in [0, 1), Frobenius norm 1.
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func randomCurvatureDirection<Scalar>(_ k: Int, using rng: inout SeededGenerator) -> Matrix<Scalar> {
    var M = Matrix<Scalar>(rows: k, cols: k) { _, _ in Scalar(rng.uniform()) }
    M = M / M.squaredNorm().squareRoot()
    return M
}

/// psi(W): the mean orbit curvature over `draws` draws; draw i uses fresh directions (one per
/// pair, uniform [0,1) entries, unit Frobenius norm) and the batch `batch(i)` (features x batch).
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func psi<Scalar>(_ W: [Matrix<Scalar>], draws: Int, using rng: inout SeededGenerator,
                        batch: (Int) -> Matrix<Scalar>) -> Double {
    var total = 0.0
    for i in 0..<draws {
        let M: [Matrix<Scalar>] = (0..<(W.count - 1)).map { randomCurvatureDirection(W[$0].rows, using: &rng) }
        total += Double(orbitCurvature(W, input: batch(i), directions: M))
    }
    return total / Double(draws)
}

/// Curvature teleportation (PROTOCOL.md): on the middle layer pair (U = W[pair+1],
/// V = W[pair]) follow the curve gamma(t) = exp(tM).(U, V) of the pinv-based action for a
/// random M (uniform [0,1) entries); kappa(t) is its curvature, obtained by differentiating the
/// action twice in t; one step t <- +/- lr * dkappa/dt at t = 0 (third derivative of the
/// action), then apply exp(tM). Hidden inputs are recomputed after each step.
public struct CurvatureTeleport: Sendable {
    /// Increase (ascent on kappa) or decrease (descent).
    public enum Direction: String, Sendable, Codable { case increase, decrease }

    /// Number of steps, each with a fresh random M.
    public var steps: Int
    /// Step size on t.
    public var learningRate: Double
    public var direction: Direction
    /// Index m of the pair (W[m+1], W[m]); the protocol uses the middle pair, 1.
    public var pair: Int

    public init(steps: Int = 1, learningRate: Double, direction: Direction, pair: Int = 1) {
        self.steps = steps; self.learningRate = learningRate
        self.direction = direction; self.pair = pair
    }

    /// kappa and dkappa/dt at t = 0 of the curve exp(tM).(U, V) with input h.
    @_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
    public static func curvatureAndSlope<Scalar>(U: Matrix<Scalar>, V: Matrix<Scalar>,
                                                 input h: Matrix<Scalar>, M: Matrix<Scalar>)
        -> (kappa: Scalar, slope: Scalar) {
        let t = Variable(Matrix<Scalar>.scalar(0), requiresGrad: true)
        let curve = groupAction(exp: t, M: Variable(M), U: Variable(U), V: Variable(V), h: Variable(h))
        let g1 = [jacobian(of: curve.U, wrt: t, createGraph: true),
                  jacobian(of: curve.V, wrt: t, createGraph: true)]
        let g2 = g1.map { jacobian(of: $0, wrt: t, createGraph: true) }
        let kappa = curvature(first: g1, second: g2)
        let slope = grad(of: kappa, wrt: [t])[0]
        return (kappa.scalar, slope.scalar)
    }

    /// One record per step: kappa and dkappa/dt before the step, and the chosen t.
    public struct Record: Sendable {
        public var kappa: Double
        public var slope: Double
        public var t: Double
    }

    /// Teleports W using the batch X (features x batch); M is drawn from `rng` at each step.
    @_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
    public func callAsFunction<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>,
                                       using rng: inout SeededGenerator)
        -> (weights: [Matrix<Scalar>], records: [Record]) {
        var W = W
        var records: [Record] = []
        for _ in 0..<steps {
            let k = W[pair].rows
            let M = Matrix<Scalar>(rows: k, cols: k) { _, _ in Scalar(rng.uniform()) }
            let out = step(W, input: X, M: M)
            W = out.weights
            records.append(out.record)
        }
        return (W, records)
    }

    /// One step with a given M.
    @_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
    public func step<Scalar>(_ W: [Matrix<Scalar>], input X: Matrix<Scalar>, M: Matrix<Scalar>)
        -> (weights: [Matrix<Scalar>], record: Record) {
        let h = hiddenInput(W, X, layer: pair)
        let (kappa, slope) = Self.curvatureAndSlope(U: W[pair + 1], V: W[pair], input: h, M: M)
        let sign: Scalar = direction == .increase ? 1 : -1
        let t = sign * Scalar(learningRate) * slope
        var out = W
        if t.isFinite {
            let moved = groupAction(exp: Variable(Matrix.scalar(t)), M: Variable(M), U: Variable(W[pair + 1]),
                                    V: Variable(W[pair]), h: Variable(h))
            out[pair + 1] = moved.U.value
            out[pair] = moved.V.value
        }
        return (out, Record(kappa: Double(kappa), slope: Double(slope), t: Double(t)))
    }
}

/// h(layer) = sigma(W[layer-1] ... sigma(W[0] X)), the input of W[layer].
@_specialize(exported: true, where Scalar == Float) @_specialize(exported: true, where Scalar == Double)
public func hiddenInput<Scalar>(_ W: [Matrix<Scalar>], _ X: Matrix<Scalar>, layer: Int) -> Matrix<Scalar> {
    var h = X
    for i in 0..<layer { h = matmul(W[i], h).leakyReLU(Scalar(leakySlope)) }
    return h
}
