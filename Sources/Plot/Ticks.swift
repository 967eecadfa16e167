import Foundation

/// One tick mark: its data value, its label (may hold `^{}`/`_{}` markup, nil for none) and
/// whether it is a major (long) tick.
public struct Tick: Sendable, Equatable {
    public var value: Double
    public var label: String?
    public var major: Bool
}

/// Tick placement and label formatting, following matplotlib's defaults.
public enum Ticks {
    /// "Nice" tick values covering `lo...hi`: multiples of 1, 2, 2.5 or 5 times a power of
    /// ten, at most `maxBins + 1` of them, at least two inside the range when possible
    /// (matplotlib's `MaxNLocator(steps=[1, 2, 2.5, 5, 10])`). Only values inside the range
    /// are returned.
    public static func nice(_ lo: Double, _ hi: Double, maxBins: Int = 9) -> [Double] {
        guard lo.isFinite, hi.isFinite else { return [] }
        let (vmin, vmax) = (min(lo, hi), max(lo, hi))
        let dv = vmax - vmin
        if dv <= 0 { return [vmin] }
        let nbins = Double(max(1, maxBins))
        let meanv = (vmax + vmin) / 2
        var offset = 0.0
        if abs(meanv) / dv >= 100 {
            offset = copysign(pow(10, floor(log10(abs(meanv)))), meanv)
        }
        let scale = pow(10, floor(log10(dv / nbins)))
        let steps = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20].map { $0 * scale }
        let raw = dv / nbins
        let istep = steps.firstIndex { $0 >= raw * (1 - 1e-12) } ?? steps.count - 1
        let a = vmin - offset, b = vmax - offset
        let tol = max(1e-10, abs(offset) * 1e-12 / max(dv, 1e-300))
        var ticks: [Double] = []
        for step in steps[0...istep].reversed() {
            func closeTo(_ x: Double, _ e: Double) -> Bool { abs(x - e) < tol }
            let (dl, ml) = floorDivMod(a, step)
            let low = closeTo(ml / step, 1) ? dl + 1 : dl
            let (dh, mh) = floorDivMod(b, step)
            let high = closeTo(mh / step, 0) ? dh : dh + 1
            guard high - low < 10_000 else { continue }
            ticks = stride(from: low, through: high, by: 1).map { clean($0 * step + offset, step) }
            let eps = dv * 1e-10
            if ticks.filter({ $0 >= vmin - eps && $0 <= vmax + eps }).count >= 2 { break }
        }
        let eps = dv * 1e-10
        return ticks.filter { $0 >= vmin - eps && $0 <= vmax + eps }
    }

    /// Base-10 log ticks for the positive range `lo...hi`: major ticks at decades (every
    /// `stride`-th decade when there are more than `maxTicks`), minor ticks at 2...9 times a
    /// decade. When fewer than two decades are in view, some minor ticks are labelled too.
    public static func log(_ lo: Double, _ hi: Double, maxTicks: Int = 9) -> [Tick] {
        guard lo > 0, hi > lo, lo.isFinite, hi.isFinite else { return [] }
        let a = log10(lo), b = log10(hi)
        let kLo = Int(ceil(a - 1e-9)), kHi = Int(floor(b + 1e-9))
        let ndec = max(0, kHi - kLo + 1)
        let step = max(1, Int(ceil(Double(ndec) / Double(max(1, maxTicks)))))
        var ticks: [Tick] = []
        if ndec > 0 {
            for k in kLo...kHi where ((k % step) + step) % step == 0 {
                ticks.append(Tick(value: pow(10, Double(k)), label: "10^{\(minus(k))}", major: true))
            }
        }
        let inRange = { (v: Double) in v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) }
        if step == 1 {
            let labelMinor = ticks.count < 2
            let subset: Set<Int> = (b - a) > 0.4 ? [2, 3, 5] : Set(2...9)
            for k in Int(floor(a))...Int(ceil(b)) {
                for m in 2...9 {
                    let v = Double(m) * pow(10, Double(k))
                    guard inRange(v) else { continue }
                    let label = labelMinor && subset.contains(m) ? "\(m)×10^{\(minus(k))}" : nil
                    ticks.append(Tick(value: v, label: label, major: false))
                }
            }
        }
        if ticks.filter({ $0.label != nil }).count < 2 {
            // Less than a decade with too few minor ticks: fall back to plain nice values.
            let values = nice(lo, hi, maxBins: 4).filter { $0 > 0 }
            let labels = linearLabels(values).labels
            return zip(values, labels).map { Tick(value: $0, label: $1, major: true) }
        }
        return ticks.sorted { $0.value < $1.value }
    }

    /// Labels for evenly spaced linear ticks, all with the same number of decimals. When the
    /// largest magnitude is below 1e-2 or at least 1e5, values are divided by a power of ten
    /// and `multiplier` holds the factor as markup, e.g. ticks 0, 0.0005, 0.001 give
    /// "0.0", "0.5", "1.0" and "×10^{−3}". Ticks that differ only far behind their leading
    /// digit are labelled relative to an offset: 1000000...1000005 give "0"..."5" and "+1e6".
    public static func linearLabels(_ ticks: [Double]) -> (labels: [String], multiplier: String?) {
        let finite = ticks.filter { $0.isFinite }
        let maxAbs = finite.map { abs($0) }.max() ?? 0
        guard maxAbs > 0 else { return (ticks.map { _ in "0" }, nil) }
        if let lo = finite.min(), let hi = finite.max(), hi > lo, maxAbs / (hi - lo) >= 1e4 {
            // Ticks differ only far behind the leading digit: label the differences from an
            // additive offset, shown after the multiplier (matplotlib's "+1e6").
            let p = pow(10, ceil(log10(hi - lo)))
            let offset = lo >= 0 ? floor(lo / p) * p : -floor(-hi / p) * p  // towards zero
            if offset != 0 && offset.isFinite {
                let inner = linearLabels(ticks.map { $0 - offset })
                let sign = offset < 0 ? "\u{2212}" : "+"
                return (inner.labels, (inner.multiplier ?? "") + sign + format(abs(offset), significant: 12))
            }
        }
        let e = Int(floor(log10(maxAbs) + 1e-9))
        let sci = e <= -3 || e >= 5
        let factor = sci ? pow(10, Double(e)) : 1
        let values = ticks.map { $0 / factor }
        var spacing = 1.0
        if values.count > 1 {
            spacing = zip(values.dropFirst(), values).map { abs($0 - $1) }.filter { $0 > 0 }.min() ?? 1
        } else {
            spacing = abs(values.first ?? 1)
        }
        var decimals = 0
        while decimals < 12 {
            let q = pow(10, Double(decimals))
            if values.allSatisfy({ abs(($0 * q).rounded() / q - $0) <= spacing * 1e-6 }) { break }
            decimals += 1
        }
        let labels = values.map { v -> String in
            var s = String(format: "%.\(decimals)f", v)
            if s.hasPrefix("-"), Double(s) == 0 { s.removeFirst() }
            return s.replacingOccurrences(of: "-", with: "\u{2212}")
        }
        return (labels, sci ? "×10^{\(minus(e))}" : nil)
    }

    /// A compact label for one number with up to `significant` digits: plain decimals for
    /// magnitudes in [1e-3, 1e5), otherwise short scientific notation; trailing zeros dropped.
    /// Examples: 0.0005 -> "5e-4", 0.25 -> "0.25", 1500 -> "1500", 2e6 -> "2e6", -0.613 -> "-0.613".
    public static func format(_ v: Double, significant: Int = 4) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        if v == 0 { return "0" }
        let digits = max(1, significant)
        var e = Int(floor(log10(abs(v))))
        if e >= -3 && e < 5 {
            let decimals = max(0, digits - 1 - e)
            return trimZeros(String(format: "%.\(decimals)f", v))
        }
        var mantissa = v / pow(10, Double(e))
        var m = trimZeros(String(format: "%.\(digits - 1)f", mantissa))
        if abs(Double(m) ?? 0) >= 10 {  // rounding carried into the next decade
            e += 1; mantissa /= 10
            m = trimZeros(String(format: "%.\(digits - 1)f", mantissa))
        }
        return "\(m)e\(e)"
    }

    /// The integer with a typographic minus sign.
    static func minus(_ k: Int) -> String { k < 0 ? "\u{2212}\(-k)" : "\(k)" }

    static func trimZeros(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t == "-0" ? "0" : t
    }

    /// Python-style divmod (quotient floored).
    static func floorDivMod(_ x: Double, _ y: Double) -> (Double, Double) {
        let d = floor(x / y)
        return (d, x - d * y)
    }

    /// Removes floating-point noise from k*step (e.g. 0.30000000000000004 -> 0.3).
    static func clean(_ v: Double, _ step: Double) -> Double {
        let digits = max(0, min(15, -Int(floor(log10(step))) + 3))
        let q = pow(10, Double(digits))
        let r = (v * q).rounded() / q
        return abs(r - v) <= step * 1e-6 ? r : v
    }
}
