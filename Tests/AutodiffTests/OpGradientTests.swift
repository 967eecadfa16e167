import Autodiff
import Testing

/// One differentiable operation under test: input shapes, the input range, and the operation.
struct OpCase: Sendable, CustomTestStringConvertible {
    let name: String
    let shapes: [(Int, Int)]
    /// Inputs uniform in [0.5, 2] (for log, sqrt, pow) instead of [-1, 1].
    var positive = false
    let op: @Sendable ([Variable<Double>]) -> Variable<Double>

    var testDescription: String { name }

    init(_ name: String, _ shapes: [(Int, Int)], positive: Bool = false,
         _ op: @escaping @Sendable ([Variable<Double>]) -> Variable<Double>) {
        self.name = name; self.shapes = shapes; self.positive = positive; self.op = op
    }

    func inputs(seed: UInt64) -> [Matrix<Double>] {
        var g = SeededGenerator(seed: seed)
        return shapes.map { r, c in
            positive ? Matrix.uniform(r, c, low: 0.5, high: 2, using: &g)
                     : Matrix.uniform(r, c, low: -1, high: 1, using: &g)
        }
    }

    /// A fixed random matrix of the output's shape, to reduce the output to a scalar.
    func probe(like y: Variable<Double>, seed: UInt64) -> Variable<Double> {
        var g = SeededGenerator(seed: seed)
        return Variable(Matrix.uniform(y.rows, y.cols, low: -1, high: 1, using: &g))
    }
}

let opCases: [OpCase] = [
    OpCase("add", [(3, 4), (3, 4)]) { $0[0] + $0[1] },
    OpCase("add column", [(3, 4), (3, 1)]) { $0[0] + $0[1] },
    OpCase("add row", [(1, 4), (3, 4)]) { $0[0] + $0[1] },
    OpCase("add scalar", [(3, 4), (1, 1)]) { $0[0] + $0[1] },
    OpCase("add outer", [(3, 1), (1, 4)]) { $0[0] + $0[1] },
    OpCase("sub column", [(3, 4), (3, 1)]) { $0[0] - $0[1] },
    OpCase("sub row", [(1, 4), (3, 4)]) { $0[0] - $0[1] },
    OpCase("mul", [(3, 4), (3, 4)]) { $0[0] * $0[1] },
    OpCase("mul row", [(3, 4), (1, 4)]) { $0[0] * $0[1] },
    OpCase("mul scalar", [(1, 1), (3, 4)]) { $0[0] * $0[1] },
    OpCase("div", [(3, 4), (3, 4)], positive: true) { $0[0] / $0[1] },
    OpCase("div column", [(3, 4), (3, 1)], positive: true) { $0[0] / $0[1] },
    OpCase("neg", [(3, 4)]) { -$0[0] },
    OpCase("constant scalars", [(3, 4)]) { (2 * $0[0] + 1) / 3 - 0.5 },
    OpCase("scalar over", [(3, 4)], positive: true) { 1 / $0[0] },
    OpCase("pow 3", [(3, 4)]) { $0[0].pow(3) },
    OpCase("pow 2", [(3, 4)]) { $0[0].pow(2) },
    OpCase("pow -1.5", [(3, 4)], positive: true) { $0[0].pow(-1.5) },
    OpCase("sqrt", [(3, 4)], positive: true) { $0[0].sqrt() },
    OpCase("exp", [(3, 4)]) { $0[0].exp() },
    OpCase("log", [(3, 4)], positive: true) { $0[0].log() },
    OpCase("tanh", [(3, 4)]) { $0[0].tanh() },
    OpCase("sigmoid", [(3, 4)]) { $0[0].sigmoid() },
    OpCase("abs", [(3, 4)]) { $0[0].abs() * $0[0] },
    OpCase("leakyReLU", [(3, 4)]) { $0[0].leakyReLU(0.1) * $0[0] },
    OpCase("clamped", [(3, 4)]) { $0[0].clamped(-0.5, 0.4) * $0[0] },
    OpCase("sum", [(3, 4)]) { $0[0].sum() * $0[0] },
    OpCase("sum over rows", [(3, 4)]) { $0[0].sum(over: .rows) * $0[0] },
    OpCase("sum over columns", [(3, 4)]) { $0[0].sum(over: .columns) * $0[0] },
    OpCase("mean", [(3, 4)]) { $0[0].mean() * $0[0] },
    OpCase("mean over rows", [(3, 4)]) { $0[0].mean(over: .rows).exp() },
    OpCase("mean over columns", [(3, 4)]) { $0[0].mean(over: .columns).exp() },
    OpCase("squared norm", [(3, 4)]) { $0[0].squaredNorm() },
    OpCase("frobenius norm", [(3, 4)]) { $0[0].frobeniusNorm() },
    OpCase("dot", [(3, 4), (3, 4)]) { $0[0].dot($0[1]) * $0[0] },
    OpCase("logSoftmax over rows", [(4, 5)]) { $0[0].logSoftmax(over: .rows) },
    OpCase("logSoftmax over columns", [(4, 5)]) { $0[0].logSoftmax(over: .columns) },
    OpCase("crossEntropy classes along rows", [(3, 5)]) {
        $0[0].crossEntropy(labels: [0, 2, 1, 1, 2], classesAlong: .rows)
    },
    OpCase("crossEntropy classes along columns", [(5, 3)]) {
        $0[0].crossEntropy(labels: [0, 2, 1, 1, 2], classesAlong: .columns)
    },
    OpCase("transposed", [(3, 4)]) { $0[0].transposed() * $0[0].transposed() },
    OpCase("reshaped", [(3, 4)]) { $0[0].reshaped(2, 6).exp() },
    OpCase("flattened", [(3, 4)]) { $0[0].flattened().tanh() },
    OpCase("slice", [(4, 5)]) { $0[0].slice(rows: 1..<3, cols: 2..<5).exp() },
    OpCase("embedded", [(2, 3)]) { $0[0].embedded(inRows: 4, cols: 5, at: 1, 2).exp() },
    OpCase("hconcat", [(3, 2), (3, 3)]) { hconcat([$0[0], $0[1], $0[0]]).tanh() },
    OpCase("vconcat", [(2, 3), (1, 3)]) { vconcat([$0[0], $0[1]]).tanh() },
    OpCase("split", [(5, 3)]) { xs in
        let parts = xs[0].split(sizes: [2, 3], along: .rows)
        return matmul(parts[0], parts[1], transposeB: true)
    },
    OpCase("broadcast", [(1, 4)]) { $0[0].broadcast(toRows: 3, cols: 4).tanh() },
    OpCase("summed", [(3, 4)]) { $0[0].summed(toRows: 3, cols: 1).exp() },
    OpCase("matmul", [(3, 4), (4, 2)]) { matmul($0[0], $0[1]) },
    OpCase("matmul transposeA", [(4, 3), (4, 2)]) { matmul($0[0], $0[1], transposeA: true) },
    OpCase("matmul transposeB", [(3, 4), (2, 4)]) { matmul($0[0], $0[1], transposeB: true) },
    OpCase("matmul transposeA transposeB", [(4, 3), (2, 4)]) {
        matmul($0[0], $0[1], transposeA: true, transposeB: true)
    },
    OpCase("matmul self", [(3, 3)]) { matmul($0[0], $0[0]) },
    OpCase("vecmat", [(1, 4), (4, 3)]) { vecmat($0[0], $0[1]) },
    OpCase("vecmat transposeW", [(1, 4), (3, 4)]) { vecmat($0[0], $0[1], transposeW: true) },
    OpCase("pinv wide", [(3, 5)]) { pinv($0[0]) },
    OpCase("pinv tall", [(5, 3)]) { pinv($0[0]) },
    OpCase("pinv square", [(4, 4)]) { pinv($0[0]) },
    OpCase("matrixExp", [(4, 4)]) { matrixExp($0[0]) },
    OpCase("matrixExp scaled", [(3, 3)]) { matrixExp($0[0] * 4) },
    OpCase("eye", [(3, 3)]) { matmul(eye(3) + $0[0], $0[0]) },
]

