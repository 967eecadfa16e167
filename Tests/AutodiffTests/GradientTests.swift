import Autodiff
import Foundation
import Testing

func maxDifference<S>(_ a: Matrix<S>, _ b: Matrix<S>) -> Double {
    precondition(a.hasSameShape(as: b), "shape mismatch \(a.shape) vs \(b.shape)")
    return zip(a.doubles, b.doubles).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
}

func random(_ r: Int, _ c: Int, seed: UInt64) -> Matrix<Double> {
    var g = SeededGenerator(seed: seed)
    return Matrix.uniform(r, c, low: -1, high: 1, using: &g)
}

@Suite struct GradientAPI {
    @Test func accumulatesOverRepeatedUse() {
        let x = Variable(Matrix<Double>([[1, 2], [3, 4]]), requiresGrad: true)
        let y = (x * x + x).sum()                        // d/dx = 2x + 1
        let g = grad(of: y, wrt: [x])[0]
        #expect(g.value == Matrix([[3, 5], [7, 9]]))
        #expect(!g.requiresGrad)
    }

    @Test func unrelatedVariablesGetZeros() {
        let x = Variable(Matrix<Double>.ones(2, 3), requiresGrad: true)
        let z = Variable(Matrix<Double>.ones(4, 1), requiresGrad: true)
        let c = Variable(Matrix<Double>.ones(2, 3))      // a constant: no gradient is tracked
        let gs = grad(of: (x * c).sum(), wrt: [z, c, x])
        #expect(gs[0].value == Matrix.zeros(4, 1))
        #expect(gs[1].value == Matrix.zeros(2, 3))
        #expect(gs[2].value == Matrix.ones(2, 3))
    }

    @Test func constantsRecordNothing() {
        let a = Variable(Matrix<Double>.ones(2, 2))
        let b = matmul(a, a).exp().sum()
        #expect(!b.requiresGrad && b.inputs.isEmpty)
    }

    @Test func seededVectorJacobianProduct() {
        let a = random(3, 4, seed: 1), b = random(4, 2, seed: 2), s = random(3, 2, seed: 3)
        let va = Variable(a, requiresGrad: true)
        let y = matmul(va, Variable(b))
        let g = grad(of: y, wrt: [va], seed: Variable(s))[0]
        #expect(maxDifference(g.value, matmul(s, b, transposeB: true)) < 1e-15)
    }

    @Test func gradientOfGradientNorm() {
        // f(x) = sum(x^3); grad = 3x^2; |grad|^2 = 9 sum x^4; its gradient = 36 x^3.
        let x0 = random(2, 3, seed: 4)
        let x = Variable(x0, requiresGrad: true)
        let g = grad(of: x.pow(3).sum(), wrt: [x], createGraph: true)[0]
        #expect(g.requiresGrad)
        let gg = grad(of: g.squaredNorm(), wrt: x)
        #expect(maxDifference(gg.value, x0.pow(3) * 36) < 1e-13)
    }

    @Test func valueWithGradientMatchesGrad() {
        let w = random(3, 4, seed: 5), x = random(4, 6, seed: 6)
        let (value, gradient) = valueWithGradient(at: [w]) { ps in
            matmul(ps[0], Variable(x)).tanh().squaredNorm()
        }
        let check = gradientCheck(at: [w]) { ps in matmul(ps[0], Variable(x)).tanh().squaredNorm() }
        #expect(abs(value - matmul(w, x).tanh().squaredNorm()) < 1e-14)
        #expect(maxDifference(gradient[0], check.analytic[0]) == 0)
        #expect(check.passes())
    }

