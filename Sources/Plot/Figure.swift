// Plot: figures in matplotlib's default look (white background, four black spines,
// outward ticks, DejaVu Sans 10 pt, tab10 colours), rasterised with anti-aliasing and written
// as RGBA PNG. Figure (panels, layout, output) -> Axes (series, scales, labels) -> Panel
// (ticks, drawing) -> Canvas (pixels), Font (FreeType text), Legend, PNG (libpng).
import Foundation

/// matplotlib's default sizes, in points.
enum Style {
    static let fontSize = 10.0
    static let titleSize = 12.0
    static let tickLength = 3.5
    static let minorTickLength = 2.0
    static let tickWidth = 0.8
    static let minorTickWidth = 0.6
    static let tickPad = 3.5
    static let labelPad = 4.0
    static let titlePad = 6.0
    static let spineWidth = 0.8
    static let gridWidth = 0.8
    static let gridColor = Color(hex: 0xb0b0b0)
    /// tight_layout's padding around and between panels, in font sizes.
    static let layoutPad = 1.08
}

/// A figure of `rows` x `columns` panels rendered to an RGBA PNG in matplotlib's default look.
///
///     var fig = Figure(rows: 1, columns: 2, size: (6.4, 4.8), dpi: 200)
///     fig[0, 0].line(x, y, label: "train", style: .dashed)
///     fig[0, 0].yScale = .log
///     let warnings = try fig.save(to: "results/loss.png")
public struct Figure: Sendable {
    public let rows: Int
    public let columns: Int
    /// Width and height in inches.
    public var size: (width: Double, height: Double)
    /// Pixels per inch of the PNG (text and lines scale with it).
    public var dpi: Double
    /// Optional title above all panels (matplotlib's suptitle).
    public var title: String?
    private var panels: [Axes]

    public init(rows: Int = 1, columns: Int = 1, size: (width: Double, height: Double) = (6.4, 4.8),
                dpi: Double = 200) {
        self.rows = max(1, rows)
        self.columns = max(1, columns)
        self.size = size
        self.dpi = dpi
        panels = Array(repeating: Axes(), count: self.rows * self.columns)
    }

