import Foundation

/// How data values map onto an axis.
public enum Scale: Sendable, Equatable {
    /// Evenly spaced values.
    case linear
    /// Base-10 logarithmic: decades are evenly spaced; only positive values can be drawn.
    case log

    /// The value in the axis' working space (log10 for `.log`), or nil when it cannot be shown.
    func forward(_ v: Double) -> Double? {
        guard v.isFinite else { return nil }
        switch self {
        case .linear: return v
        case .log: return v > 0 ? Foundation.log10(v) : nil
        }
    }

    /// Inverse of `forward`.
    func inverse(_ t: Double) -> Double {
        switch self {
        case .linear: return t
        case .log: return Foundation.pow(10, t)
        }
    }
}

/// A rectangle in pixels, y growing downwards.
public struct Rect: Sendable, Equatable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public var minX: Double { x }
    public var maxX: Double { x + width }
    public var minY: Double { y }
    public var maxY: Double { y + height }
    public var midX: Double { x + width / 2 }
    public var midY: Double { y + height / 2 }

    /// Whether the point lies inside (edges included).
    public func contains(_ px: Double, _ py: Double) -> Bool {
        px >= minX && px <= maxX && py >= minY && py <= maxY
    }

    /// Whether the segment from (x0, y0) to (x1, y1) touches the rectangle.
    func intersects(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Bool {
        var t0 = 0.0, t1 = 1.0
        let dx = x1 - x0, dy = y1 - y0
        for (p, q) in [(-dx, x0 - minX), (dx, maxX - x0), (-dy, y0 - minY), (dy, maxY - y0)] {
            if p == 0 { if q < 0 { return false }; continue }
            let r = q / p
            if p < 0 { if r > t1 { return false }; t0 = max(t0, r) } else {
                if r < t0 { return false }; t1 = min(t1, r)
            }
        }
        return t0 <= t1
    }
}