    /// A recurrent weight used by several products (x_t Wᵀ and W h_t forms, plus a use outside
    /// any product): `grad` without a graph stacks the products' factors into one gemm; the
    /// result must equal the per-use sum computed with a graph, and finite differences.
    @Test func weightSharedByManyProducts() {
        let w = random(4, 3, seed: 11), u = random(3, 4, seed: 12), x0 = random(1, 3, seed: 13)
        func f(_ ps: [Variable<Double>]) -> Variable<Double> {
            var h = Variable(x0)
            var total = ps[0].squaredNorm() * 0.1                     // a use that is not a product
            for step in 0..<4 {
                let z = matmul(h, ps[0], transposeB: true).tanh()     // 1 x 4: h Wᵀ
                h = matmul(z, ps[1], transposeB: true)                // 1 x 3: z Uᵀ
                let back = matmul(ps[1], ps[0])                       // 3 x 3: U W (U as left operand)
                total = total + h.squaredNorm() * Double(step + 1) + back.sum() * 0.01
            }
            return total
        }
        let ps = [Variable(w, requiresGrad: true), Variable(u, requiresGrad: true)]
        let batched = grad(of: f(ps), wrt: ps)
        let perUse = grad(of: f(ps), wrt: ps, createGraph: true)   // no stacking with a graph
        for k in 0..<2 { #expect(maxDifference(batched[k].value, perUse[k].value) < 1e-13) }
        #expect(gradientCheck(at: [w, u], of: f).passes())
    }

    /// The same recurrence with its batch-1 products through `vecmat` (gemv): stacking its
    /// weight gradients gives the per-use sum, and the gradients agree with `matmul`'s.
    @Test func weightSharedByManyVectorProducts() {
        let w = random(4, 3, seed: 11), u = random(3, 4, seed: 12), x0 = random(1, 3, seed: 13)
        func f(_ ps: [Variable<Double>], gemv: Bool) -> Variable<Double> {
            var h = Variable(x0)
            var total = ps[0].squaredNorm() * 0.1
            for step in 0..<4 {
                let z = (gemv ? vecmat(h, ps[0], transposeW: true) : matmul(h, ps[0], transposeB: true)).tanh()
                h = gemv ? vecmat(z, ps[1], transposeW: true) : matmul(z, ps[1], transposeB: true)
                let back = gemv ? vecmat(h, ps[0].transposed()) : matmul(h, ps[0].transposed())  // 1 x 4: h Wᵀ
                total = total + h.squaredNorm() * Double(step + 1) + back.sum() * 0.01
            }
            return total
        }
        let ps = [Variable(w, requiresGrad: true), Variable(u, requiresGrad: true)]
        let batched = grad(of: f(ps, gemv: true), wrt: ps)
        let perUse = grad(of: f(ps, gemv: true), wrt: ps, createGraph: true)
        let viaGemm = grad(of: f(ps, gemv: false), wrt: ps)
        for k in 0..<2 {
            #expect(maxDifference(batched[k].value, perUse[k].value) < 1e-13)
            #expect(maxDifference(batched[k].value, viaGemm[k].value) < 1e-13)
        }
        #expect(gradientCheck(at: [w, u]) { f($0, gemv: true) }.passes())
    }

    @Test func deepGraphs() {
        let x = Variable(Matrix<Double>.scalar(1), requiresGrad: true)
        var y = x
        for _ in 0..<30_000 { y = y * 1.00001 + 0.0 }
        let g = grad(of: y, wrt: [x])[0]
        #expect(abs(g.scalar - pow(1.00001, 30_000)) < 1e-10)
        y = x  // releases the 60 000-operation chain (iteratively)
    }
}

@Suite struct ForwardDerivatives {
    @Test func jvpMatchesFiniteDifferences() {
        let a0 = random(3, 5, seed: 7), v0 = random(3, 5, seed: 8)
        let a = Variable(a0, requiresGrad: true)
        let d = jvp(of: pinv(a), wrt: [a], tangents: [Variable(v0)])
        let h = 1e-6
        let fd = (pinv(a0 + v0 * h) - pinv(a0 - v0 * h)) / (2 * h)
        #expect(d.value.shape == (5, 3))
        #expect(maxDifference(d.value, fd) < 1e-8)
    }

    @Test func jacobianOfExponentialCurve() {
        // gamma(t) = exp(tM): gamma' = M exp(tM), gamma'' = M^2 exp(tM).
        let m = random(4, 4, seed: 9)
        let t = Variable(Matrix<Double>.scalar(0.3), requiresGrad: true)
        let gamma = matrixExp(Variable(m) * t)
        let d1 = jacobian(of: gamma, wrt: t, createGraph: true)
        let d2 = jacobian(of: d1, wrt: t)
        let e = matrixExp(m * 0.3)
        #expect(maxDifference(d1.value, matmul(m, e)) < 1e-13)
        #expect(maxDifference(d2.value, matmul(matmul(m, m), e)) < 1e-13)
    }

    @Test func jacobianThroughPinvAction() {
        // t -> pinv(A + tB) at t = 0 against central differences, first and second derivative.
        let a0 = random(3, 6, seed: 10), b0 = random(3, 6, seed: 11)
        let t = Variable(Matrix<Double>.scalar(0), requiresGrad: true)
        let y = pinv(Variable(a0) + Variable(b0) * t)
        let d1 = jacobian(of: y, wrt: t, createGraph: true)
        let d2 = jacobian(of: d1, wrt: t)
        let h = 1e-4
        let p0 = pinv(a0), pp = pinv(a0 + b0 * h), pm = pinv(a0 - b0 * h)
        #expect(maxDifference(d1.value, (pp - pm) / (2 * h)) < 1e-6)
        #expect(maxDifference(d2.value, (pp - p0 * 2 + pm) / (h * h)) < 1e-5)
    }
}
