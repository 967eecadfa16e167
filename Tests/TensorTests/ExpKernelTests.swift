import CKernels
import Foundation
import Testing
import Tensor

/// exp of Float arrays (`CKernels/ExpKernels.c`): both copies (AVX2+FMA, portable reference)
/// give the C library's expf bit for bit over a sweep of every 61st float bit pattern and at
/// the edges of its ranges, for every array length and position of a special value in a
/// vector; and the functions built on it keep their bits (Matrix.exp, logSumExp).
@Suite(.serialized) struct ExpKernelTests {
    /// `teleport_exp` of `x`, with the reference copy forced or not.
    static func exp(_ x: [Float], reference: Bool) -> [Float] {
        teleport_exp_force_reference(reference ? 1 : 0)
        defer { teleport_exp_force_reference(0) }
        var y = [Float](repeating: .nan, count: x.count)
        teleport_exp(x.count, x, &y)
        return y
    }

    /// Whether two floats have the same bits (any NaN equals any NaN).
    static func same(_ a: Float, _ b: Float) -> Bool { a.isNaN ? b.isNaN : a.bitPattern == b.bitPattern }

    @Test(arguments: [false, true]) func everySixtyFirstBitPatternGivesExpfsBits(reference: Bool) {
        teleport_exp_force_reference(reference ? 1 : 0)
        defer { teleport_exp_force_reference(0) }
        #expect(teleport_exp_count_differences_from_libm(0, UInt32.max, 61) == 0)
        // Densely around 0 and over the range of x - max in a softmax, [-30, 0].
        #expect(teleport_exp_count_differences_from_libm(Float(-30).bitPattern - 3_000_000, Float(-30).bitPattern, 1) == 0)
        #expect(teleport_exp_count_differences_from_libm(0, 2_000_000, 1) == 0)
        #expect(teleport_exp_count_differences_from_libm(Float(1).bitPattern, Float(1).bitPattern + 2_000_000, 1) == 0)
    }

    /// The edges: zeros, infinities, NaN, the largest finite values, the overflow and underflow
    /// thresholds of expf (and the floats beside them), subnormal inputs and results.
    static let edges: [Float] = {
        let thresholds: [Float] = [88, 0x1.62e42ep6, -0x1.9fe368p6, -0x1.9d1d9ep6, -87.33655, -103, -104, 89, -88]
        var x: [Float] = [0, -0.0, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                          .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 1, -1]
        for t in thresholds { x += [t.nextDown, t, t.nextUp] }
        return x
    }()

    @Test func edgesGiveExpfsBitsInEveryLaneAndTail() {
        for reference in [false, true] {
            // Each edge value at every position of arrays of 1 to 17 entries, among ordinary values.
            for edge in Self.edges {
                for length in 1...17 {
                    for position in 0..<length {
                        var x = (0..<length).map { Float($0) * -0.37 + 1.5 }
                        x[position] = edge
                        let y = Self.exp(x, reference: reference)
                        let wrong = zip(x, y).filter { !Self.same(expf($0), $1) }
                        #expect(wrong.isEmpty, "exp(\(edge)) at \(position) of \(length), reference \(reference)")
                    }
                }
            }
        }
    }

    @Test func inPlaceAndEmptyArrays() {
        var x: [Float] = (0..<29).map { Float($0) * 0.731 - 9 }
        let expected = x.map { expf($0) }
        x.withUnsafeMutableBufferPointer { p in teleport_exp(p.count, p.baseAddress!, p.baseAddress!) }
        #expect(zip(x, expected).allSatisfy { Self.same($0, $1) })
        teleport_exp(0, nil, nil)
    }

    @Test func matrixExpAndLogSumExpKeepTheirBits() {
        var g = SeededGenerator(seed: 5)
        let a = Matrix<Float>.uniform(10, 53, low: -40, high: 40, using: &g)
        #expect(a.exp().scalars.map(\.bitPattern) == a.scalars.map { expf($0).bitPattern })
        // logSumExp over rows, as the sum of expf(x - m) in order of the entries.
        let lse = a.logSumExp(over: .rows)
        for j in 0..<a.cols {
            let m = (0..<a.rows).map { a[$0, j] }.max()!
            var s: Float = 0
            for i in 0..<a.rows { s += expf(a[i, j] - m) }
            #expect(lse[0, j].bitPattern == (m + logf(s)).bitPattern)
        }
    }
}
