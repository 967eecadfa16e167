import Foundation

/// How a claim's effect is decided: the claimed sign of an effect, an interval for it, and
/// three outcomes. The interval (95%) excludes the boundary on the claimed side: reproduced;
/// on the other side: contradicted; contains it: inconclusive. No claim is decided by a bare
/// comparison of two numbers, so a difference inside the seed-to-seed noise never decides.
public struct Decision: Codable, Sendable, Equatable {
    /// Where the claim puts the effect relative to `boundary`.
    public enum Direction: String, Codable, Sendable, CaseIterable {
        case above, below
        /// ">" or "<".
        public var symbol: String { self == .above ? ">" : "<" }
    }

    /// How the interval is obtained.
    public enum Method: String, Codable, Sendable, CaseIterable {
        /// Student t interval of the mean of paired differences (same seed with and without).
        case pairedT = "paired t"
        /// Student t interval of the mean of one sample (each value against a fixed reference).
        case t = "t"
        /// Welch's t interval of the difference of two independent means.
        case welchT = "Welch t"
        /// Fisher z interval of Pearson's r.
        case fisher = "Fisher z"
        /// A mean with its standard error from many Monte Carlo trajectories (normal interval).
        case normal = "normal"
        /// A deterministic computation without sampling noise: the interval is the value.
        case exact = "exact"
    }

    /// What the effect is, with its unit, e.g. "mean of (teleport - baseline) early train loss".
    public var statistic: String
    public var method: Method
    /// The claim: effect `direction` `boundary`.
    public var direction: Direction
    public var boundary: Double
    /// The estimate and its 95% interval.
    public var effect: Double
    public var low: Double
    public var high: Double
    /// Samples behind the estimate (seeds, pairs, points); 1 for an exact value.
    public var n: Int
    /// The magnitude "relative" refers to when judging how close the interval lies to the
    /// boundary (e.g. the baseline's mean loss for a loss difference; 1 for r or a log ratio).
    public var scale: Double

    /// Decision rule: where the interval lies relative to the boundary. Non-finite numbers
    /// give inconclusive (and `isFinite` is false, which the claims tests reject).
    public var outcome: Outcome {
        guard isFinite else { return .inconclusive }
        let claimedSide = direction == .above ? low > boundary : high < boundary
        let otherSide = direction == .above ? high < boundary : low > boundary
        return claimedSide ? .reproduced : otherSide ? .contradicted : .inconclusive
    }

    /// Every number is finite (an undefined interval, e.g. from a single seed, is not).
    public var isFinite: Bool {
        effect.isFinite && low.isFinite && high.isFinite && scale.isFinite && scale > 0 && boundary.isFinite
    }

    /// The distance of the nearest interval end to the boundary, relative to `scale`.
    public var margin: Double {
        min(abs(low - boundary), abs(high - boundary)) / scale
    }

    /// Closer to its boundary than this (relative) is too close to call: another machine's
    /// rounding could put it on the other side.
    public static let tooCloseToCall = 1e-4

    /// True when an interval end lies within `tooCloseToCall` of the boundary.
    public var isTooCloseToCall: Bool { !isFinite || margin < Self.tooCloseToCall }

    /// "effect -0.012 [-0.020, -0.004], n = 5 (paired t)".
    public var summary: String {
        let interval = method == .exact ? "" : " [\(Table.number(low, digits: 3)), \(Table.number(high, digits: 3))]"
        return "\(Table.number(effect, digits: 3))\(interval), n = \(n) (\(method.rawValue))"
    }

    /// The rule in words, e.g. "95% paired t interval of mean (teleport - baseline) < 0".
    public var rule: String {
        let what = method == .exact ? statistic : "95% \(method.rawValue) interval of \(statistic)"
        return "\(what) \(direction.symbol) \(Table.number(boundary))"
    }

    public init(statistic: String, method: Method, direction: Direction, boundary: Double = 0,
                effect: Double, low: Double, high: Double, n: Int, scale: Double = 1) {
        self.statistic = statistic; self.method = method; self.direction = direction
        self.boundary = boundary; self.effect = effect; self.low = low; self.high = high
        self.n = n; self.scale = scale
    }
}

