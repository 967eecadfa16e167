import Foundation

/// One benchmark entry: a named piece of work timed over repeats (median reported).
struct Benchmark {
    /// Short identifier, e.g. "sgemm/mnist".
    let name: String
    /// What one repetition does, in words.
    let detail: String
    /// Number of timed repetitions (after one warm-up).
    let repeats: Int
    /// Optional work per repetition for a rate column (e.g. flops), and its unit ("GFLOP/s").
    let work: Double?
    let unit: String?
    /// Prepares state once and returns the closure timed on each repetition.
    let make: () -> () -> Void

    init(_ name: String, _ detail: String, repeats: Int = 11, work: Double? = nil,
         unit: String? = nil, make: @escaping () -> () -> Void) {
        self.name = name; self.detail = detail; self.repeats = repeats
        self.work = work; self.unit = unit; self.make = make
    }
}

/// Timing of one benchmark: all repetitions in seconds, and their median.
struct Measurement: Codable {
    let name: String
    let detail: String
    let seconds: [Double]
    let median: Double
    let rate: Double?
    let unit: String?
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

/// Runs one benchmark: a warm-up repetition, then `repeats` timed ones.
func measure(_ b: Benchmark) -> Measurement {
    let body = b.make()
    body()
    var times: [Double] = []
    for _ in 0..<b.repeats {
        let t0 = now()
        body()
        times.append(now() - t0)
    }
    let m = median(times)
    return Measurement(name: b.name, detail: b.detail, seconds: times, median: m,
                       rate: b.work.map { $0 / m }, unit: b.unit)
}
