import Foundation

/// Dash pattern of a line.
public enum LineStyle: Sendable, Equatable {
    case solid, dashed, dotted, dashDot

    /// matplotlib's on/off pattern in multiples of the line width (nil for solid).
    var pattern: [Double]? {
        switch self {
        case .solid: return nil
        case .dashed: return [3.7, 1.6]
        case .dotted: return [1, 1.65]
        case .dashDot: return [6.4, 1.6, 1, 1.6]
        }
    }
}

/// Shape of scatter markers.
public enum Marker: Sendable, Equatable {
    case circle, square, triangle
}

/// One drawable data series of an `Axes`. Build them with `Axes.line`, `.band`, `.scatter`,
/// `.fitLine` and `.horizontalLine`.
public struct Series: Sendable {
    /// How the series is drawn.
    public enum Kind: Sendable, Equatable {
        /// A polyline through (x, y); breaks at values that cannot be drawn.
        case line
        /// The area between `y` (lower) and `upper`.
        case band
        /// One marker per (x, y).
        case scatter
        /// A line at height `y[0]` across the whole axes (x ignored).
        case horizontal
    }

    public var kind: Kind
    public var x: [Double]
    public var y: [Double]
    /// Upper curve of a band (empty otherwise).
    public var upper: [Double]
    /// Legend text (nil: not in the legend). May hold `^{}`/`_{}` markup.
    public var label: String?
    public var color: Color
    /// Opacity multiplied into `color`.
    public var alpha: Double
    /// Line width in points.
    public var width: Double
    public var style: LineStyle
    public var marker: Marker
    /// Marker diameter (or side) in points.
    public var markerSize: Double

    /// matplotlib's drawing order: patches and collections (1) under grid lines (1.5) under lines (2).
    var zOrder: Double { kind == .line || kind == .horizontal ? 2 : 1 }
}

/// An ordinary least-squares line y = slope * x + intercept with Pearson's r.
public struct LinearFit: Sendable, Equatable {
    public var slope: Double
    public var intercept: Double
    /// Pearson correlation coefficient of the fitted points (NaN when a variance is zero).
    public var r: Double
    /// Number of finite (x, y) pairs used.
    public var count: Int

    /// Fits the finite pairs of `x` and `y` (extra values of the longer array are ignored);
    /// nil when fewer than two distinct x values remain.
    public init?(x: [Double], y: [Double]) {
        var n = 0.0, sx = 0.0, sy = 0.0
        var pairs: [(Double, Double)] = []
        for (a, b) in zip(x, y) where a.isFinite && b.isFinite {
            pairs.append((a, b)); n += 1; sx += a; sy += b
        }
        guard n >= 2 else { return nil }
        let mx = sx / n, my = sy / n
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for (a, b) in pairs {
            sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my); sxy += (a - mx) * (b - my)
        }
        guard sxx > 0 else { return nil }
        slope = sxy / sxx
        intercept = my - slope * mx
        r = syy > 0 ? sxy / (sxx * syy).squareRoot() : .nan
        count = pairs.count
    }

    /// The fitted value at `x`.
    public func callAsFunction(_ x: Double) -> Double { slope * x + intercept }
}
