import CFreeType
import Foundation

/// An 8-bit coverage bitmap of laid-out text with its layout box. `box` is the text's
/// logical extent (advance width by font ascent + descent) in bitmap pixel coordinates;
/// glyph ink may reach slightly outside it.
struct TextImage {
    var width: Int
    var height: Int
    var alpha: [UInt8]
    var box: Rect
    /// The baseline's y in bitmap pixels (meaningless once rotated).
    var baseline: Double = 0

    /// The image turned a quarter turn counter-clockwise (text reads bottom to top).
    func rotatedCounterClockwise() -> TextImage {
        var out = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                out[(width - 1 - x) * height + y] = alpha[y * width + x]
            }
        }
        let W = Double(width)
        return TextImage(width: height, height: width, alpha: out,
                         box: Rect(x: box.minY, y: W - box.maxX, width: box.height, height: box.width))
    }
}

/// Horizontal and vertical anchoring of text at a point.
enum HAlign { case left, center, right }
enum VAlign { case top, center, baseline, bottom }

/// Where the plotting font lives; the first file that exists is used.
public enum FontLocator {
    /// Candidate paths for DejaVu Sans, `$PLOT_FONT` first.
    public static var candidates: [String] {
        var list: [String] = []
        if let env = ProcessInfo.processInfo.environment["PLOT_FONT"], !env.isEmpty { list.append(env) }
        list += [
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  // Debian, Ubuntu (fonts-dejavu-core)
            "/usr/share/fonts/TTF/DejaVuSans.ttf",  // Arch
            "/usr/share/fonts/dejavu/DejaVuSans.ttf",  // Fedora, Alpine
            "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",  // Fedora (newer)
            "/usr/local/share/fonts/DejaVuSans.ttf",
            "/opt/homebrew/share/fonts/DejaVuSans.ttf",
            "/Library/Fonts/DejaVuSans.ttf",
        ]
        return list
    }

    /// The path of DejaVu Sans, or nil when none of the candidates exists.
    public static func dejaVuSans() -> String? {
        candidates.first { FileManager.default.isReadableFile(atPath: $0) }
    }
}

/// DejaVu Sans through FreeType: glyph rendering with a per-size cache and simple markup
/// (`^{...}` superscript, `_{...}` subscript). Not shared between threads.
final class Font {
    private var library: FT_Library?
    private var face: FT_Face?
    private let dpi: Double
    private var currentSize = -1.0
    private var cache: [Key: Glyph] = [:]
    private var metricCache: [Double: (ascent: Double, descent: Double)] = [:]

    private struct Key: Hashable { var scalar: UInt32; var size: Double }
    private struct Glyph {
        var bitmap: [UInt8]
        var width: Int, rows: Int, left: Int, top: Int
        var advance: Double
        var index: UInt32
    }

    init(dpi: Double) throws {
        self.dpi = dpi
        guard let path = FontLocator.dejaVuSans() else {
            throw PlotError.fontNotFound(searched: FontLocator.candidates)
        }
        guard FT_Init_FreeType(&library) == 0, let library else {
            throw PlotError.fontLoad(path: path, reason: "FreeType could not be initialised")
        }
        let err = FT_New_Face(library, path, 0, &face)
        guard err == 0, face != nil else {
            FT_Done_FreeType(library)
            self.library = nil
            throw PlotError.fontLoad(path: path, reason: "FreeType error \(err)")
        }
    }

    deinit {
        if let face { FT_Done_Face(face) }
        if let library { FT_Done_FreeType(library) }
    }

    /// Size in points -> pixels per em.
    func pixels(_ points: Double) -> Double { points * dpi / 72 }

    private func setSize(_ points: Double) {
        guard points != currentSize, let face else { return }
        FT_Set_Char_Size(face, 0, FT_F26Dot6((points * 64).rounded()), FT_UInt(dpi.rounded()), FT_UInt(dpi.rounded()))
        currentSize = points
    }

    private func glyph(_ scalar: UInt32, size: Double) -> Glyph {
        let key = Key(scalar: scalar, size: size)
        if let g = cache[key] { return g }
        setSize(size)
        var g = Glyph(bitmap: [], width: 0, rows: 0, left: 0, top: 0, advance: 0, index: 0)
        if let face {
            let index = FT_Get_Char_Index(face, FT_ULong(scalar))
            let loadRender: Int32 = 1 << 2, targetLight: Int32 = 1 << 16
            if FT_Load_Glyph(face, index, loadRender | targetLight) == 0, let slot = face.pointee.glyph {
                let bm = slot.pointee.bitmap
                let w = Int(bm.width), rows = Int(bm.rows), pitch = Int(bm.pitch)
                var data = [UInt8](repeating: 0, count: w * rows)
                if let buf = bm.buffer, w > 0, rows > 0 {
                    for y in 0..<rows {
                        let src = pitch >= 0 ? buf + y * pitch : buf + (rows - 1 - y) * (-pitch)
                        for x in 0..<w { data[y * w + x] = src[x] }
                    }
                }
                g = Glyph(bitmap: data, width: w, rows: rows, left: Int(slot.pointee.bitmap_left),
                          top: Int(slot.pointee.bitmap_top),
                          // 16.16 fixed-point advance at the current size, in pixels.
                          advance: Double(slot.pointee.linearHoriAdvance) / 65536,
                          index: index)
            }
        }
        cache[key] = g
        return g
    }

