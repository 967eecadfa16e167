import Foundation

/// A series with undrawable values removed, split into runs that can be drawn.
struct CleanSeries {
    let series: Series
    /// Per run: x, y (lower for bands) and upper (bands only) values, all drawable.
    var xs: [[Double]] = []
    var ys: [[Double]] = []
    var ups: [[Double]] = []
    /// Extent of the drawable data in each axis' working space.
    var xRange: (Double, Double)?
    var yRange: (Double, Double)?

    init(_ raw: Series, index: Int, panel: String, xScale: Scale, yScale: Scale, warnings: inout [String]) {
        var s = raw
        let kind: String
        switch s.kind {
        case .line: kind = "line"
        case .band: kind = "band"
        case .scatter: kind = "scatter"
        case .horizontal: kind = "horizontal line"
        }
        let name = "\(panel) \(kind) " + (s.label.map { "\"\($0)\"" } ?? "#\(index)")
        // Style values that cannot be drawn fall back to defaults.
        let c = s.color
        let parts = [c.red, c.green, c.blue, c.alpha, s.alpha]
        if !parts.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }) {
            warnings.append("\(name): colour or alpha outside 0...1; clamped")
            func fix(_ v: Double, _ fallback: Double) -> Double { v.isNaN ? fallback : v.clamped(0, 1) }
            s.color = Color(red: fix(c.red, 0), green: fix(c.green, 0), blue: fix(c.blue, 0), alpha: fix(c.alpha, 1))
            s.alpha = fix(s.alpha, 1)
        }
        if s.kind != .band && s.kind != .scatter && !(s.width.isFinite && s.width >= 0 && s.width <= 100) {
            warnings.append("\(name): line width \(s.width) pt out of range 0...100; using 1.5")
            s.width = 1.5
        }
        if s.kind == .scatter && !(s.markerSize.isFinite && s.markerSize >= 0 && s.markerSize <= 200) {
            warnings.append("\(name): marker size \(s.markerSize) pt out of range 0...200; using 6")
            s.markerSize = 6
        }
        series = s
        if s.kind == .horizontal {
            if let y = s.y.first, let t = yScale.forward(y) {
                xs = [[]]; ys = [[y]]; yRange = (t, t)
            } else {
                warnings.append("\(name): y = \(s.y.first.map { "\($0)" } ?? "none") cannot be drawn on this axis; skipped")
            }
            return
        }
        var counts = [s.x.count, s.y.count]
        if s.kind == .band { counts.append(s.upper.count) }
        let n = counts.min() ?? 0
        if Set(counts).count > 1 {
            let what = s.kind == .band ? "x, lower, upper have \(counts.map(String.init).joined(separator: ", ")) values"
                : "x has \(s.x.count) values, y has \(s.y.count)"
            warnings.append("\(name): \(what); using the first \(n)")
        }
        if n == 0 {
            warnings.append("\(name): empty series; nothing drawn")
            return
        }
        var nonFinite = 0, nonPositive = 0
        var cx: [Double] = [], cy: [Double] = [], cu: [Double] = []
        var xlo = Double.infinity, xhi = -Double.infinity, ylo = Double.infinity, yhi = -Double.infinity
        func close() {
            if !cx.isEmpty { xs.append(cx); ys.append(cy); ups.append(cu) }
            cx = []; cy = []; cu = []
        }
        for i in 0..<n {
            let values = s.kind == .band ? [s.x[i], s.y[i], s.upper[i]] : [s.x[i], s.y[i]]
            if !values.allSatisfy({ $0.isFinite }) {
                nonFinite += 1
                if s.kind != .scatter { close() }
                continue
            }
            let tx = xScale.forward(s.x[i]), ty = yScale.forward(s.y[i])
            let tu = s.kind == .band ? yScale.forward(s.upper[i]) : ty
            guard let tx, let ty, let tu else {
                nonPositive += 1
                if s.kind != .scatter { close() }
                continue
            }
            cx.append(s.x[i]); cy.append(s.y[i])
            if s.kind == .band { cu.append(s.upper[i]) }
            xlo = min(xlo, tx); xhi = max(xhi, tx)
            ylo = min(ylo, ty, tu); yhi = max(yhi, ty, tu)
        }
        close()
        if nonFinite > 0 { warnings.append("\(name): skipped \(nonFinite) point(s) with NaN or infinite values") }
        if nonPositive > 0 {
            warnings.append("\(name): skipped \(nonPositive) point(s) with non-positive values on a log axis")
        }
        if xs.isEmpty {
            if nonFinite + nonPositive == n { warnings.append("\(name): no drawable points; nothing drawn") }
            return
        }
        xRange = (xlo, xhi); yRange = (ylo, yhi)
    }
}