// MARK: - Intervals

extension Decision {
    /// The mean of `differences` (one per seed: with minus without) against 0, by the paired
    /// t interval. `scale`: the size of the compared quantity (e.g. the baseline's mean).
    public static func paired(_ statistic: String, differences: [Double], claim direction: Direction,
                              scale: Double) -> Decision {
        let (m, half) = tInterval(differences)
        return Decision(statistic: statistic, method: .pairedT, direction: direction, effect: m,
                        low: m - half, high: m + half, n: differences.count, scale: scale)
    }

    /// The mean of `values` against `boundary`, by the one-sample t interval.
    public static func mean(_ statistic: String, values: [Double], claim direction: Direction,
                            boundary: Double = 0, scale: Double) -> Decision {
        let (m, half) = tInterval(values)
        return Decision(statistic: statistic, method: .t, direction: direction, boundary: boundary, effect: m,
                        low: m - half, high: m + half, n: values.count, scale: scale)
    }

    /// mean(a) - mean(b) of two independent samples against 0, by Welch's t interval.
    public static func welch(_ statistic: String, _ a: [Double], _ b: [Double], claim direction: Direction,
                             scale: Double) -> Decision {
        let d = Stats.mean(a) - Stats.mean(b)
        let va = Stats.std(a) * Stats.std(a) / Double(a.count), vb = Stats.std(b) * Stats.std(b) / Double(b.count)
        let se = (va + vb).squareRoot()
        // Welch-Satterthwaite degrees of freedom (at least the smaller sample's n - 1).
        var df = (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
        if !df.isFinite { df = Double(min(a.count, b.count) - 1) }
        let half = a.count < 2 || b.count < 2 ? Double.nan : tQuantile975(df: df) * se
        return Decision(statistic: statistic, method: .welchT, direction: direction, effect: d,
                        low: d - half, high: d + half, n: a.count + b.count, scale: scale)
    }

    /// Pearson's r against 0 with its Fisher z interval.
    public static func correlation(_ statistic: String, _ c: Stats.Correlation, claim direction: Direction) -> Decision {
        Decision(statistic: statistic, method: .fisher, direction: direction, effect: c.r,
                 low: c.low, high: c.high, n: c.n, scale: 1)
    }

    /// A Monte Carlo mean with its standard error against `boundary` (normal 95% interval).
    public static func monteCarlo(_ statistic: String, mean: Double, standardError: Double, n: Int,
                                  claim direction: Direction, boundary: Double, scale: Double) -> Decision {
        let half = 1.959963984540054 * standardError
        return Decision(statistic: statistic, method: .normal, direction: direction, boundary: boundary,
                        effect: mean, low: mean - half, high: mean + half, n: n, scale: scale)
    }

    /// A deterministic value against `boundary`.
    public static func exact(_ statistic: String, value: Double, claim direction: Direction, boundary: Double,
                             scale: Double) -> Decision {
        Decision(statistic: statistic, method: .exact, direction: direction, boundary: boundary,
                 effect: value, low: value, high: value, n: 1, scale: scale)
    }

    /// Mean and half-width of the 95% Student t interval (NaN half-width below two values).
    static func tInterval(_ xs: [Double]) -> (mean: Double, half: Double) {
        let m = Stats.mean(xs)
        guard xs.count >= 2 else { return (m, .nan) }
        return (m, tQuantile975(df: Double(xs.count - 1)) * Stats.std(xs) / Double(xs.count).squareRoot())
    }

    /// The 97.5% quantile of Student's t with `df` degrees of freedom (bisection on the
    /// two-sided p-value; 12.706 for df = 1, 1.960 as df grows).
    public static func tQuantile975(df: Double) -> Double {
        guard df > 0, df.isFinite else { return .nan }
        var lo = 0.0, hi = 1e3
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if Stats.studentTTwoSided(t: mid, df: df) > 0.05 { lo = mid } else { hi = mid }
        }
        return 0.5 * (lo + hi)
    }

}