    /// Ascent of "l" and descent of "p" in pixels (matplotlib's text box height).
    func metrics(size: Double) -> (ascent: Double, descent: Double) {
        if let m = metricCache[size] { return m }
        let l = glyph(UInt32(("l" as Unicode.Scalar).value), size: size)
        let p = glyph(UInt32(("p" as Unicode.Scalar).value), size: size)
        let m = (Double(l.top), Double(p.rows - p.top))
        metricCache[size] = m
        return m
    }

    /// Splits markup into runs of (text, level): level +1 for `^{...}`, -1 for `_{...}`.
    static func runs(_ text: String) -> [(String, Int)] {
        var out: [(String, Int)] = []
        var current = ""
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if (c == "^" || c == "_"), i + 1 < chars.count, chars[i + 1] == "{",
               let close = chars[(i + 2)...].firstIndex(of: "}") {
                if !current.isEmpty { out.append((current, 0)); current = "" }
                out.append((String(chars[(i + 2)..<close]), c == "^" ? 1 : -1))
                i = close + 1
                continue
            }
            current.append(c)
            i += 1
        }
        if !current.isEmpty { out.append((current, 0)) }
        return out
    }

    /// Lays out and rasterises `text` at `size` points.
    func render(_ text: String, size: Double) -> TextImage {
        let (ascent, descent) = metrics(size: size)
        let em = pixels(size)
        struct Placed { var g: Glyph; var x: Int; var y: Int }
        var placed: [Placed] = []
        var pen = 0.0
        var boxTop = -ascent, boxBottom = descent
        for (run, level) in Font.runs(text) {
            let runSize = level == 0 ? size : size * 0.7
            let shift = level > 0 ? -0.42 * em : (level < 0 ? 0.2 * em : 0)
            if level != 0 {
                let m = metrics(size: runSize)
                boxTop = min(boxTop, shift - m.ascent)
                boxBottom = max(boxBottom, shift + m.descent)
            }
            var previous: UInt32 = 0
            for scalar in run.unicodeScalars {
                let g = glyph(scalar.value, size: runSize)
                if previous != 0, let face, g.index != 0 {
                    var k = FT_Vector()
                    setSize(runSize)
                    if FT_Get_Kerning(face, previous, g.index, 2 /* unscaled */, &k) == 0, k.x != 0 {
                        let unitsPerEm = Double(face.pointee.units_per_EM)
                        pen += Double(k.x) / unitsPerEm * pixels(runSize)
                    }
                }
                placed.append(Placed(g: g, x: Int(pen.rounded()) + g.left, y: Int(shift.rounded()) - g.top))
                pen += g.advance
                previous = g.index
            }
            if level != 0 { pen += 0.05 * em }
        }
        // Bitmap bounds: the layout box united with every glyph's ink, relative to the origin.
        var x0 = 0, x1 = Int(ceil(pen)), y0 = Int(floor(boxTop)), y1 = Int(ceil(boxBottom))
        for p in placed where p.g.width > 0 {
            x0 = min(x0, p.x); x1 = max(x1, p.x + p.g.width)
            y0 = min(y0, p.y); y1 = max(y1, p.y + p.g.rows)
        }
        let w = max(1, x1 - x0), h = max(1, y1 - y0)
        var alpha = [UInt8](repeating: 0, count: w * h)
        for p in placed {
            for gy in 0..<p.g.rows {
                let row = (p.y + gy - y0) * w
                for gx in 0..<p.g.width {
                    let v = p.g.bitmap[gy * p.g.width + gx]
                    if v > 0 {
                        let i = row + p.x + gx - x0
                        alpha[i] = UInt8(min(255, Int(alpha[i]) + Int(v)))
                    }
                }
            }
        }
        let box = Rect(x: Double(-x0), y: boxTop - Double(y0), width: pen, height: boxBottom - boxTop)
        return TextImage(width: w, height: h, alpha: alpha, box: box, baseline: Double(-y0))
    }
}

extension Canvas {
    /// Draws text so that the anchor point (x, y) sits at the given place of its layout box.
    /// Returns the layout box in canvas pixels.
    @discardableResult
    func draw(_ text: TextImage, at x: Double, _ y: Double, h: HAlign, v: VAlign,
              color: Color = .black) -> Rect {
        guard x.isFinite, y.isFinite else { return Rect(x: 0, y: 0, width: 0, height: 0) }
        let bx: Double
        switch h {
        case .left: bx = x - text.box.minX
        case .center: bx = x - text.box.midX
        case .right: bx = x - text.box.maxX
        }
        let by: Double
        switch v {
        case .top: by = y - text.box.minY
        case .center: by = y - text.box.midY
        case .bottom: by = y - text.box.maxY
        case .baseline: by = y - text.baseline
        }
        let ox = Int(bx.rounded()), oy = Int(by.rounded())
        draw(text, x: ox, y: oy, color: color)
        return Rect(x: Double(ox) + text.box.minX, y: Double(oy) + text.box.minY,
                    width: text.box.width, height: text.box.height)
    }
}