/// One axis' limits in data units and in its scale's working space.
struct AxisRange {
    let scale: Scale
    let lo: Double, hi: Double
    let tlo: Double, thi: Double

    init(scale: Scale, explicit: ClosedRange<Double>?, data: [(Double, Double)], name: String,
         warnings: inout [String]) {
        self.scale = scale
        if let e = explicit {
            if let a = scale.forward(e.lowerBound), let b = scale.forward(e.upperBound), b > a {
                lo = e.lowerBound; hi = e.upperBound; tlo = a; thi = b
                return
            }
            warnings.append("\(name) limits \(e.lowerBound)...\(e.upperBound) cannot be used on a "
                + (scale == .log ? "log" : "linear") + " axis; using automatic limits")
        }
        var a = data.map { $0.0 }.min() ?? 0, b = data.map { $0.1 }.max() ?? 1
        if data.isEmpty { (a, b) = (0, 1) }
        if b - a <= abs(a + b) * 1e-12 || b <= a {
            let d = scale == .log ? 0.05 : (a == 0 ? 0.05 : 0.05 * abs(a))
            a -= d; b += d
        }
        let m = 0.05 * (b - a)
        tlo = a - m; thi = b + m
        lo = scale.inverse(tlo); hi = scale.inverse(thi)
    }

    /// Position of `v` along the axis, 0 at `lo` and 1 at `hi` (nil when not drawable).
    func fraction(_ v: Double) -> Double? {
        guard let t = scale.forward(v) else { return nil }
        return (t - tlo) / (thi - tlo)
    }

    /// Ticks and their labels for an axis `lengthPt` points long.
    func ticks(lengthPt: Double, isX: Bool) -> (ticks: [Tick], multiplier: String?) {
        let bins = max(1, min(9, Int(floor(lengthPt / (Style.fontSize * (isX ? 3 : 2))))))
        switch scale {
        case .log:
            return (Ticks.log(lo, hi, maxTicks: bins), nil)
        case .linear:
            let values = Ticks.nice(lo, hi, maxBins: bins)
            let (labels, mult) = Ticks.linearLabels(values)
            return (zip(values, labels).map { Tick(value: $0, label: $1, major: true) }, mult)
        }
    }
}

/// Ticks, texts and decoration sizes of one panel for a given panel size.
struct PanelPlan {
    var x: AxisRange, y: AxisRange
    var xTicks: [Tick], yTicks: [Tick]
    var xTexts: [TextImage?], yTexts: [TextImage?]
    var xMult: TextImage?, yMult: TextImage?
    var xLabel: TextImage?, yLabel: TextImage?, title: TextImage?
    /// Extent of the decorations outside the frame, in pixels.
    var left = 0.0, right = 0.0, top = 0.0, bottom = 0.0
    let pt: Double
    /// The legend, when the panel has one.
    var legend: Legend?
    /// Where a `.best` legend goes: inside when one of the nine places covers no data;
    /// otherwise outside the axes (matplotlib's "best" would cover some, and a reader would
    /// lose them), to the right when the axes keep 60% of their width, else below when they
    /// keep 60% of their height, else inside at the least covering place.
    var legendPlacement = LegendPlacement.inside

    enum LegendPlacement { case inside, right, below }

