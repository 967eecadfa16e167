import Autodiff
import Datasets
import Testing
import TestSupport
@testable import Teleport
@testable import Model

@Suite(.requires(.golden("curvature.json")))
struct CurvatureGoldenTests {
    let g: Golden
    init() throws { g = try Golden.load("curvature.json") }

    @Test func closedFormDerivativesAndKappa() throws {
        let (g1, g2) = curveDerivatives(try g.mats("W"), input: try g.mat("X"), directions: try g.mats("M"))
        #expect(try relativeError(g1, g.mats("gamma_1")) < 1e-9)
        #expect(try relativeError(g2, g.mats("gamma_2")) < 1e-9)
        #expect(try relativeError(curvature(first: g1, second: g2), g.double("curvature")) < 1e-9)
    }

    @Test func float32WithinTolerance() throws {
        let W = try g.mats("W").map { Matrix<Float>($0) }
        let (g1, g2) = curveDerivatives(W, input: Matrix<Float>(try g.mat("X")),
                                        directions: try g.mats("M").map { Matrix<Float>($0) })
        #expect(try relativeError(Double(curvature(first: g1, second: g2)), g.double("curvature")) < 1e-4)
    }
}

@Suite(.requires(.golden("teleport_curvature_step.json")))
struct CurvatureTeleportGoldenTests {
    let g: Golden
    init() throws { g = try Golden.load("teleport_curvature_step.json") }

    @Test func oneAscentStep() throws {
        let W = try g.mats("W")
        let teleport = CurvatureTeleport(steps: 1, learningRate: try g.double("lr"), direction: .increase, pair: 1)
        let out = teleport.step(W, input: try g.mat("X"), M: try g.mat("M"))
        #expect(try relativeError(out.record.kappa, g.double("kappa")) < 1e-9)
        #expect(try relativeError(out.record.slope, g.double("dkappa_dt")) < 1e-9)
        #expect(try relativeError(out.record.t, g.double("t_new")) < 1e-9)
        #expect(try relativeError(out.weights[1], g.mat("W1_out")) < 1e-9)
        #expect(try relativeError(out.weights[2], g.mat("W2_out")) < 1e-9)
        #expect(out.weights[0] == W[0])
    }
}

@Suite struct CurvatureProperties {
    /// Positive entries everywhere keep every pre-activation positive (sigma acts as the
    /// identity); with input features = batch = hidden width (square, invertible V h) the
    /// pinv-based curve exp(tM).(U, V) is exactly the curve the closed form differentiates.
    @Test func closedFormEqualsAutodiffOfTheOrbitCurve() {
        var rng = SeededGenerator(seed: 7)
        func positive(_ r: Int, _ c: Int) -> Matrix<Double> { Matrix(rows: r, cols: c) { _, _ in 0.2 + rng.uniform() } }
        // Well-conditioned (2I + small positive part): the second derivative of pinv amplifies
        // rounding by powers of the condition number.
        let h = Matrix<Double>.identity(4) * 2 + positive(4, 4) * 0.3   // 4 features, batch 4
        let V = Matrix<Double>.identity(4) * 2 + positive(4, 4) * 0.3   // hidden width k = 4
        let U = positive(2, 4)
        let M = positive(4, 4) / 4

        let t = Variable(Matrix<Double>.scalar(0), requiresGrad: true)
        let curve = groupAction(exp: t, M: Variable(M), U: Variable(U), V: Variable(V), h: Variable(h))
        let d1 = [jacobian(of: curve.V, wrt: t, createGraph: true), jacobian(of: curve.U, wrt: t, createGraph: true)]
        let d2 = d1.map { jacobian(of: $0, wrt: t) }

        let (g1, g2) = curveDerivatives([V, U], input: h, directions: [M])
        #expect(relativeError(d1.map(\.value), g1) < 1e-12)
        #expect(relativeError(d2.map(\.value), g2) < 1e-12)
    }

    @Test func curvatureTeleportMovesKappaInTheAskedDirection() {
        var rng = SeededGenerator(seed: 11)
        let dims = [6, 5, 4, 3]
        let W = (0..<3).map { i in Matrix<Double>(rows: dims[i + 1], cols: dims[i]) { _, _ in rng.uniform(-1, 1) } }
        let X = Matrix<Double>(rows: 6, cols: 4) { _, _ in rng.uniform() }
        let M = Matrix<Double>(rows: 4, cols: 4) { _, _ in rng.uniform() }
        let h = hiddenInput(W, X, layer: 1)
        let before = CurvatureTeleport.curvatureAndSlope(U: W[2], V: W[1], input: h, M: M).kappa
        for direction in [CurvatureTeleport.Direction.increase, .decrease] {
            let teleport = CurvatureTeleport(steps: 1, learningRate: 1e-3, direction: direction)
            let moved = teleport.step(W, input: X, M: M).weights
            // Along the same one-parameter family, the curvature at the new point.
            let after = CurvatureTeleport.curvatureAndSlope(U: moved[2], V: moved[1],
                                                            input: hiddenInput(moved, X, layer: 1), M: M).kappa
            if direction == .increase { #expect(after > before) } else { #expect(after < before) }
        }
    }
}

/// `orbitCurvature` (the input layer through the Gram matrix) against the closed-form
/// derivatives with pinv(X), on the same inputs.
@Suite struct OrbitCurvatureTests {
    static func directions(_ W: [Matrix<Double>], seed: UInt64) -> [Matrix<Double>] {
        var rng = SeededGenerator(seed: seed)
        return W.dropLast().map { randomCurvatureDirection($0.rows, using: &rng) }
    }