    /// The panel at `row`, `column` (0-based, row 0 at the top).
    public subscript(row: Int, column: Int) -> Axes {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "panel [\(row), \(column)] out of range")
            return panels[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "panel [\(row), \(column)] out of range")
            panels[row * columns + column] = newValue
        }
    }

    /// The first panel (the only one of a 1 x 1 figure).
    public var axes: Axes {
        get { panels[0] }
        set { panels[0] = newValue }
    }

    /// Renders the figure. Data that cannot be drawn (NaN, infinities, non-positive values on
    /// a log axis, unequal lengths, empty series) is skipped and reported in `warnings`.
    public func render() throws -> Rendering {
        var warnings: [String] = []
        var dpi = self.dpi
        if !(dpi.isFinite && dpi >= 10 && dpi <= 2000) {
            warnings.append("dpi \(self.dpi) out of range 10...2000; using 100")
            dpi = 100
        }
        func pixels(_ inches: Double, _ name: String) -> Int {
            let px = inches * dpi
            if !(px.isFinite && px >= 16 && px <= 20000) {
                warnings.append("figure \(name) \(inches) in gives \(px) px; clamped to 16...20000")
                return px.isFinite ? Int(px.clamped(16, 20000)) : 480
            }
            return Int(px.rounded())
        }
        let W = pixels(size.width, "width"), H = pixels(size.height, "height")
        let font = try Font(dpi: dpi)
        let canvas = Canvas(width: W, height: H)
        let pointPx = dpi / 72

        // Clean the data once; the layout needs the limits, the drawing the clean runs.
        var cleaned: [[CleanSeries]] = []
        var axesPlans: [(x: AxisRange, y: AxisRange)] = []
        for (i, axes) in panels.enumerated() {
            let name = "panel [\(i / columns), \(i % columns)]"
            let clean = axes.series.enumerated().map { k, s in
                CleanSeries(s, index: k, panel: name, xScale: axes.xScale, yScale: axes.yScale, warnings: &warnings)
            }
            cleaned.append(clean)
            let x = AxisRange(scale: axes.xScale, explicit: axes.xLimits, data: clean.compactMap { $0.xRange },
                              name: "\(name) x", warnings: &warnings)
            let y = AxisRange(scale: axes.yScale, explicit: axes.yLimits, data: clean.compactMap { $0.yRange },
                              name: "\(name) y", warnings: &warnings)
            axesPlans.append((x, y))
        }

        // Two layout passes: tick density depends on the panel size, decorations on the ticks.
        let suptitle = title.map { font.render($0, size: Style.titleSize) }
        var frames = (0..<panels.count).map { i -> Rect in
            Rect(x: 0, y: 0, width: Double(W) * 0.775 / Double(columns), height: Double(H) * 0.77 / Double(rows))
        }
        var plans: [PanelPlan] = []
        var crowded = false
        for pass in 0..<2 {
            let placements = plans.map(\.legendPlacement)
            plans = panels.indices.map { i in
                PanelPlan(panels[i], clean: cleaned[i], x: axesPlans[i].x, y: axesPlans[i].y, frame: frames[i], font: font,
                          legendPlacement: pass == 0 ? nil : placements[i])
            }
            (frames, crowded) = layout(plans, width: Double(W), height: Double(H), fontPx: font.pixels(Style.fontSize),
                                       topReserve: suptitle.map { $0.box.height + 0.5 * font.pixels(Style.fontSize) } ?? 0)
        }
        if crowded { warnings.append("labels leave too little room for the panels; the figure may look crowded") }

        var geometry: [PanelGeometry] = []
        for i in panels.indices {
            geometry.append(plans[i].draw(panels[i], clean: cleaned[i], frame: frames[i], on: canvas, font: font,
                                          pointPx: pointPx))
        }
        if let suptitle {
            canvas.draw(suptitle, at: Double(W) / 2, Style.layoutPad * font.pixels(Style.fontSize), h: .center, v: .top)
        }
        return Rendering(image: PNGImage(width: W, height: H, pixels: canvas.pixels), warnings: warnings,
                         panels: geometry)
    }

    /// Renders and writes the PNG; returns the warnings about data that was not drawn.
    /// Throws `PlotError.cannotWrite` when the file cannot be written.
    @discardableResult
    public func save(to path: String) throws -> [String] {
        let r = try render()
        try r.image.write(to: path, dpi: dpi)
        return r.warnings
    }

    /// tight_layout: equal-sized panels, decorations packed with 1.08 font sizes of padding.
    private func layout(_ plans: [PanelPlan], width W: Double, height H: Double, fontPx: Double,
                        topReserve: Double) -> (frames: [Rect], crowded: Bool) {
        let pad = Style.layoutPad * fontPx
        var colL = [Double](repeating: 0, count: columns), colR = colL
        var rowT = [Double](repeating: 0, count: rows), rowB = rowT
        for r in 0..<rows {
            for c in 0..<columns {
                let p = plans[r * columns + c]
                colL[c] = max(colL[c], p.left); colR[c] = max(colR[c], p.right)
                rowT[r] = max(rowT[r], p.top); rowB[r] = max(rowB[r], p.bottom)
            }
        }
        let cols = Double(columns), rws = Double(rows)
        var aw = (W - 2 * pad - (cols - 1) * pad - colL.reduce(0, +) - colR.reduce(0, +)) / cols
        var ah = (H - 2 * pad - topReserve - (rws - 1) * pad - rowT.reduce(0, +) - rowB.reduce(0, +)) / rws
        let minW = 0.15 * W / cols, minH = 0.15 * H / rws
        let crowded = aw < minW || ah < minH
        aw = max(aw, minW); ah = max(ah, minH)
        var frames: [Rect] = []
        var y = pad + topReserve
        for r in 0..<rows {
            var x = pad
            for c in 0..<columns {
                let x0 = (x + colL[c]).rounded(), y0 = (y + rowT[r]).rounded()
                frames.append(Rect(x: x0, y: y0, width: aw.rounded(), height: ah.rounded()))
                x += colL[c] + aw + colR[c] + pad
            }
            y += rowT[r] + ah + rowB[r] + pad
        }
        return (frames, crowded)
    }
}

/// The result of `Figure.render()`: the image, the warnings and where each panel landed.
public struct Rendering: Sendable {
    public var image: PNGImage
    /// Human-readable notes about data or settings that could not be honoured.
    public var warnings: [String]
    /// Geometry of each panel, row-major.
    public var panels: [PanelGeometry]
}

/// Where a panel was drawn, in pixels of the rendered image.
public struct PanelGeometry: Sendable {
    /// The axes rectangle (inside the spines).
    public var frame: Rect
    public var xLimits: ClosedRange<Double>
    public var yLimits: ClosedRange<Double>
    public var xScale: Scale
    public var yScale: Scale
    /// Layout boxes of the texts, when present.
    public var xLabelBox: Rect?
    public var yLabelBox: Rect?
    public var titleBox: Rect?
    public var legendBox: Rect?

    /// The pixel position of a data point (nil when the scale cannot show it).
    public func pixel(x: Double, y: Double) -> (x: Double, y: Double)? {
        guard let tx = xScale.forward(x), let ty = yScale.forward(y),
              let a = xScale.forward(xLimits.lowerBound), let b = xScale.forward(xLimits.upperBound),
              let c = yScale.forward(yLimits.lowerBound), let d = yScale.forward(yLimits.upperBound)
        else { return nil }
        return (frame.minX + (tx - a) / (b - a) * frame.width, frame.maxY - (ty - c) / (d - c) * frame.height)
    }
}
