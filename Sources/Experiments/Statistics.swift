import Foundation

/// Statistics for summaries. Every function is deterministic and returns NaN (never traps)
/// when there are too few values for the statistic to be defined.
public enum Stats {
    /// Arithmetic mean; NaN for no values.
    public static func mean(_ xs: [Double]) -> Double {
        xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count)
    }

    /// Sample standard deviation (divisor n - 1, as numpy's ddof=1); NaN below two values.
    public static func std(_ xs: [Double]) -> Double {
        guard xs.count >= 2 else { return .nan }
        let m = mean(xs)
        return (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot()
    }

    /// Median (mean of the middle two for an even count); NaN for no values.
    public static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        let h = s.count / 2
        return s.count % 2 == 1 ? s[h] : 0.5 * (s[h - 1] + s[h])
    }

    /// Point-wise mean and sample std of equal-length curves (e.g. loss per epoch over seeds).
    /// Curves shorter than the longest are ignored past their end.
    public static func meanStd(curves: [[Double]]) -> (mean: [Double], std: [Double]) {
        let length = curves.map(\.count).max() ?? 0
        var m: [Double] = [], s: [Double] = []
        for i in 0..<length {
            let column = curves.compactMap { i < $0.count ? $0[i] : nil }
            m.append(mean(column)); s.append(std(column))
        }
        return (m, s)
    }

    /// Pearson correlation with its 95% confidence interval and two-sided p-value.
    public struct Correlation: Codable, Sendable, Equatable, CustomStringConvertible {
        /// Number of (x, y) pairs.
        public var n: Int
        /// Pearson's r.
        public var r: Double
        /// 95% confidence interval of r by the Fisher z transform (NaN for n <= 3).
        public var low: Double
        public var high: Double
        /// Two-sided p-value of r = 0 (Student t with n - 2 degrees of freedom).
        public var p: Double

        /// "r = 0.832 [-0.189, 0.989], p = 0.0805, n = 5".
        public var description: String {
            "r = \(Table.number(r, digits: 3)) [\(Table.number(low, digits: 3)), "
                + "\(Table.number(high, digits: 3))], p = \(Table.number(p, digits: 3)), n = \(n)"
        }

        /// "r = 0.83 [-0.19, 0.99]": r and its interval, two significant digits.
        public var brief: String {
            "r = \(Table.number(r, digits: 2)) [\(Table.number(low, digits: 2)), \(Table.number(high, digits: 2))]"
        }
    }

    /// Pearson's r of `x` and `y` (same length), as scipy.stats.pearsonr: p from the t
    /// distribution with n - 2 degrees of freedom, interval tanh(atanh r ± 1.96 / sqrt(n - 3)).
    public static func pearson(_ x: [Double], _ y: [Double]) -> Correlation {
        precondition(x.count == y.count, "pearson needs equal-length samples")
        let n = x.count
        guard n >= 2 else { return Correlation(n: n, r: .nan, low: .nan, high: .nan, p: .nan) }
        let mx = mean(x), my = mean(y)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<n {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        var r = sxy / (sxx.squareRoot() * syy.squareRoot())
        if r.isFinite { r = max(-1, min(1, r)) }
        let df = Double(n - 2)
        let p: Double
        if !r.isFinite || n < 3 { p = .nan }
        else if abs(r) == 1 { p = 0 }
        else {
            let t2 = r * r * df / (1 - r * r)
            p = regularizedIncompleteBeta(a: df / 2, b: 0.5, x: df / (df + t2))
        }
        var low = Double.nan, high = Double.nan
        if n > 3 && r.isFinite {
            let z = atanh(r), half = 1.959963984540054 / Double(n - 3).squareRoot()
            low = tanh(z - half); high = tanh(z + half)
        }
        return Correlation(n: n, r: r, low: low, high: high, p: p)
    }

    /// Two-sided p-value of a Student t statistic with `df` degrees of freedom.
    public static func studentTTwoSided(t: Double, df: Double) -> Double {
        regularizedIncompleteBeta(a: df / 2, b: 0.5, x: df / (df + t * t))
    }

    /// A least-squares line y = slope * x + intercept, with the coefficient of determination.
    public struct LineFit: Codable, Sendable, Equatable {
        public var slope: Double
        public var intercept: Double
        public var r2: Double
        public func callAsFunction(_ x: Double) -> Double { slope * x + intercept }
    }

    /// Ordinary least-squares fit of y on x.
    public static func lineFit(_ x: [Double], _ y: [Double]) -> LineFit {
        precondition(x.count == y.count, "lineFit needs equal-length samples")
        guard x.count >= 2 else { return LineFit(slope: .nan, intercept: .nan, r2: .nan) }
        let mx = mean(x), my = mean(y)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        let slope = sxy / sxx
        return LineFit(slope: slope, intercept: my - slope * mx, r2: sxy * sxy / (sxx * syy))
    }

    /// log Gamma(x) for x > 0 (Lanczos approximation, Numerical Recipes 3rd ed. `gammln`,
    /// relative error below 1e-15).
    public static func logGamma(_ x: Double) -> Double {
        precondition(x > 0, "logGamma needs x > 0")
        let cof: [Double] = [
            57.1562356658629235, -59.5979603554754912, 14.1360979747417471,
            -0.491913816097620199, 0.339946499848118887e-4, 0.465236289270485756e-4,
            -0.983744753048795646e-4, 0.158088703224912494e-3, -0.210264441724104883e-3,
            0.217439618115212643e-3, -0.164318106536763890e-3, 0.844182239838527433e-4,
            -0.261908384015814087e-4, 0.368991826595316234e-5]
        var y = x
        var tmp = x + 5.24218750000000000
        tmp = (x + 0.5) * log(tmp) - tmp
        var ser = 0.999999999999997092
        for c in cof { y += 1; ser += c / y }
        return tmp + log(2.5066282746310005 * ser / x)
    }

    /// The regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1,
    /// by the continued fraction of Numerical Recipes (`betacf`, modified Lentz), using the
    /// symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges faster.
    public static func regularizedIncompleteBeta(a: Double, b: Double, x: Double) -> Double {
        guard a > 0, b > 0, x >= 0, x <= 1, x.isFinite else { return .nan }
        if x == 0 || x == 1 { return x }
        let lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * log(x) + b * log1p(-x)
        let front = exp(lnFront)
        if x < (a + 1) / (a + b + 2) {
            return front * betaContinuedFraction(a: a, b: b, x: x) / a
        } else {
            return 1 - front * betaContinuedFraction(a: b, b: a, x: 1 - x) / b
        }
    }

    /// Continued fraction for the incomplete beta function (modified Lentz's method).
    static func betaContinuedFraction(a: Double, b: Double, x: Double) -> Double {
        let tiny = 1e-300, eps = 1e-16
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < eps { break }
        }
        return h
    }
}
