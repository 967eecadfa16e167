import CKernels
import Foundation
import Testing
import Tensor
@testable import Model

/// The register-blocked products (`CKernels/ProductKernels.c`): the AVX2+FMA and AVX-512
/// copies give the portable reference copy's bits on every shape (block remainders, partial
/// vectors), all follow the order of operations the header documents (re-implemented here in
/// Swift), and the trainer built on them trains like the OpenBLAS one up to rounding.
@Suite(.serialized) struct ProductKernelsTests {
    /// `count` values uniform in [-1, 1) times 10^[-2, 1): magnitudes over three decades.
    static func values(_ count: Int, _ generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in (generator.uniformFloat() * 2 - 1) * Float(pow(10, generator.uniform(-2, 1))) }
    }

    /// How many entries of two arrays differ in their bits (a count keeps a failure's message short).
    static func differing(_ x: [Float], _ y: [Float]) -> Int {
        x.count != y.count ? max(x.count, y.count) : zip(x, y).filter { $0.bitPattern != $1.bitPattern }.count
    }

    /// The copies of the kernels this CPU runs: 1 (the reference) up to its own level.
    static let levels = Array(1...Int(teleport_product_kernel_level()))

    /// `C = A Bᵀ` through the kernels, the copy capped at `level` (nil: the CPU's best).
    static func nt(_ m: Int, _ n: Int, _ k: Int, _ a: [Float], _ b: [Float], level: Int? = nil) -> [Float] {
        teleport_product_limit_level(Int32(level ?? 0))
        defer { teleport_product_limit_level(0) }
        var c = [Float](repeating: .nan, count: m * n)
        teleport_product_nt(m, n, k, a, k, b, k, &c, n)
        return c
    }

    /// `C = alpha A B + beta C` with `A(i, t) = a[i * aRow + t * aDepth]`, B's rows `ldb`
    /// floats apart (default `k`).
    static func accumulate(_ m: Int, _ k: Int, _ depth: Int, _ a: [Float], aRow: Int, aDepth: Int,
                           _ b: [Float], ldb: Int? = nil, _ c: [Float], alpha: Float, beta: Float,
                           level: Int? = nil) -> [Float] {
        teleport_product_limit_level(Int32(level ?? 0))
        defer { teleport_product_limit_level(0) }
        var c = c
        teleport_product_accumulate(m, k, depth, a, aRow, aDepth, b, ldb ?? k, &c, k, alpha, beta)
        return c
    }

    /// The documented order of `teleport_product_nt`: eight lane sums by fused multiply-add,
    /// the missing entries of a last partial group as 0 * 0, then the fixed reduction tree.
    static func documentedDot(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
        var s = [Float](repeating: 0, count: 8)
        let k = a.count, (a0, b0) = (a.startIndex, b.startIndex)
        for group in stride(from: 0, to: k, by: 8) {
            for l in 0..<8 {
                let p = group + l
                s[l] = s[l].addingProduct(p < k ? a[a0 + p] : 0, p < k ? b[b0 + p] : 0)
            }
        }
        return ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))
    }

    /// Shapes around the block sizes (4 x 3 for nt, its last four rows of B as 2 + 2, 4 x 4 in
    /// its AVX-512 copy, rows in pairs; 6 rows x 16 columns for accumulate, 4 x 64 in its AVX-512
    /// copy) and the vector widths (8 and 16), each with a partial last
    /// group; nt's two paths (depth up to 1024 in one pass, beyond in chunks of 768 columns
    /// and groups of 32 rows: a last chunk of 262, 8 or a whole 768, a second group of rows).
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (3, 2, 7), (4, 3, 8), (5, 4, 9), (7, 5, 17), (20, 16, 784), (13, 10, 23), (6, 16, 16), (9, 7, 41),
        (5, 7, 1030), (6, 5, 1100), (37, 4, 1544), (9, 3, 1536), (20, 7, 3072), (8, 3, 64), (11, 2, 130),
        (3, 10, 2001), (7, 2, 1300),
    ]

    /// `teleport_product_nt_then` prefetches rows of A and the rows at `next` while it
    /// computes (the AVX2 copy, both paths): the reference bits on every shape, with `next`
    /// elsewhere or nil.
    @Test func prefetchingChangesNoValue() {
        var generator = SeededGenerator(seed: 12)
        for (m, n, k) in Self.shapes {
            let a = Self.values(m * k, &generator), b = Self.values(n * k, &generator)
            let following = Self.values(4 * k, &generator)
            let slow = Self.nt(m, n, k, a, b, level: 1)
            for next in [true, false] {
                var c = [Float](repeating: .nan, count: m * n)
                following.withUnsafeBufferPointer { f in
                    teleport_product_nt_then(m, n, k, a, k, b, k, &c, n, next ? f.baseAddress : nil)
                }
                #expect(c.map(\.bitPattern) == slow.map(\.bitPattern), "nt_then \(m)x\(n)x\(k), next \(next)")
            }
        }
    }

    /// Every copy this CPU runs (AVX2, AVX-512) gives the reference copy's bits.
    @Test func vectorCopiesGiveTheReferenceBits() {
        var generator = SeededGenerator(seed: 11)
        for (m, n, k) in Self.shapes {
            let a = Self.values(m * k, &generator), b = Self.values(n * k, &generator)
            let slow = Self.nt(m, n, k, a, b, level: 1)
            for level in Self.levels.dropFirst() {
                #expect(Self.differing(Self.nt(m, n, k, a, b, level: level), slow) == 0, "nt \(m)x\(n)x\(k), level \(level)")
            }
            // Both strides of A (A and its transpose), both betas, alpha 1 and not.
            let c = Self.values(m * k, &generator), depth = n
            let A = Self.values(m * depth, &generator), B = Self.values(depth * k, &generator)
            for (aRow, aDepth) in [(depth, 1), (1, m)] {
                for (alpha, beta) in [(Float(1), Float(0)), (-0.05, 0), (-0.05, 1)] {
                    let slow = Self.accumulate(m, k, depth, A, aRow: aRow, aDepth: aDepth, B, c,
                                               alpha: alpha, beta: beta, level: 1)
                    for level in Self.levels.dropFirst() {
                        let fast = Self.accumulate(m, k, depth, A, aRow: aRow, aDepth: aDepth, B, c,
                                                   alpha: alpha, beta: beta, level: level)
                        #expect(Self.differing(fast, slow) == 0,
                                "accumulate \(m)x\(k) depth \(depth), strides \(aRow),\(aDepth), alpha \(alpha), beta \(beta), level \(level)")
                    }
                }
            }
        }
    }

    /// B's rows a multiple of 4 KiB apart (CIFAR-10 image rows, 12 KiB): the vector copies copy
    /// panels of B to the stack, and still give the reference's bits, on panels cut inside a
    /// block and a partial vector, and with too few or too many rows to copy.
    @Test func crowdedRowsOfBAreCopiedWithoutChangingBits() {
        var generator = SeededGenerator(seed: 15)
        for (m, k, depth, ldb) in [(13, 1000, 20, 1024), (7, 3072, 20, 3072), (6, 300, 5, 1024), (3, 40, 300, 1024)] {
            let A = Self.values(m * depth, &generator), B = Self.values(depth * ldb, &generator)
            let c = Self.values(m * k, &generator)
            for (alpha, beta) in [(Float(1), Float(0)), (-0.05, 1)] {
                let slow = Self.accumulate(m, k, depth, A, aRow: 1, aDepth: m, B, ldb: ldb, c,
                                           alpha: alpha, beta: beta, level: 1)
                for level in Self.levels.dropFirst() {
                    let fast = Self.accumulate(m, k, depth, A, aRow: 1, aDepth: m, B, ldb: ldb, c,
                                               alpha: alpha, beta: beta, level: level)
                    #expect(Self.differing(fast, slow) == 0,
                            "accumulate \(m)x\(k) depth \(depth), B rows \(ldb) apart, alpha \(alpha), beta \(beta), level \(level)")
                }
            }
        }
    }

    @Test func theDocumentedOrderOfOperations() {
        var generator = SeededGenerator(seed: 12)
        for (m, n, k) in Self.shapes {
            let a = Self.values(m * k, &generator), b = Self.values(n * k, &generator)
            let c = Self.nt(m, n, k, a, b)
            var differing = 0
            for i in 0..<m {
                for j in 0..<n where Self.documentedDot(a[(i * k)..<((i + 1) * k)], b[(j * k)..<((j + 1) * k)]) != c[i * n + j] {
                    differing += 1
                }
            }
            #expect(differing == 0, "nt \(m)x\(n)x\(k): \(differing) entries off the documented order")
            // accumulate: one fused chain over t from 0, then fmaf(alpha, sum, C).
            let depth = n, A = Self.values(m * depth, &generator), B = Self.values(depth * k, &generator)
            let old = Self.values(m * k, &generator)
            let out = Self.accumulate(m, k, depth, A, aRow: depth, aDepth: 1, B, old, alpha: -0.05, beta: 1)
            differing = 0
            for i in 0..<m {
                for p in 0..<k {
                    var sum: Float = 0
                    for t in 0..<depth { sum = sum.addingProduct(A[i * depth + t], B[t * k + p]) }
                    if old[i * k + p].addingProduct(-0.05, sum) != out[i * k + p] { differing += 1 }
                }
            }
            #expect(differing == 0, "accumulate \(m)x\(k): \(differing) entries off the documented order")
        }
    }

    /// A reassociated sum is caught: the lane order is not the sequential order.
    @Test func theOrderIsObservable() {
        var generator = SeededGenerator(seed: 13)
        let k = 784, a = Self.values(k, &generator), b = Self.values(k, &generator)
        let kernel = Self.nt(1, 1, k, a, b)[0]
        var sequential: Float = 0
        for p in 0..<k { sequential = sequential.addingProduct(a[p], b[p]) }
        #expect(kernel != sequential, "a sequential sum should round differently over 784 terms")
        let exact = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(Double(kernel) - exact) <= 1e-5 * zip(a, b).reduce(0.0) { $0 + abs(Double($1.0 * $1.1)) })
    }

    /// The AVX2+FMA copy runs where the CPU lists both (Linux), the AVX-512 one where it also
    /// lists avx512f, and the level can be capped.
    @Test func dispatch() throws {
        #if arch(x86_64) && os(Linux)
        let flags = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? []
        let vectors = flags.contains("avx2") && flags.contains("fma")
        #expect(teleport_product_kernel_level() == (vectors ? (flags.contains("avx512f") ? 3 : 2) : 1))
        #endif
        let best = teleport_product_kernel_level()
        for cap in Int32(1)...3 {
            teleport_product_limit_level(cap)
            #expect(teleport_product_kernel_level() == min(cap, best))
        }
        teleport_product_limit_level(0)
        #expect(teleport_product_kernel_level() == best)
    }

    /// Every network of the paper trains through the register-blocked products; an epoch gives
    /// the same bits on every copy of the kernels and agrees with the OpenBLAS trainer up to
    /// Float32 rounding, on the MNIST MLP and (its image rows copied) on generalization's
    /// CIFAR-10 MLP.
    @Test(arguments: [(MLPShape.mnist, 400), (MLPShape.cifarSmall, 100)])
    func trainerWithTheRegisterBlockedProducts(shape: MLPShape, samples: Int) {
        for network in [MLPShape.mnist, .cifar, .cifarSmall] {
            #expect(FusedMLPTrainer(shape: network, seed: 0, optimizer: .sgd(lr: 0.01)).productKernel == .registerBlocked)
        }
        var generator = SeededGenerator(seed: 14)
        let images = (0..<(samples * shape.inputSize)).map { _ in generator.uniformFloat() }
        let labels = (0..<samples).map { _ in generator.int(below: 10) }
        func epoch(_ products: ProductKernel, level: Int = 0) -> (loss: Double, weights: [Float]) {
            teleport_product_limit_level(Int32(level))
            defer { teleport_product_limit_level(0) }
            let trainer = FusedMLPTrainer(shape: shape, seed: 3, optimizer: .sgd(lr: 0.05), products: products)
            #expect(trainer.productKernel == products)
            let loss = trainer.trainEpoch(images: images, labels: labels, batchSize: 20)
            return (loss, trainer.parameters)
        }
        let blocked = epoch(.registerBlocked), portable = epoch(.registerBlocked, level: 1)
        #expect(blocked.loss.bitPattern == portable.loss.bitPattern)
        #expect(Self.differing(blocked.weights, portable.weights) == 0, "\(shape): weights of the fastest and the portable copy")
        for level in Self.levels.dropFirst().dropLast() {
            #expect(Self.differing(epoch(.registerBlocked, level: level).weights, portable.weights) == 0,
                    "\(shape): weights of copy \(level)")
        }
        let blas = epoch(.openBLAS)
        let start = shape.initialParameters(seed: 3, as: Float.self)
        let moved = zip(blas.weights, start).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +).squareRoot()
        let apart = zip(blas.weights, blocked.weights).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +).squareRoot()
        #expect(apart > 0, "different rounding, different bits")
        #expect(apart < 1e-4 * moved, "the two trainers apart by \(apart), the weights moved \(moved)")
        #expect(abs(blas.loss - blocked.loss) < 1e-5 * blas.loss)
    }
}