@Suite struct OpGradients {
    @Test(arguments: opCases)
    func firstDerivativesMatchFiniteDifferences(_ c: OpCase) {
        let inputs = c.inputs(seed: 1)
        let probe = c.probe(like: c.op(inputs.map { Variable($0) }), seed: 2)
        let result = gradientCheck(at: inputs) { xs in (c.op(xs) * probe).sum() }
        #expect(result.passes(1e-6), "\(c.name): max error \(result.maxError)")
    }

    /// Hessian-vector products by double backpropagation through each op's backward rule.
    @Test(arguments: opCases)
    func secondDerivativesMatchFiniteDifferences(_ c: OpCase) {
        let inputs = c.inputs(seed: 3)
        let probe = c.probe(like: c.op(inputs.map { Variable($0) }), seed: 4)
        var g = SeededGenerator(seed: 5)
        let directions = inputs.map { Matrix<Double>.uniform($0.rows, $0.cols, low: -1, high: 1, using: &g) }
        // A nonlinear reduction (tanh) so that linear ops also get a non-zero Hessian.
        let result = secondOrderGradientCheck(at: inputs, probes: directions) { xs in
            (c.op(xs).tanh() * probe).sum()
        }
        #expect(result.passes(1e-6), "\(c.name): max error \(result.maxError)")
    }

    /// Third derivatives through the ops that the teleportation algorithms differentiate most.
    @Test(arguments: opCases.filter { ["pinv wide", "pinv tall", "matrixExp", "logSoftmax over rows",
                                       "tanh", "div"].contains($0.name) })
    func thirdDerivativesMatchFiniteDifferences(_ c: OpCase) {
        let inputs = c.inputs(seed: 6)
        let probe = c.probe(like: c.op(inputs.map { Variable($0) }), seed: 7)
        var g = SeededGenerator(seed: 8)
        let d1 = inputs.map { Matrix<Double>.uniform($0.rows, $0.cols, low: -1, high: 1, using: &g) }
        let d2 = inputs.map { Matrix<Double>.uniform($0.rows, $0.cols, low: -1, high: 1, using: &g) }
        let result = gradientCheck(at: inputs, step: 1e-5) { xs in
            // <grad <grad f, d1>, d2>: a third-order contraction.
            let g1 = grad(of: (c.op(xs) * probe).sum(), wrt: xs, createGraph: true)
            let h = sum(zip(g1, d1).map { $0.dot(Variable($1)) })
            let g2 = grad(of: h, wrt: xs, createGraph: true)
            return sum(zip(g2, d2).map { $0.dot(Variable($1)) })
        }
        #expect(result.passes(1e-5), "\(c.name): max error \(result.maxError)")
    }
}
