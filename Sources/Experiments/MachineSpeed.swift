import Tensor

/// How fast the machine multiplies matrices while an invocation runs: the rate of a
/// single-threaded 1024 x 1024 Float32 product through OpenBLAS (the median of 3), in GFLOP/s.
///
/// Wall times are only comparable between runs made at similar speeds: on a shared machine the
/// same runs took up to 1.4x longer from one day to the next. Each `run` invocation that executes
/// runs records the rate before its first run and after its last (`Invocation.sgemmGFLOPS`), and
/// the README's time table states the range beside the times.
public enum MachineSpeed {
    /// The matrices' side.
    static let size = 1024

    /// Measures the rate now (about 0.1 s on a machine at 70-110 GFLOP/s).
    public static func sgemmGFLOPS() -> Double {
        var generator = SeededGenerator(seed: 1)
        let a = Matrix<Float>.uniform(size, size, using: &generator)
        let b = Matrix<Float>.uniform(size, size, using: &generator)
        _ = matmul(a, b)  // warm-up: page faults of the result, OpenBLAS's buffers
        var seconds: [Double] = []
        for _ in 0..<3 {
            let t0 = monotonicSeconds()
            _ = matmul(a, b)
            seconds.append(monotonicSeconds() - t0)
        }
        let median = seconds.sorted()[1]
        return 2 * Double(size * size * size) / median / 1e9
    }
}

/// The sgemm rate measured before an invocation's first run and after its last.
public struct SpeedProbe: Codable, Sendable, Equatable {
    public var before: Double
    public var after: Double

    public init(before: Double, after: Double) { self.before = before; self.after = after }
}