    /// `legendPlacement`: decided in the layout's first pass, on the frame before any room was
    /// made for the legend, and kept (nil: decide now).
    init(_ axes: Axes, clean: [CleanSeries], x: AxisRange, y: AxisRange, frame: Rect, font: Font,
         legendPlacement decided: LegendPlacement? = nil) {
        self.x = x; self.y = y
        pt = font.pixels(1)
        let (xt, xm) = x.ticks(lengthPt: frame.width / pt, isX: true)
        let (yt, ym) = y.ticks(lengthPt: frame.height / pt, isX: false)
        xTicks = xt; yTicks = yt
        let fs = Style.fontSize
        xTexts = xt.map { $0.label.map { font.render($0, size: fs) } }
        yTexts = yt.map { $0.label.map { font.render($0, size: fs) } }
        xMult = xm.map { font.render($0, size: fs) }
        yMult = ym.map { font.render($0, size: fs) }
        xLabel = axes.xLabel.map { font.render($0, size: fs) }
        yLabel = axes.yLabel.map { font.render($0, size: fs).rotatedCounterClockwise() }
        title = axes.title.map { font.render($0, size: Style.titleSize) }

        let out = (Style.tickLength + Style.tickPad) * pt
        let xTickH = xTexts.compactMap { $0?.box.height }.max() ?? 0
        let yTickW = yTexts.compactMap { $0?.box.width }.max() ?? 0
        var below = [xLabel?.box.height, xMult?.box.height].compactMap { $0 }.max() ?? 0
        if below > 0 { below += Style.labelPad * pt }
        bottom = out + xTickH + below
        left = out + yTickW + (yLabel.map { Style.labelPad * pt + $0.box.width } ?? 0)
        top = max(title.map { Style.titlePad * pt + $0.box.height } ?? 0,
                  yMult.map { 0.3 * fs * pt + $0.box.height } ?? 0)
        // Labels of ticks near the ends may stick out sideways.
        for (tick, text) in zip(xt, xTexts) {
            guard let text, let f = x.fraction(tick.value) else { continue }
            right = max(right, text.box.width / 2 - (1 - f) * frame.width)
            left = max(left, text.box.width / 2 - f * frame.width)
        }
        for (tick, text) in zip(yt, yTexts) {
            guard let text, let f = y.fraction(tick.value) else { continue }
            top = max(top, text.box.height / 2 - (1 - f) * frame.height)
            bottom = max(bottom, text.box.height / 2 - f * frame.height)
        }

        let entries = clean.filter { $0.series.label != nil && !($0.series.label ?? "").isEmpty }
        if axes.legend != .none && !entries.isEmpty {
            let size = axes.legendFontSize.isFinite && axes.legendFontSize > 0 ? min(axes.legendFontSize, 72) : Style.fontSize
            let legend = Legend(entries: entries.map { Legend.Entry(series: $0.series, text: font.render($0.series.label!, size: size)) },
                                fontPx: size * pt, pointPx: pt)
            self.legend = legend
            let (w, h) = legend.size
            if let decided {
                legendPlacement = decided
            } else if axes.legend == .best {
                let (points, segments) = dataOutline(clean, frame: frame)
                if legend.bestPlace(in: frame, points: points, segments: segments).badness > 0 {
                    if w + legend.axesPad <= 0.4 * frame.width { legendPlacement = .right }
                    else if h + legend.axesPad <= 0.4 * frame.height { legendPlacement = .below }
                }
            }
            switch legendPlacement {
            case .right: right = max(right, legend.axesPad + w)
            case .below: bottom += legend.axesPad + h
            case .inside: break
            }
        }
    }

