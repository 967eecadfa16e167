import Foundation

/// Where the legend goes: one of matplotlib's nine fixed places, `.best` (the place that
/// hides no data points or line segments; when every place would hide some, outside the axes,
/// to the right or below, the layout making room), or `.none`.
public enum LegendLocation: Sendable, Equatable, CaseIterable {
    case best, upperRight, upperLeft, lowerLeft, lowerRight
    case centerLeft, centerRight, lowerCenter, upperCenter, center
    case none
}

/// One panel: its series, labels, scales, limits, grid and legend.
public struct Axes: Sendable {
    /// Panel title (12 pt, above the axes).
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    public var xScale: Scale = .linear
    public var yScale: Scale = .linear
    /// Fixed limits; nil means the data range plus a 5% margin on each side.
    public var xLimits: ClosedRange<Double>?
    public var yLimits: ClosedRange<Double>?
    /// Light grey grid lines at the major ticks.
    public var grid = false
    /// Legend placement; drawn only when some series has a label.
    public var legend: LegendLocation = .best
    /// Legend text size in points (matplotlib's default 10; "small" is 8.33).
    public var legendFontSize = 10.0
    /// The series in drawing order (within matplotlib's z-order groups).
    public var series: [Series] = []
    private var nextColor = 0

    public init() {}

    private mutating func cycleColor() -> Color {
        defer { nextColor += 1 }
        return Color.cycle(nextColor)
    }

    /// A line through (x, y). Without `color` the next tab10 colour is used.
    public mutating func line(_ x: [Double], _ y: [Double], label: String? = nil, color: Color? = nil,
                              style: LineStyle = .solid, width: Double = 1.5, alpha: Double = 1) {
        series.append(Series(kind: .line, x: x, y: y, upper: [], label: label, color: color ?? cycleColor(),
                             alpha: alpha, width: width, style: style, marker: .circle, markerSize: 6))
    }

    /// A line through (0, y[0]), (1, y[1]), ...
    public mutating func line(_ y: [Double], label: String? = nil, color: Color? = nil,
                              style: LineStyle = .solid, width: Double = 1.5, alpha: Double = 1) {
        line((0..<y.count).map(Double.init), y, label: label, color: color, style: style, width: width, alpha: alpha)
    }

    /// The shaded area between `lower` and `upper` over `x` (e.g. mean ± std). Without
    /// `color` it takes the colour of the most recent line (or the next tab10 colour).
    public mutating func band(_ x: [Double], _ lower: [Double], _ upper: [Double], color: Color? = nil,
                              alpha: Double = 0.2, label: String? = nil) {
        let c = color ?? series.last(where: { $0.kind == .line })?.color ?? cycleColor()
        series.append(Series(kind: .band, x: x, y: lower, upper: upper, label: label, color: c,
                             alpha: alpha, width: 0, style: .solid, marker: .circle, markerSize: 6))
    }

    /// A band of mean ± spread (e.g. standard deviation) around `mean`.
    public mutating func band(_ x: [Double], mean: [Double], spread: [Double], color: Color? = nil,
                              alpha: Double = 0.2, label: String? = nil) {
        let n = min(mean.count, spread.count)
        band(x, (0..<n).map { mean[$0] - spread[$0] }, (0..<n).map { mean[$0] + spread[$0] },
             color: color, alpha: alpha, label: label)
    }

    /// Markers at (x, y); `size` is the marker diameter in points (matplotlib's default 6).
    public mutating func scatter(_ x: [Double], _ y: [Double], marker: Marker = .circle, size: Double = 6,
                                 label: String? = nil, color: Color? = nil, alpha: Double = 1) {
        series.append(Series(kind: .scatter, x: x, y: y, upper: [], label: label, color: color ?? cycleColor(),
                             alpha: alpha, width: 0, style: .solid, marker: marker, markerSize: size))
    }

    /// The least-squares line of (x, y) drawn across the finite x range, e.g. with
    /// `label: "r = -0.613"`. Returns the fit, or nil (nothing drawn) with fewer than two
    /// distinct finite x values. The line is sampled for the `xScale` set at the time of the
    /// call (densely on a log axis, where it appears curved).
    @discardableResult
    public mutating func fitLine(_ x: [Double], _ y: [Double], label: String? = nil, color: Color? = nil,
                                 style: LineStyle = .solid, width: Double = 1.5) -> LinearFit? {
        guard let fit = LinearFit(x: x, y: y) else { return nil }
        let xs = zip(x, y).filter { $0.0.isFinite && $0.1.isFinite }.map { $0.0 }
        guard let lo = xs.min(), let hi = xs.max() else { return nil }
        let n = xScale == .log ? 100 : 2
        let grid: [Double] = (0..<n).map { i in
            let t = Double(i) / Double(n - 1)
            if xScale == .log && lo > 0 { return lo * pow(hi / lo, t) }
            return lo + (hi - lo) * t
        }
        line(grid, grid.map { fit($0) }, label: label, color: color, style: style, width: width)
        return fit
    }

    /// A horizontal reference line across the axes at `y` (e.g. a baseline).
    public mutating func horizontalLine(at y: Double, label: String? = nil, color: Color = .black,
                                        style: LineStyle = .solid, width: Double = 1.5, alpha: Double = 1) {
        series.append(Series(kind: .horizontal, x: [], y: [y], upper: [], label: label, color: color,
                             alpha: alpha, width: width, style: style, marker: .circle, markerSize: 6))
    }
}
