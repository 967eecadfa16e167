import CKernels
import Testing
import Tensor

/// The C kernels of `TorchGenerator` (CKernels/StreamKernels.c): the refill against mt19937's
/// known answer, and both compiled copies (baseline x86-64 and AVX2) against the Swift
/// definitions of the float32 map, bit for bit.
@Suite(.serialized) struct StreamKernelsTests {
    /// The C++ standard's check of std::mt19937: its 10000th output from the default seed 5489.
    @Test(arguments: [false, true])
    func refillGivesTheStandardsTenThousandthDraw(baseline: Bool) {
        teleport_stream_force_baseline(baseline ? 1 : 0)
        defer { teleport_stream_force_baseline(0) }
        var g = TorchGenerator(seed: 5489)
        g.skip(9999)
        #expect(g.next32() == 4_123_659_995)
    }

    @Test(arguments: [false, true])
    func drawsNormsAndPerturbationsMatchTheSwiftDefinitions(baseline: Bool) {
        teleport_stream_force_baseline(baseline ? 1 : 0)
        defer { teleport_stream_force_baseline(0) }
        #expect(teleport_stream_kernel_level() >= 1)
        let count = 3001  // crosses refills, with a partial block at each end
        var reference = TorchGenerator(seed: 17), g = reference
        _ = reference.rand(100); g.skip(100)
        let expected = reference.rand(count)
        // The exact sum of squares: the integers m^2 (m = value * 2^24) in UInt128, rounded once.
        let exactSum = expected.reduce(UInt128(0)) { sum, v in let m = UInt128(v * 0x1.0p24); return sum + m * m }
        var values = [Float](repeating: 0, count: count)
        let squared = values.withUnsafeMutableBufferPointer { g.randSquaredNorm(into: $0) }
        #expect(values == expected)
        #expect(squared == Double(exactSum) * 0x1.0p-48)

        let base = (0..<count).map { Float($0 % 17) - 8.5 }
        let norm = Float(squared.squareRoot()), scale: Float = 0.013
        var replay = TorchGenerator(seed: 17)
        replay.skip(100)
        var ahead = replay
        #expect(ahead.randSquaredNorm(count: count) == squared)
        var out = [Float](repeating: 0, count: count)
        base.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { replay.rand(perturbing: b, over: norm, times: scale, into: $0) }
        }
        #expect(out == zip(base, expected).map { $0 + $1 / norm * scale })
        #expect(replay.next32() == g.next32())
    }
}