    /// The data's vertices and segments in pixels of `frame` (what a legend should not cover).
    func dataOutline(_ clean: [CleanSeries], frame: Rect) -> (points: [Point], segments: [(Point, Point)]) {
        let fx = { (v: Double) in frame.minX + (x.fraction(v) ?? .nan) * frame.width }
        let fy = { (v: Double) in frame.maxY - (y.fraction(v) ?? .nan) * frame.height }
        func p(_ a: Double, _ b: Double) -> Point {
            Point(x: fx(a).clamped(-1e12, 1e12), y: fy(b).clamped(-1e12, 1e12))
        }
        var points: [Point] = []
        var segments: [(Point, Point)] = []
        for c in clean {
            switch c.series.kind {
            case .line:
                for r in c.xs.indices {
                    let pts = zip(c.xs[r], c.ys[r]).map { p($0, $1) }
                    points += pts
                    for i in pts.indices.dropFirst() { segments.append((pts[i - 1], pts[i])) }
                }
            case .horizontal:
                guard let v = c.ys.first?.first else { continue }
                let y = fy(v).clamped(-1e12, 1e12)
                segments.append((Point(x: frame.minX, y: y), Point(x: frame.maxX, y: y)))
            case .band:
                for r in c.xs.indices {
                    let upper = zip(c.xs[r], c.ups[r]).map { p($0, $1) }
                    let lower = zip(c.xs[r], c.ys[r]).map { p($0, $1) }
                    points += upper + lower
                    for i in upper.indices.dropFirst() {
                        segments.append((upper[i - 1], upper[i])); segments.append((lower[i - 1], lower[i]))
                    }
                }
            case .scatter:
                for r in c.xs.indices { points += zip(c.xs[r], c.ys[r]).map { p($0, $1) } }
            }
        }
        return (points, segments)
    }

