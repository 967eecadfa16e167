import Foundation
import Tensor

/// One benchmark entry: a named piece of work timed over repeats (median reported).
struct Benchmark {
    /// Short identifier, e.g. "sgemm/mnist".
    let name: String
    /// What one repetition does, in words.
    let detail: String
    /// Number of timed repetitions (after one warm-up).
    let repeats: Int
    /// Floating-point operations of one repetition by a formula (at the benchmark's definition),
    /// for Float32 work outside the Tensor module (the fused trainer); nil to count the matrix products the warm-up
    /// does through the Tensor module (`ProductFlops`).
    let flops: Double?
    /// The entry timing the same work in a naive reference formulation, if any: the table
    /// shows how many times faster this entry is.
    let naive: String?
    /// Prepares state once and returns the closure timed on each repetition.
    let make: () -> () -> Void

    init(_ name: String, _ detail: String, repeats: Int = 11, flops: Double? = nil, naive: String? = nil,
         make: @escaping () -> () -> Void) {
        self.name = name; self.detail = detail; self.repeats = repeats
        self.flops = flops; self.naive = naive; self.make = make
    }
}

/// Timing of one benchmark: all repetitions in seconds, their median, and for benchmarks with
/// a flop count the rate at the median and its fraction of the machine's sgemm peak.
struct Measurement: Codable {
    let name: String
    let detail: String
    let seconds: [Double]
    let median: Double
    /// The flops of one repetition: by formula, else counted (nil when it does no matrix product).
    let flops: Double?
    /// The part of `flops` in double precision (counted; nil when none).
    var doubleFlops: Double? = nil
    /// Whether `flops` was counted during the warm-up rather than given by a formula.
    var counted: Bool? = nil
    /// flops / median / 1e9.
    let gflops: Double?
    /// The time the flops take at the peaks measured in the same invocation (Float32 at
    /// `peak/sgemm`, Float64 at `peak/dgemm`) over the median: how close the entry is to the
    /// limit its arithmetic sets.
    var fractionOfLimit: Double?
    /// The benchmark of the same work in the naive formulation (`Benchmark.naive`).
    var naive: String? = nil
}

/// Monotonic wall clock in seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

/// Runs one benchmark: a warm-up repetition (which counts the matrix products' flops when the
/// entry gives no formula), then `repeats` timed ones (the timing loop itself allocates nothing:
/// the times go into a buffer reserved beforehand).
/// `repeats` replaces the entry's own count (for profiling one entry).
func measure(_ b: Benchmark, repeats: Int? = nil) -> Measurement {
    let body = b.make()
    let counted = ProductFlops.count(body)
    let flops = b.flops ?? (counted.total > 0 ? counted.total : nil)
    let repeats = repeats ?? b.repeats
    var times: [Double] = []
    times.reserveCapacity(repeats)
    for _ in 0..<repeats {
        let t0 = now()
        body()
        times.append(now() - t0)
    }
    let m = median(times)
    return Measurement(name: b.name, detail: b.detail, seconds: times, median: m, flops: flops,
                       doubleFlops: b.flops == nil && counted.double > 0 ? counted.double : nil,
                       counted: b.flops == nil && flops != nil, gflops: flops.map { $0 / m / 1e9 },
                       fractionOfLimit: nil, naive: b.naive)
}
