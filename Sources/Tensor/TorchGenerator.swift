import CKernels

/// PyTorch's CPU random stream, bit for bit: the 32-bit Mersenne Twister (mt19937) seeded as
/// `torch.manual_seed(seed)` seeds it, and the maps `torch.rand` and `torch.randperm` apply to
/// its draws. With it a run starts from the published code's initial weights, trains on its
/// data order and measures with its random draws (PROTOCOL.md, "Published mode";
/// ../reference/torch-rng/README.md).
public struct TorchGenerator: Sendable {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624

    /// `torch.manual_seed(seed)`: `std::mt19937(seed)` with the seed truncated to 32 bits.
    public init(seed: UInt64) {
        state[0] = UInt32(truncatingIfNeeded: seed)
        for i in 1..<624 {
            let previous = state[i - 1]
            state[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
    }

    /// The next 32-bit draw of mt19937 (Matsumoto and Nishimura 1998).
    public mutating func next32() -> UInt32 {
        if index >= 624 { twist() }
        let y = state[index]
        index += 1
        return Self.temper(y)
    }

    @inline(__always)
    static func temper(_ x: UInt32) -> UInt32 {
        var y = x
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// Refills the state: mt19937's recurrence over the 624 words (in C, vectorised:
    /// `teleport_mt_twist`, CKernels/StreamKernels.c).
    private mutating func twist() {
        state.withUnsafeMutableBufferPointer { teleport_mt_twist($0.baseAddress!) }
        index = 0
    }

    /// Calls `body` with every draw of the next `count`, in order (fast path of the maps below).
    @inline(__always)
    mutating func draws(_ count: Int, _ body: (Int, UInt32) -> Void) {
        blocks(count) { source, done, n in
            for j in 0..<n { body(done + j, Self.temper(source[j])) }
        }
    }

    /// A 64-bit draw as PyTorch's `random64()` makes it: two draws, the first the high word
    /// (what `torch.empty((), dtype=torch.int64).random_()` takes, modulo 2^63).
    public mutating func next64() -> UInt64 {
        let hi = UInt64(next32()), lo = UInt64(next32())
        return (hi << 32) | lo
    }

    /// Advances the stream by `count` 32-bit draws (values drawn and discarded).
    public mutating func skip(_ count: Int) {
        var left = count
        while left > 0 {
            if index >= 624 { twist() }
            let n = min(624 - index, left)
            index += n
            left -= n
        }
    }

    /// One value of `torch.rand(..., dtype=float32)`: the low 24 bits of one draw, times 2^-24.
    public mutating func uniformFloat() -> Float {
        Float(next32() & 0xFF_FFFF) * 0x1.0p-24
    }

    /// One value of `torch.rand(..., dtype=float64)`: two draws, the first as the high word,
    /// the low 53 bits of the 64-bit result times 2^-53.
    public mutating func uniformDouble() -> Double {
        let hi = UInt64(next32()), lo = UInt64(next32())
        return Double(((hi << 32) | lo) & ((1 << 53) - 1)) * 0x1.0p-53
    }

    /// `torch.rand(count)` in float32, filled in order (row-major for a matrix).
    public mutating func rand(_ count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            draws(count) { i, x in buffer[i] = Float(x & 0xFF_FFFF) * 0x1.0p-24 }
            initialized = count
        }
    }

    /// Calls `body(source, done, n)` for every run of the next `count` draws that lies in one
    /// block of the state: `source[0..<n]` are the untempered words of draws `done..<done + n`.
    @inline(__always)
    private mutating func blocks(_ count: Int, _ body: (UnsafePointer<UInt32>, Int, Int) -> Void) {
        var done = 0
        while done < count {
            if index >= 624 { twist() }
            let n = min(624 - index, count - done), start = index
            state.withUnsafeBufferPointer { body($0.baseAddress! + start, done, n) }
            index += n
            done += n
        }
    }

    /// `torch.rand(buffer.count)` in float32 into `buffer`, returning the sum of the squares of
    /// the values exactly rounded to Double. Every value is m 2^-24 with an integer m < 2^24, so
    /// its square is m^2 2^-48: the integers m^2 are summed exactly (in UInt64 over each block of
    /// at most 624 draws, below 2^58; in UInt128 across blocks) and the sum is rounded once. The
    /// result depends on the values only, not on the order of the additions, which therefore
    /// vectorise (`teleport_mt_uniform_squares`; an in-order Double sum waits four cycles on
    /// every addition).
    public mutating func randSquaredNorm(into buffer: UnsafeMutableBufferPointer<Float>) -> Double {
        var total: UInt128 = 0
        blocks(buffer.count) { words, done, n in
            total += UInt128(teleport_mt_uniform_squares(n, words, buffer.baseAddress! + done))
        }
        return Double(total) * 0x1.0p-48
    }

    /// `randSquaredNorm(into:)` of the next `count` draws without keeping the values.
    public mutating func randSquaredNorm(count: Int) -> Double {
        var total: UInt128 = 0
        blocks(count) { words, _, n in total += UInt128(teleport_mt_uniform_squares(n, words, nil)) }
        return Double(total) * 0x1.0p-48
    }

    /// The next `target.count` values v of `torch.rand` in float32, each written as
    /// `base[i] + v / norm * scale` into `target` (a point perturbed by a direction of norm
    /// `scale`, when `norm` is the values' norm: `randSquaredNorm` on a copy of the stream).
    public mutating func rand(perturbing base: UnsafeBufferPointer<Float>, over norm: Float, times scale: Float,
                              into target: UnsafeMutableBufferPointer<Float>) {
        precondition(base.count == target.count, "rand(perturbing:): base and target differ in size")
        blocks(target.count) { words, done, n in
            teleport_mt_uniform_perturb(n, words, base.baseAddress! + done, norm, scale, target.baseAddress! + done)
        }
    }

    /// `torch.rand(count, dtype=float64)`.
    public mutating func randDouble(_ count: Int) -> [Double] {
        (0..<count).map { _ in uniformDouble() }
    }

    /// `torch.randperm(n, generator=...)` on the CPU: 0..<n, then for each i < n - 1 element
    /// i swapped with element i + (draw mod (n - i)).
    public mutating func randperm(_ n: Int) -> [Int] {
        precondition(n >= 0 && n <= Int(UInt32.max), "randperm needs 0 <= n < 2^32")
        var order = Array(0..<n)
        if n > 1 {
            for i in 0..<(n - 1) {
                let z = Int(next32() % UInt32(n - i))
                order.swapAt(i, i + z)
            }
        }
        return order
    }
}