    /// Draws the panel into `frame` and reports where things went.
    func draw(_ axes: Axes, clean: [CleanSeries], frame: Rect, on canvas: Canvas, font: Font,
              pointPx pt: Double) -> PanelGeometry {
        let fx = { (v: Double) in frame.minX + (x.fraction(v) ?? .nan) * frame.width }
        let fy = { (v: Double) in frame.maxY - (y.fraction(v) ?? .nan) * frame.height }
        func p(_ a: Double, _ b: Double) -> Point {
            Point(x: fx(a).clamped(-1e12, 1e12), y: fy(b).clamped(-1e12, 1e12))
        }
        let far = Rect(x: frame.minX - 100, y: frame.minY - 100, width: frame.width + 200, height: frame.height + 200)

        func drawSeries(_ c: CleanSeries) {
            let s = c.series
            let color = s.color.withAlpha(s.alpha)
            switch s.kind {
            case .line:
                let w = s.width * pt
                for r in c.xs.indices {
                    let pts = zip(c.xs[r], c.ys[r]).map { p($0, $1) }
                    for piece in clipPolyline(pts, to: far) {
                        canvas.stroke(piece, width: w, color: color, dash: s.style.pattern.map { $0.map { $0 * w } })
                    }
                }
            case .horizontal:
                guard let v = c.ys.first?.first else { return }
                let y = fy(v).clamped(-1e12, 1e12)
                let a = Point(x: frame.minX, y: y), b = Point(x: frame.maxX, y: y)
                let w = s.width * pt
                canvas.stroke([a, b], width: w, color: color, dash: s.style.pattern.map { $0.map { $0 * w } })
            case .band:
                for r in c.xs.indices {
                    let upper = zip(c.xs[r], c.ups[r]).map { p($0, $1) }
                    let lower = zip(c.xs[r], c.ys[r]).map { p($0, $1) }
                    let poly = clipPolygon(upper + lower.reversed(), to: far)
                    if poly.count >= 3 { canvas.fill([poly], color: color) }
                }
            case .scatter:
                let size = s.markerSize * pt
                for r in c.xs.indices {
                    for (a, b) in zip(c.xs[r], c.ys[r]) {
                        let q = p(a, b)
                        guard q.x > frame.minX - size, q.x < frame.maxX + size,
                              q.y > frame.minY - size, q.y < frame.maxY + size else { continue }
                        canvas.fill([markerPath(s.marker, center: q, size: size, edge: pt)], color: color)
                    }
                }
            }
        }

        // Data (clipped to the frame) in matplotlib's z-order: patches, grid, lines.
        canvas.setClip(frame)
        for c in clean where c.series.zOrder < 1.5 { drawSeries(c) }
        if axes.grid {
            let gw = Style.gridWidth * pt
            for t in xTicks where t.major {
                guard let f = x.fraction(t.value), f > 1e-6, f < 1 - 1e-6 else { continue }
                crispLine(canvas, vertical: true, at: fx(t.value), from: frame.minY, to: frame.maxY, width: gw, color: Style.gridColor)
            }
            for t in yTicks where t.major {
                guard let f = y.fraction(t.value), f > 1e-6, f < 1 - 1e-6 else { continue }
                crispLine(canvas, vertical: false, at: fy(t.value), from: frame.minX, to: frame.maxX, width: gw, color: Style.gridColor)
            }
        }
        for c in clean where c.series.zOrder >= 1.5 { drawSeries(c) }
        canvas.resetClip()

        // Spines on all four sides.
        let sw = Style.spineWidth * pt, half = (max(1, sw.rounded()) / 2).rounded(.down)
        crispLine(canvas, vertical: true, at: frame.minX, from: frame.minY - half, to: frame.maxY + half, width: sw, color: .black)
        crispLine(canvas, vertical: true, at: frame.maxX, from: frame.minY - half, to: frame.maxY + half, width: sw, color: .black)
        crispLine(canvas, vertical: false, at: frame.minY, from: frame.minX - half, to: frame.maxX + half, width: sw, color: .black)
        crispLine(canvas, vertical: false, at: frame.maxY, from: frame.minX - half, to: frame.maxX + half, width: sw, color: .black)

        // Ticks (outward, bottom and left) and their labels.
        let labelOffset = (Style.tickLength + Style.tickPad) * pt
        for (t, text) in zip(xTicks, xTexts) {
            guard let f = x.fraction(t.value), f >= -1e-6, f <= 1 + 1e-6 else { continue }
            let px = fx(t.value)
            let len = (t.major ? Style.tickLength : Style.minorTickLength) * pt
            crispLine(canvas, vertical: true, at: px, from: frame.maxY, to: frame.maxY + len,
                      width: (t.major ? Style.tickWidth : Style.minorTickWidth) * pt, color: .black)
            if let text { canvas.draw(text, at: px, frame.maxY + labelOffset, h: .center, v: .top) }
        }
        for (t, text) in zip(yTicks, yTexts) {
            guard let f = y.fraction(t.value), f >= -1e-6, f <= 1 + 1e-6 else { continue }
            let py = fy(t.value)
            let len = (t.major ? Style.tickLength : Style.minorTickLength) * pt
            crispLine(canvas, vertical: false, at: py, from: frame.minX - len, to: frame.minX,
                      width: (t.major ? Style.tickWidth : Style.minorTickWidth) * pt, color: .black)
            if let text { canvas.draw(text, at: frame.minX - labelOffset, py, h: .right, v: .center) }
        }

        // Axis labels, multipliers, title.
        let xTickH = xTexts.compactMap { $0?.box.height }.max() ?? 0
        let yTickW = yTexts.compactMap { $0?.box.width }.max() ?? 0
        let belowTicks = frame.maxY + labelOffset + xTickH + Style.labelPad * pt
        let xLabelBox = xLabel.map { canvas.draw($0, at: frame.midX, belowTicks, h: .center, v: .top) }
        if let xMult { canvas.draw(xMult, at: frame.maxX, belowTicks, h: .right, v: .top) }
        let yLabelBox = yLabel.map {
            canvas.draw($0, at: frame.minX - labelOffset - yTickW - Style.labelPad * pt, frame.midY, h: .right, v: .center)
        }
        if let yMult { canvas.draw(yMult, at: frame.minX, frame.minY - 0.3 * Style.fontSize * pt, h: .left, v: .bottom) }
        let titleBox = title.map { canvas.draw($0, at: frame.midX, frame.minY - Style.titlePad * pt, h: .center, v: .baseline) }

        // Legend.
        var legendBox: Rect?
        if let legend {
            let (points, segments) = dataOutline(clean, frame: frame)
            let box: Rect
            switch legendPlacement {
            case .right: box = legend.boxRight(of: frame)
            case .below: box = legend.boxBelow(frame, decorations: bottom - legend.axesPad - legend.size.height)
            case .inside:
                box = axes.legend == .best ? legend.bestPlace(in: frame, points: points, segments: segments).box
                    : legend.box(axes.legend, in: frame)
            }
            legend.draw(on: canvas, box: box)
            legendBox = box
        }
        return PanelGeometry(frame: frame, xLimits: x.lo...x.hi, yLimits: y.lo...y.hi, xScale: x.scale,
                             yScale: y.scale, xLabelBox: xLabelBox, yLabelBox: yLabelBox, titleBox: titleBox,
                             legendBox: legendBox)
    }
}

