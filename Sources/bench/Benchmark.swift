import Foundation

/// One benchmark entry: a named piece of work timed over repeats (median reported).
struct Benchmark {
    /// Short identifier, e.g. "sgemm/mnist".
    let name: String
    /// What one repetition does, in words.
    let detail: String
    /// Number of timed repetitions (after one warm-up).
    let repeats: Int
    /// Floating-point operations of one repetition, where they are easy to count honestly
    /// (the formula is at the benchmark's definition); nil otherwise.
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
    let flops: Double?
    /// flops / median / 1e9.
    let gflops: Double?
    /// gflops over the peak measured by `peak/sgemm` in the same invocation.
    var fractionOfPeak: Double?
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

/// Runs one benchmark: a warm-up repetition, then `repeats` timed ones (the timing loop
/// itself allocates nothing: the times go into a buffer reserved beforehand).
func measure(_ b: Benchmark) -> Measurement {
    let body = b.make()
    body()
    var times: [Double] = []
    times.reserveCapacity(b.repeats)
    for _ in 0..<b.repeats {
        let t0 = now()
        body()
        times.append(now() - t0)
    }
    let m = median(times)
    return Measurement(name: b.name, detail: b.detail, seconds: times, median: m, flops: b.flops,
                       gflops: b.flops.map { $0 / m / 1e9 }, fractionOfPeak: nil, naive: b.naive)
}
