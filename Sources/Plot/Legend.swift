import Foundation

/// Legend layout and drawing with matplotlib's defaults (sizes in multiples of the font
/// size): border pad 0.4, label spacing 0.5, handle length 2.0, handle-text pad 0.8, axes pad
/// 0.5; white face and 0.8-grey rounded edge, both at 80% opacity.
struct Legend {
    struct Entry {
        var series: Series
        var text: TextImage
    }

    var entries: [Entry]
    let fontPx: Double
    let pointPx: Double  // pixels per point

    var borderPad: Double { 0.4 * fontPx }
    var labelSpacing: Double { 0.5 * fontPx }
    var handleLength: Double { 2.0 * fontPx }
    var handleTextPad: Double { 0.8 * fontPx }
    var axesPad: Double { 0.5 * fontPx }

    private var rowHeight: Double { entries.map { $0.text.box.height }.max() ?? fontPx }

    var size: (width: Double, height: Double) {
        let textWidth = entries.map { $0.text.box.width }.max() ?? 0
        let rows = Double(entries.count)
        return (2 * borderPad + handleLength + handleTextPad + textWidth,
                2 * borderPad + rows * rowHeight + max(0, rows - 1) * labelSpacing)
    }

    /// The legend box for a fixed location inside `frame`.
    func box(_ location: LegendLocation, in frame: Rect) -> Rect {
        let (w, h) = size
        let left = frame.minX + axesPad, right = frame.maxX - axesPad - w, midX = frame.midX - w / 2
        let top = frame.minY + axesPad, bottom = frame.maxY - axesPad - h, midY = frame.midY - h / 2
        let (x, y): (Double, Double)
        switch location {
        case .upperRight, .best, .none: (x, y) = (right, top)
        case .upperLeft: (x, y) = (left, top)
        case .lowerLeft: (x, y) = (left, bottom)
        case .lowerRight: (x, y) = (right, bottom)
        case .centerLeft: (x, y) = (left, midY)
        case .centerRight: (x, y) = (right, midY)
        case .lowerCenter: (x, y) = (midX, bottom)
        case .upperCenter: (x, y) = (midX, top)
        case .center: (x, y) = (midX, midY)
        }
        return Rect(x: x.rounded(), y: y.rounded(), width: w.rounded(), height: h.rounded())
    }

    /// matplotlib's 'best': of the nine places, the first one covering the fewest data
    /// vertices plus line segments, with that count (its badness; 0: nothing covered).
    func bestPlace(in frame: Rect, points: [Point], segments: [(Point, Point)]) -> (box: Rect, badness: Int) {
        let order: [LegendLocation] = [.upperRight, .upperLeft, .lowerLeft, .lowerRight, .centerLeft,
                                       .centerRight, .lowerCenter, .upperCenter, .center]
        var best = box(.upperRight, in: frame), bestBadness = Int.max
        for loc in order {
            let b = box(loc, in: frame)
            var badness = 0
            for p in points where b.contains(p.x, p.y) { badness += 1 }
            for (p, q) in segments where b.intersects(p.x, p.y, q.x, q.y) { badness += 1 }
            if badness < bestBadness { best = b; bestBadness = badness }
            if badness == 0 { break }
        }
        return (best, bestBadness)
    }

    /// Outside the axes, to the right of `frame`, aligned with its top (where a `.best` legend
    /// goes when every place inside covers data; the layout reserves the room).
    func boxRight(of frame: Rect) -> Rect {
        let (w, h) = size
        return Rect(x: (frame.maxX + axesPad).rounded(), y: frame.minY.rounded(), width: w.rounded(), height: h.rounded())
    }

    /// Outside the axes, centred below `frame` and its `decorations` (tick labels and x label,
    /// in pixels below the frame).
    func boxBelow(_ frame: Rect, decorations: Double) -> Rect {
        let (w, h) = size
        return Rect(x: (frame.midX - w / 2).rounded(), y: (frame.maxY + decorations + axesPad).rounded(),
                    width: w.rounded(), height: h.rounded())
    }

    /// Draws frame, handles and texts inside `box`.
    func draw(on canvas: Canvas, box: Rect) {
        let radius = 0.2 * fontPx
        let outline = roundedRect(box, radius: radius)
        canvas.fill([outline], color: Color(gray: 1, alpha: 0.8))
        canvas.stroke(outline, width: 1.0 * pointPx, color: Color(gray: 0.8, alpha: 0.8), closed: true)
        var y = box.minY + borderPad
        let rh = rowHeight
        for entry in entries {
            let s = entry.series
            let cy = y + rh / 2
            let hx0 = box.minX + borderPad, hx1 = hx0 + handleLength
            let color = s.color.withAlpha(s.alpha)
            switch s.kind {
            case .line, .horizontal:
                let w = s.width * pointPx
                canvas.stroke([Point(x: hx0, y: cy), Point(x: hx1, y: cy)], width: w, color: color,
                              dash: s.style.pattern.map { $0.map { $0 * w } })
            case .band:
                let h = 0.7 * fontPx
                canvas.fillRect(Rect(x: hx0, y: cy - h / 2, width: handleLength, height: h), color: color)
            case .scatter:
                canvas.fill([markerPath(s.marker, center: Point(x: (hx0 + hx1) / 2, y: cy),
                                        size: s.markerSize * pointPx, edge: pointPx)], color: color)
            }
            canvas.draw(entry.text, at: hx1 + handleTextPad, cy, h: .left, v: .center)
            y += rh + labelSpacing
        }
    }
}

/// A closed rounded-rectangle outline.
func roundedRect(_ r: Rect, radius: Double) -> [Point] {
    let rad = min(radius, r.width / 2, r.height / 2)
    var pts: [Point] = []
    let corners = [(r.maxX - rad, r.minY + rad, -Double.pi / 2), (r.maxX - rad, r.maxY - rad, 0.0),
                   (r.minX + rad, r.maxY - rad, Double.pi / 2), (r.minX + rad, r.minY + rad, Double.pi)]
    for (cx, cy, start) in corners {
        for k in 0...6 {
            let a = start + Double(k) / 6 * Double.pi / 2
            pts.append(Point(x: cx + rad * cos(a), y: cy + rad * sin(a)))
        }
    }
    return pts
}

/// Outline of a scatter marker of diameter/side `size` pixels, grown by half the edge width
/// (matplotlib draws scatter markers with a 1 pt edge in the face colour).
func markerPath(_ marker: Marker, center c: Point, size: Double, edge: Double) -> [Point] {
    let h = size / 2 + edge / 2
    switch marker {
    case .circle:
        let n = max(12, min(64, Int(h * 2)))
        return (0..<n).map { k in
            let a = Double(k) / Double(n) * 2 * Double.pi
            return Point(x: c.x + h * cos(a), y: c.y + h * sin(a))
        }
    case .square:
        return [Point(x: c.x - h, y: c.y - h), Point(x: c.x + h, y: c.y - h),
                Point(x: c.x + h, y: c.y + h), Point(x: c.x - h, y: c.y + h)]
    case .triangle:
        return [Point(x: c.x, y: c.y - h), Point(x: c.x + h, y: c.y + h), Point(x: c.x - h, y: c.y + h)]
    }
}
