import Foundation

/// A point in pixel space (y grows downwards).
struct Point: Sendable {
    var x: Double
    var y: Double
}

/// An opaque RGBA8 raster with anti-aliased primitives: strokes are the union of
/// distance-field capsules (round joins, round or butt caps, dashes along arc length), fills
/// use exact signed-area coverage accumulation (nonzero-like winding), text is composited
/// from FreeType's 8-bit coverage bitmaps.
final class Canvas {
    let width: Int
    let height: Int
    var pixels: [UInt8]
    /// Drawing is limited to this half-open pixel rectangle.
    var clip: (x0: Int, y0: Int, x1: Int, y1: Int)
    private var mask: [Float]
    /// Rows touched by the current stroke and, per row, the touched column range.
    private var dirty = (y0: Int.max, y1: Int.min)
    private var rowSpan: [(Int, Int)]

    init(width: Int, height: Int, background: Color = .white) {
        self.width = width; self.height = height
        let bg = [background.red, background.green, background.blue, 1].map { UInt8(max(0, min(255, $0 * 255 + 0.5))) }
        pixels = bg.allSatisfy({ $0 == 255 }) ? [UInt8](repeating: 255, count: width * height * 4)
            : [UInt8](unsafeUninitializedCapacity: width * height * 4) { buf, count in
            for i in 0..<(width * height) {
                buf[4 * i] = bg[0]; buf[4 * i + 1] = bg[1]; buf[4 * i + 2] = bg[2]; buf[4 * i + 3] = 255
            }
            count = width * height * 4
        }
        mask = [Float](repeating: 0, count: width * height)
        rowSpan = Array(repeating: (Int.max, Int.min), count: height)
        clip = (0, 0, width, height)
    }

    func resetClip() { clip = (0, 0, width, height) }

    /// Clips drawing to `rect` (rounded outwards to whole pixels).
    func setClip(_ rect: Rect) {
        clip = (max(0, Int(floor(rect.minX))), max(0, Int(floor(rect.minY))),
                min(width, Int(ceil(rect.maxX))), min(height, Int(ceil(rect.maxY))))
    }

    // MARK: Strokes

    /// Strokes a polyline of finite points. `dash` is an on/off pattern in pixels.
    func stroke(_ points: [Point], width lineWidth: Double, color: Color, dash: [Double]? = nil,
                closed: Bool = false) {
        guard points.count >= 2, lineWidth > 0, lineWidth.isFinite, color.alpha > 0 else { return }
        var path = points
        if closed { path.append(points[0]) }
        let hw = lineWidth / 2
        if let dash, dash.count >= 2, dash.allSatisfy({ $0 > 0 }) {
            for piece in dashPieces(path, pattern: dash.map { max($0, 0.25) }) {
                strokeMask(piece, hw: hw, butt: true)
            }
        } else {
            strokeMask(path, hw: hw, butt: false)
        }
        compositeMask(color)
    }

    /// Splits a polyline into its "on" pieces for a dash pattern, measured along arc length.
    func dashPieces(_ path: [Point], pattern: [Double]) -> [[Point]] {
        var pieces: [[Point]] = []
        var current: [Point] = [path[0]]
        var k = 0, remain = pattern[0], on = true
        for i in 1..<path.count {
            let a = path[i - 1], b = path[i]
            let len = hypot(b.x - a.x, b.y - a.y)
            var t = 0.0
            while len - t > remain {
                t += remain
                let p = Point(x: a.x + (b.x - a.x) * t / len, y: a.y + (b.y - a.y) * t / len)
                if on { current.append(p); pieces.append(current); current = [] } else { current = [p] }
                on.toggle(); k = (k + 1) % pattern.count; remain = pattern[k]
                if pieces.count > 200_000 { return pieces }
            }
            remain -= len - t
            if on { current.append(b) }
        }
        if on && current.count >= 2 { pieces.append(current) }
        return pieces
    }

    private func strokeMask(_ pts: [Point], hw: Double, butt: Bool) {
        let n = pts.count
        for i in 0..<(n - 1) {
            segment(pts[i], pts[i + 1], hw: hw, buttStart: butt && i == 0, buttEnd: butt && i == n - 2)
        }
    }