    static func reference(_ W: [Matrix<Double>], _ X: Matrix<Double>, _ M: [Matrix<Double>]) -> Double {
        let (g1, g2) = curveDerivatives(W, input: X, directions: M)
        return curvature(first: g1, second: g2)
    }

    /// Tall X (the Gram route), wide X (the general route), and a tall X with repeated
    /// columns (rank deficient: the general route, whose pinv cuts the zero singular values).
    @Test(arguments: [(30, 12, false), (5, 12, false), (30, 12, true)])
    func sameKappaAsTheClosedForm(inputs: Int, batch: Int, repeatedColumns: Bool) {
        let (W, X0, _) = PublishedTeleportTests.problem(dims: [inputs, 6, 5, 4], batch: batch, seed: 9)
        let X = repeatedColumns ? X0.columns((0..<batch).map { $0 % (batch / 2) }) : X0
        let M = Self.directions(W, seed: 4)
        #expect(relativeError(orbitCurvature(W, input: X, directions: M), Self.reference(W, X, M)) < 1e-9)
    }

    /// A prepared `InputGram` of the batch gives the bits of the factor made inside the call,
    /// for every model that reuses it (the measurements factor each batch once); on the
    /// general route (wide or rank-deficient X) there is no factor and nothing changes.
    @Test(arguments: [(30, 12, false), (5, 12, false), (30, 12, true)])
    func aPreparedGramGivesTheSameBits(inputs: Int, batch: Int, repeatedColumns: Bool) {
        let (_, X0, _) = PublishedTeleportTests.problem(dims: [inputs, 6, 5, 4], batch: batch, seed: 9)
        let X = repeatedColumns ? X0.columns((0..<batch).map { $0 % (batch / 2) }) : X0
        let gram = InputGram(X)
        #expect((gram.factor != nil) == (inputs > batch && !repeatedColumns))
        for model in 0..<3 {
            let (W, _, _) = PublishedTeleportTests.problem(dims: [inputs, 6, 5, 4], batch: batch, seed: UInt64(20 + model))
            let M = Self.directions(W, seed: UInt64(model))
            let prepared = orbitCurvature(W, input: X, directions: M, gram: gram)
            #expect(prepared.bitPattern == orbitCurvature(W, input: X, directions: M).bitPattern, "model \(model)")
        }
    }

    /// A diverged model (NaN weights) with a prepared Gram factor: LAPACK refuses the solve and
    /// the general path answers, as without the factor.
    @Test func nanWeightsTakeTheGeneralPathWithAPreparedGram() {
        var (W, X, _) = PublishedTeleportTests.problem(dims: [30, 6, 5, 4], batch: 12, seed: 9)
        W[0][0, 0] = .nan
        let M = Self.directions(W, seed: 1)
        let prepared = orbitCurvature(W, input: X, directions: M, gram: InputGram(X))
        let (g1, g2) = curveDerivatives(W, input: X, directions: M)
        #expect(prepared.isNaN && curvature(first: g1, second: g2).isNaN)
    }

    @Test(.requires(.golden("curvature.json")))
    func goldenKappa() throws {
        let g = try Golden.load("curvature.json")
        let kappa = orbitCurvature(try g.mats("W"), input: try g.mat("X"), directions: try g.mats("M"))
        #expect(try relativeError(kappa, g.double("curvature")) < 1e-9)
    }

    /// MNIST batches of 200 at the initialisation: the Gram route agrees with the SVD route.
    @Test(.requires(.imageData))
    func mnistBatches() throws {
        let (train, _) = try Datasets.load(.mnist, root: TestPaths.datasetsFolder)
        let W = MLPShape.mnist.matrices(MLPShape.mnist.initialParameters(seed: 1, as: Float.self)).map { Matrix<Double>($0) }
        var rng = SeededGenerator(seed: 3)
        var worst = 0.0
        for draw in 0..<5 {
            let X = Matrix<Double>(columnBatch(images: train.images, features: 784,
                                               indices: (0..<200).map { _ in rng.int(below: 20_000) }))
            let M = Self.directions(W, seed: UInt64(draw))
            worst = max(worst, relativeError(orbitCurvature(W, input: X, directions: M), Self.reference(W, X, M)))
        }
        #expect(worst < 1e-9, "worst relative difference \(worst)")
    }
}