/// A pixel-snapped axis-parallel line (spines, ticks, grid): its width is rounded to whole
/// pixels and its edges fall on pixel boundaries, as matplotlib snaps them.
func crispLine(_ canvas: Canvas, vertical: Bool, at c: Double, from a: Double, to b: Double, width: Double,
               color: Color) {
    let w = max(1, width.rounded())
    let c0 = (c - w / 2).rounded()
    let (lo, hi) = (min(a, b).rounded(), max(a, b).rounded())
    let rect = vertical ? Rect(x: c0, y: lo, width: w, height: hi - lo) : Rect(x: lo, y: c0, width: hi - lo, height: w)
    canvas.fillRect(rect, color: color)
}

/// Clips a polyline to a rectangle (Liang-Barsky per segment); returns the visible pieces.
func clipPolyline(_ pts: [Point], to r: Rect) -> [[Point]] {
    if pts.allSatisfy({ r.contains($0.x, $0.y) }) { return pts.count >= 2 ? [pts] : [] }
    var out: [[Point]] = []
    var cur: [Point] = []
    for i in pts.indices.dropFirst() {
        let a = pts[i - 1], b = pts[i]
        let dx = b.x - a.x, dy = b.y - a.y
        var t0 = 0.0, t1 = 1.0, visible = true
        for (p, q) in [(-dx, a.x - r.minX), (dx, r.maxX - a.x), (-dy, a.y - r.minY), (dy, r.maxY - a.y)] {
            if p == 0 { if q < 0 { visible = false; break }; continue }
            let t = q / p
            if p < 0 { if t > t1 { visible = false; break }; t0 = max(t0, t) } else {
                if t < t0 { visible = false; break }; t1 = min(t1, t)
            }
        }
        guard visible, t0 <= t1 else {
            if cur.count >= 2 { out.append(cur) }
            cur = []
            continue
        }
        let s = Point(x: a.x + dx * t0, y: a.y + dy * t0), e = Point(x: a.x + dx * t1, y: a.y + dy * t1)
        if cur.isEmpty || t0 > 0 {
            if cur.count >= 2 { out.append(cur) }
            cur = [s]
        }
        cur.append(e)
        if t1 < 1 { out.append(cur); cur = [] }
    }
    if cur.count >= 2 { out.append(cur) }
    return out
}

/// Clips a polygon to a rectangle (Sutherland-Hodgman).
func clipPolygon(_ poly: [Point], to r: Rect) -> [Point] {
    if poly.allSatisfy({ r.contains($0.x, $0.y) }) { return poly }
    var out = poly
    let edges: [(Point) -> Double] = [{ $0.x - r.minX }, { r.maxX - $0.x }, { $0.y - r.minY }, { r.maxY - $0.y }]
    for inside in edges {
        let input = out
        out = []
        guard var s = input.last else { break }
        for e in input {
            let de = inside(e), ds = inside(s)
            if de >= 0 {
                if ds < 0 { out.append(lerp(s, e, ds / (ds - de))) }
                out.append(e)
            } else if ds >= 0 {
                out.append(lerp(s, e, ds / (ds - de)))
            }
            s = e
        }
    }
    return out
}

private func lerp(_ a: Point, _ b: Point, _ t: Double) -> Point {
    Point(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t)
}