    /// Adds the coverage of one thick segment to the stroke mask (max-union).
    private func segment(_ a: Point, _ b: Point, hw: Double, buttStart: Bool, buttEnd: Bool) {
        guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return }
        let dx = b.x - a.x, dy = b.y - a.y
        let len = (dx * dx + dy * dy).squareRoot()
        guard len.isFinite, hw.isFinite else { return }
        let (ux, uy) = len > 1e-9 ? (dx / len, dy / len) : (1.0, 0.0)
        let (nx, ny) = (-uy, ux)
        let r = hw + 1
        let maxCov = min(1, 2 * hw)
        let bx0 = max(clip.x0, Int(floor(min(a.x, b.x) - r)))
        let bx1 = min(clip.x1, Int(ceil(max(a.x, b.x) + r)))
        let by0 = max(clip.y0, Int(floor(min(a.y, b.y) - r)))
        let by1 = min(clip.y1, Int(ceil(max(a.y, b.y) + r)))
        guard bx0 < bx1, by0 < by1 else { return }
        var touched = false
        mask.withUnsafeMutableBufferPointer { m in
            for py in by0..<by1 {
                let yc = Double(py) + 0.5
                var xl = Double(bx0), xr = Double(bx1)
                let cv = (yc - a.y) * ny, cu = (yc - a.y) * uy
                if abs(nx) > 1e-12 {
                    let t1 = (-r - cv) / nx + a.x, t2 = (r - cv) / nx + a.x
                    xl = max(xl, min(t1, t2)); xr = min(xr, max(t1, t2))
                } else if abs(cv) > r { continue }
                if abs(ux) > 1e-12 {
                    let t1 = (-r - cu) / ux + a.x, t2 = (len + r - cu) / ux + a.x
                    xl = max(xl, min(t1, t2)); xr = min(xr, max(t1, t2))
                } else if cu < -r || cu > len + r { continue }
                guard xl <= xr else { continue }
                let ix0 = max(bx0, Int(floor(xl - 0.5))), ix1 = min(bx1, Int(ceil(xr + 0.5)))
                guard ix0 < ix1 else { continue }
                let row = py * width
                for px in ix0..<ix1 {
                    let xc = Double(px) + 0.5 - a.x
                    let u = xc * ux + cu, v = xc * nx + cv
                    var cov = hw + 0.5 - abs(v)
                    if u < 0 && !buttStart {
                        cov = hw + 0.5 - (u * u + v * v).squareRoot()
                    } else if u > len && !buttEnd {
                        cov = hw + 0.5 - ((u - len) * (u - len) + v * v).squareRoot()
                    }
                    if buttStart && u < 0.5 { cov = min(cov, 1) * max(0, u + 0.5) }
                    if buttEnd && u > len - 0.5 { cov = min(cov, 1) * max(0, len - u + 0.5) }
                    guard cov > 0 else { continue }
                    let c = Float(min(cov, maxCov))
                    if c > m[row + px] { m[row + px] = c }
                }
                touched = true
                let span = rowSpan[py]
                rowSpan[py] = (min(span.0, ix0), max(span.1, ix1))
            }
        }
        if touched { dirty = (min(dirty.y0, by0), max(dirty.y1, by1)) }
    }

    private func compositeMask(_ color: Color) {
        guard dirty.y0 < dirty.y1 else { return }
        let (r, g, b) = (Float(color.red * 255), Float(color.green * 255), Float(color.blue * 255))
        let alpha = Float(color.alpha)
        let (y0, y1) = dirty
        mask.withUnsafeMutableBufferPointer { m in
            pixels.withUnsafeMutableBufferPointer { p in
                for y in y0..<y1 {
                    let (x0, x1) = rowSpan[y]
                    guard x0 < x1 else { continue }
                    rowSpan[y] = (Int.max, Int.min)
                    for x in x0..<x1 {
                        let i = y * width + x
                        let c = m[i]
                        if c > 0 {
                            Canvas.blend(p, i, r, g, b, c * alpha)
                            m[i] = 0
                        }
                    }
                }
            }
        }
        dirty = (Int.max, Int.min)
    }

    @inline(__always)
    static func blend(_ p: UnsafeMutableBufferPointer<UInt8>, _ i: Int, _ r: Float, _ g: Float,
                      _ b: Float, _ a: Float) {
        let j = 4 * i
        let a = min(a, 1)
        p[j] = UInt8(Float(p[j]) + (r - Float(p[j])) * a + 0.5)
        p[j + 1] = UInt8(Float(p[j + 1]) + (g - Float(p[j + 1])) * a + 0.5)
        p[j + 2] = UInt8(Float(p[j + 2]) + (b - Float(p[j + 2])) * a + 0.5)
    }

    // MARK: Fills

    /// Fills the region enclosed by `contours` (winding magnitude clamped to 1, so overlaps
    /// and either orientation fill once).
    func fill(_ contours: [[Point]], color: Color) {
        guard color.alpha > 0 else { return }
        var lo = Point(x: .infinity, y: .infinity), hi = Point(x: -.infinity, y: -.infinity)
        for c in contours { for p in c where p.x.isFinite && p.y.isFinite {
            lo.x = min(lo.x, p.x); lo.y = min(lo.y, p.y); hi.x = max(hi.x, p.x); hi.y = max(hi.y, p.y)
        } }
        let ix0 = max(clip.x0, Int(floor(lo.x.clamped(-1e7, 1e7))))
        let iy0 = max(clip.y0, Int(floor(lo.y.clamped(-1e7, 1e7))))
        let ix1 = min(clip.x1, Int(ceil(hi.x.clamped(-1e7, 1e7))))
        let iy1 = min(clip.y1, Int(ceil(hi.y.clamped(-1e7, 1e7))))
        guard ix0 < ix1, iy0 < iy1 else { return }
        let w = ix1 - ix0, h = iy1 - iy0, stride = w + 2
        var acc = [Double](repeating: 0, count: stride * h)
        acc.withUnsafeMutableBufferPointer { buf in
            for c in contours where c.count >= 3 {
                for i in 0..<c.count {
                    let p = c[i], q = c[(i + 1) % c.count]
                    guard p.x.isFinite, p.y.isFinite, q.x.isFinite, q.y.isFinite else { continue }
                    let a = Point(x: p.x - Double(ix0), y: p.y - Double(iy0))
                    let b = Point(x: q.x - Double(ix0), y: q.y - Double(iy0))
                    Canvas.clippedEdge(buf, stride: stride, w: w, h: h, a, b)
                }
            }
        }
        let (r, g, b) = (Float(color.red * 255), Float(color.green * 255), Float(color.blue * 255))
        let alpha = Float(color.alpha)
        acc.withUnsafeBufferPointer { a in
            pixels.withUnsafeMutableBufferPointer { p in
                for y in 0..<h {
                    var s = 0.0
                    let row = y * stride
                    for x in 0..<w {
                        s += a[row + x]
                        let cov = Float(min(1, abs(s)))
                        if cov > 1.0 / 1024 {
                            Canvas.blend(p, (y + iy0) * width + x + ix0, r, g, b, cov * alpha)
                        }
                    }
                }
            }
        }
    }

    /// Fills an axis-aligned rectangle (fractional edges are anti-aliased).
    func fillRect(_ rect: Rect, color: Color) {
        fill([[Point(x: rect.minX, y: rect.minY), Point(x: rect.maxX, y: rect.minY),
               Point(x: rect.maxX, y: rect.maxY), Point(x: rect.minX, y: rect.maxY)]], color: color)
    }

    /// Splits an edge at x = 0 and x = w; parts outside are projected onto the border, which
    /// keeps the winding of every pixel inside exact.
    private static func clippedEdge(_ acc: UnsafeMutableBufferPointer<Double>, stride: Int, w: Int,
                                    h: Int, _ a: Point, _ b: Point) {
        let W = Double(w)
        var ts: [Double] = [0, 1]
        if b.x != a.x {
            for xb in [0, W] {
                let t = (xb - a.x) / (b.x - a.x)
                if t > 0 && t < 1 { ts.append(t) }
            }
        }
        ts.sort()
        for k in 0..<(ts.count - 1) {
            let p = Point(x: (a.x + (b.x - a.x) * ts[k]).clamped(0, W), y: a.y + (b.y - a.y) * ts[k])
            let q = Point(x: (a.x + (b.x - a.x) * ts[k + 1]).clamped(0, W), y: a.y + (b.y - a.y) * ts[k + 1])
            accumulate(acc, stride: stride, h: h, p, q)
        }
    }

    /// Signed-area coverage of one edge (x already within [0, w]) added to the accumulator.
    private static func accumulate(_ acc: UnsafeMutableBufferPointer<Double>, stride: Int, h: Int,
                                   _ p0: Point, _ p1: Point) {
        if abs(p0.y - p1.y) < 1e-12 { return }
        let (dir, a, b) = p0.y < p1.y ? (1.0, p0, p1) : (-1.0, p1, p0)
        let dxdy = (b.x - a.x) / (b.y - a.y)
        let ystart = max(0, Int(floor(a.y)))
        let yend = min(h, Int(ceil(b.y)))
        guard ystart < yend else { return }
        var x = a.x
        if a.y < Double(ystart) { x += (Double(ystart) - a.y) * dxdy }
        let xmax = Double(stride - 2)
        for y in ystart..<yend {
            let dy = min(Double(y + 1), b.y) - max(Double(y), a.y)
            let xnext = (x + dxdy * dy).clamped(0, xmax)
            let d = dy * dir
            let (x0, x1) = x < xnext ? (x, xnext) : (xnext, x)
            let x0floor = floor(x0)
            let x0i = Int(x0floor)
            let x1ceil = ceil(x1)
            let x1i = Int(x1ceil)
            let base = y * stride
            if x1i <= x0i + 1 {
                let xmf = 0.5 * (x + xnext) - x0floor
                acc[base + x0i] += d - d * xmf
                acc[base + x0i + 1] += d * xmf
            } else {
                let s = 1 / (x1 - x0)
                let x0f = x0 - x0floor
                let a0 = 0.5 * s * (1 - x0f) * (1 - x0f)
                let x1f = x1 - x1ceil + 1
                let am = 0.5 * s * x1f * x1f
                acc[base + x0i] += d * a0
                if x1i == x0i + 2 {
                    acc[base + x0i + 1] += d * (1 - a0 - am)
                } else {
                    let a1 = s * (1.5 - x0f)
                    acc[base + x0i + 1] += d * (a1 - a0)
                    if x0i + 2 < x1i - 1 {
                        for xi in (x0i + 2)..<(x1i - 1) { acc[base + xi] += d * s }
                    }
                    let a2 = a1 + Double(x1i - x0i - 3) * s
                    acc[base + x1i - 1] += d * (1 - a2 - am)
                }
                acc[base + x1i] += d * am
            }
            x = xnext
        }
    }

    // MARK: Text

    /// Composites a text coverage bitmap with its top-left pixel at (x, y).
    func draw(_ text: TextImage, x: Int, y: Int, color: Color) {
        let (r, g, b) = (Float(color.red * 255), Float(color.green * 255), Float(color.blue * 255))
        let alpha = Float(color.alpha) / 255
        text.alpha.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { p in
                for ty in 0..<text.height {
                    let cy = y + ty
                    guard cy >= clip.y0 && cy < clip.y1 else { continue }
                    for tx in 0..<text.width {
                        let cx = x + tx
                        guard cx >= clip.x0 && cx < clip.x1 else { continue }
                        let c = src[ty * text.width + tx]
                        if c > 0 { Canvas.blend(p, cy * width + cx, r, g, b, Float(c) * alpha) }
                    }
                }
            }
        }
    }
}

extension Double {
    func clamped(_ lo: Double, _ hi: Double) -> Double { Swift.min(hi, Swift.max(lo, self)) }
}
