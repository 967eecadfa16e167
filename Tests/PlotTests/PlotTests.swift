import Foundation
import Plot
import Testing

/// A fresh temporary folder for written PNGs.
private func tempFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("plot-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Saves the figure, decodes the file with libpng and returns it with the render geometry.
private func roundTrip(_ fig: Figure) throws -> (image: PNGImage, rendering: Rendering, warnings: [String]) {
    let rendering = try fig.render()
    let path = try tempFolder().appendingPathComponent("figure.png").path
    let warnings = try fig.save(to: path)
    let image = try PNGImage.read(path)
    return (image, rendering, warnings)
}

private func isDark(_ p: (r: UInt8, g: UInt8, b: UInt8, a: UInt8)) -> Bool {
    Int(p.r) + Int(p.g) + Int(p.b) < 3 * 128
}

@Suite struct TickTests {
    @Test func niceNumbers() {
        #expect(Ticks.nice(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        #expect(Ticks.nice(0, 40, maxBins: 9) == [0, 5, 10, 15, 20, 25, 30, 35, 40])
        #expect(Ticks.nice(0, 100, maxBins: 4) == [0, 25, 50, 75, 100])
        #expect(Ticks.nice(-3.3, 7.1, maxBins: 5) == [-2.5, 0, 2.5, 5])
        #expect(Ticks.nice(0, 0.0012, maxBins: 6) == [0, 0.0002, 0.0004, 0.0006, 0.0008, 0.001, 0.0012])
        #expect(Ticks.nice(0.1, 0.3, maxBins: 9).count >= 2)
        let big = Ticks.nice(1_000_000, 1_000_005, maxBins: 5)
        #expect(big == [1_000_000, 1_000_001, 1_000_002, 1_000_003, 1_000_004, 1_000_005])
        #expect(Ticks.nice(.nan, 1).isEmpty)
        #expect(Ticks.nice(2, 2) == [2])
    }

    @Test func numberFormatting() {
        #expect(Ticks.format(0.0005) == "5e-4")
        #expect(Ticks.format(0.00125) == "0.00125")
        #expect(Ticks.format(0.000125) == "1.25e-4")
        #expect(Ticks.format(0.25) == "0.25")
        #expect(Ticks.format(0.001) == "0.001")
        #expect(Ticks.format(1500) == "1500")
        #expect(Ticks.format(2e6) == "2e6")
        #expect(Ticks.format(-0.6131, significant: 3) == "-0.613")
        #expect(Ticks.format(0) == "0")
        #expect(Ticks.format(.nan) == "nan")
    }

    @Test func linearLabels() {
        let plain = Ticks.linearLabels([0, 0.5, 1])
        #expect(plain.labels == ["0.0", "0.5", "1.0"] && plain.multiplier == nil)
        let signed = Ticks.linearLabels([-1, 0, 1])
        #expect(signed.labels == ["\u{2212}1", "0", "1"])
        let quarter = Ticks.linearLabels([0, 0.25, 0.5])
        #expect(quarter.labels == ["0.00", "0.25", "0.50"])
        let small = Ticks.linearLabels([0, 0.0005, 0.001])
        #expect(small.labels == ["0.0", "0.5", "1.0"])
        #expect(small.multiplier == "×10^{\u{2212}3}")
        let thousandths = Ticks.linearLabels([0, 0.002, 0.004])
        #expect(thousandths.labels == ["0", "2", "4"] && thousandths.multiplier == "×10^{\u{2212}3}")
        let hundredths = Ticks.linearLabels([0, 0.005, 0.01])
        #expect(hundredths.labels == ["0.000", "0.005", "0.010"] && hundredths.multiplier == nil)
        let offset = Ticks.linearLabels([1_000_000, 1_000_001, 1_000_002])
        #expect(offset.labels == ["0", "1", "2"] && offset.multiplier == "+1e6", "\(offset)")
        let negative = Ticks.linearLabels([-1_000_002, -1_000_001, -1_000_000])
        #expect(negative.labels == ["\u{2212}2", "\u{2212}1", "0"] && negative.multiplier == "\u{2212}1e6", "\(negative)")
        let large = Ticks.linearLabels([0, 200_000, 400_000])
        #expect(large.labels == ["0", "2", "4"] && large.multiplier == "×10^{5}")
    }

    @Test func logTicks() {
        let ticks = Ticks.log(0.005, 200)
        let majors = ticks.filter(\.major)
        #expect(majors.map(\.value) == [0.01, 0.1, 1, 10, 100])
        #expect(majors.first?.label == "10^{\u{2212}2}")
        #expect(majors.last?.label == "10^{2}")
        #expect(ticks.contains { !$0.major && abs($0.value - 0.02) < 1e-12 && $0.label == nil })
        // Twenty decades: every other or fewer, still at most maxTicks majors.
        let wide = Ticks.log(1e-10, 1e10, maxTicks: 9).filter(\.major)
        #expect(wide.count <= 9 && wide.count >= 4)
        // Less than a decade: some minor ticks get labels.
        let narrow = Ticks.log(0.15, 0.9)
        #expect(narrow.filter { $0.label != nil }.count >= 2)
        #expect(Ticks.log(-1, 10).isEmpty)
    }

    @Test func leastSquares() throws {
        let x = [0.0, 1, 2, 3, 4]
        let fit = try #require(LinearFit(x: x, y: x.map { 2 * $0 + 1 }))
        #expect(abs(fit.slope - 2) < 1e-12 && abs(fit.intercept - 1) < 1e-12 && abs(fit.r - 1) < 1e-12)
        let anti = try #require(LinearFit(x: x + [.nan], y: [4, 3, 2, 1, 0, 5]))
        #expect(abs(anti.r + 1) < 1e-12 && anti.count == 5)
        #expect(LinearFit(x: [1, 1], y: [2, 3]) == nil)
    }
}

@Suite struct RenderTests {
    @Test func horizontalLineLandsOnItsRow() throws {
        var fig = Figure(size: (4, 3), dpi: 100)
        fig.axes.line([0, 1], [0.5, 0.5], color: Color(red: 1, green: 0, blue: 0))
        fig.axes.xLimits = 0...1
        fig.axes.yLimits = 0...1
        let (image, rendering, warnings) = try roundTrip(fig)
        #expect(warnings.isEmpty)
        #expect(image.width == 400 && image.height == 300)
        let panel = rendering.panels[0]
        let expected = try #require(panel.pixel(x: 0.5, y: 0.5)).y
        let column = Int(panel.frame.midX)
        var weight = 0.0, sum = 0.0
        for y in 0..<image.height {
            let p = image[column, y]
            let redness = Double(p.r) - Double(p.g)  // white and black give 0, red gives 255
            if redness > 0 { weight += redness; sum += redness * (Double(y) + 0.5) }
        }
        #expect(weight > 0)
        #expect(abs(sum / weight - expected) < 0.5, "line centre \(sum / weight), expected \(expected)")
        // Away from the line the axes background stays white.
        let far = image[column, Int(expected) + 20]
        #expect(far.r == 255 && far.g == 255 && far.b == 255 && far.a == 255)
    }

    @Test func bandInteriorIsBlended() throws {
        var fig = Figure(size: (4, 3), dpi: 100)
        fig.axes.band([0, 1], [0.25, 0.25], [0.75, 0.75], color: Color(red: 0, green: 0, blue: 1), alpha: 0.5)
        fig.axes.xLimits = 0...1
        fig.axes.yLimits = 0...1
        let (image, rendering, _) = try roundTrip(fig)
        let inside = try #require(rendering.panels[0].pixel(x: 0.5, y: 0.5))
        let p = image[Int(inside.x), Int(inside.y)]
        #expect(abs(Int(p.r) - 128) <= 2 && abs(Int(p.g) - 128) <= 2 && p.b == 255, "\(p)")
        let outside = try #require(rendering.panels[0].pixel(x: 0.5, y: 0.9))
        let q = image[Int(outside.x), Int(outside.y)]
        #expect(q.r == 255 && q.g == 255 && q.b == 255)
    }

    @Test func logAxisSpacesDecadesEvenly() throws {
        var fig = Figure(size: (5, 3), dpi: 100)
        fig.axes.scatter([1, 10, 100], [1, 1, 1], marker: .square, color: .black)
        fig.axes.xScale = .log
        let (image, rendering, warnings) = try roundTrip(fig)
        #expect(warnings.isEmpty)
        let panel = rendering.panels[0]
        let a = try #require(panel.pixel(x: 1, y: 1)), b = try #require(panel.pixel(x: 10, y: 1))
        let c = try #require(panel.pixel(x: 100, y: 1))
        #expect(abs((b.x - a.x) - (c.x - b.x)) < 1e-9)
        // Find the markers in the decoded image: centres of dark runs along the marker row.
        let row = Int(a.y)
        var centres: [Double] = []
        var start: Int?
        for x in Int(panel.frame.minX + 2)..<Int(panel.frame.maxX - 2) {
            let dark = isDark(image[x, row])
            if dark && start == nil { start = x }
            if !dark, let s = start { centres.append(Double(s + x) / 2); start = nil }
        }
        #expect(centres.count == 3, "\(centres)")
        if centres.count == 3 {
            #expect(abs((centres[1] - centres[0]) - (centres[2] - centres[1])) <= 1.0)
            #expect(abs(centres[1] - b.x) <= 1.0)
        }
    }

    @Test func labelsHaveTextPixels() throws {
        var fig = Figure(size: (4, 3), dpi: 150)
        fig.axes.line([0, 1, 2], [3, 1, 2])
        fig.axes.xLabel = "epoch"
        fig.axes.yLabel = "loss φ"
        fig.axes.title = "η = 0.1, κ^{2}"
        let (image, rendering, _) = try roundTrip(fig)
        let panel = rendering.panels[0]
        for box in [panel.xLabelBox, panel.yLabelBox, panel.titleBox] {
            let b = try #require(box)
            #expect(b.minX >= 0 && b.minY >= 0 && b.maxX <= Double(image.width) && b.maxY <= Double(image.height))
            var dark = 0
            for y in Int(b.minY)..<Int(b.maxY) { for x in Int(b.minX)..<Int(b.maxX) where isDark(image[x, y]) { dark += 1 } }
            #expect(dark > 20, "only \(dark) text pixels in \(b)")
            #expect(!b.contains(panel.frame.midX, panel.frame.midY))
        }
        // The y label sits left of the frame, the x label below it, the title above it.
        #expect(try #require(panel.yLabelBox).maxX < panel.frame.minX)
        #expect(try #require(panel.xLabelBox).minY > panel.frame.maxY)
        #expect(try #require(panel.titleBox).maxY < panel.frame.minY)
    }

    @Test func dashedLineHasGaps() throws {
        var fig = Figure(size: (4, 3), dpi: 100)
        fig.axes.line([0, 1], [0.5, 0.5], color: .black, style: .dashed)
        fig.axes.xLimits = 0...1
        fig.axes.yLimits = 0...1
        let (image, rendering, _) = try roundTrip(fig)
        let panel = rendering.panels[0]
        let row = Int(try #require(panel.pixel(x: 0.5, y: 0.5)).y)
        let xs = Int(panel.frame.minX + 3)..<Int(panel.frame.maxX - 3)
        let dark = xs.filter { isDark(image[$0, row]) }.count
        #expect(dark > xs.count / 2 && dark < xs.count * 9 / 10, "\(dark) of \(xs.count) dark")
    }

    @Test func legendAvoidsTheData() throws {
        var fig = Figure(size: (4, 3), dpi: 100)
        let x = (0..<50).map { Double($0) / 49 }
        fig.axes.line(x, x.map { $0 * $0 }, label: "y = x^{2}")   // occupies lower left to upper right
        fig.axes.scatter([0.9, 0.95, 1.0], [0.1, 0.05, 0.0], label: "points")
        let rendering = try fig.render()
        let panel = rendering.panels[0]
        let box = try #require(panel.legendBox)
        #expect(box.minX < panel.frame.midX && box.minY < panel.frame.midY, "legend at \(box)")  // upper left
        for (a, b) in zip(x, x.map { $0 * $0 }) {
            let p = try #require(panel.pixel(x: a, y: b))
            #expect(!box.contains(p.x, p.y))
        }
    }

    /// Data in every corner and across the middle: no place inside is free, so the legend goes
    /// outside the axes (below when it is too wide for the side), covering no data and staying
    /// on the image; a short legend goes to the right.
    @Test func legendLeavesTheAxesWhenNoCornerIsFree() throws {
        for (label, expectRight) in [("a wide legend entry that cannot fit beside the axes", false), ("short", true)] {
            var fig = Figure(size: (6, 4), dpi: 100)
            let x = (0..<41).map { Double($0) / 40 }
            fig.axes.line(x, x.map { $0 }, label: label)                  // lower left to upper right
            fig.axes.line(x, x.map { 1 - $0 }, label: "other")             // upper left to lower right
            fig.axes.line(x, x.map { _ in 0.5 }, label: "middle")          // centre left to centre right
            fig.axes.line(x.map { _ in 0.5 }, x, label: "vertical")       // upper to lower centre
            fig.axes.xLabel = "x"
            let rendering = try fig.render()
            let panel = rendering.panels[0]
            let box = try #require(panel.legendBox)
            #expect(!(box.maxX > panel.frame.minX && box.minX < panel.frame.maxX
                         && box.maxY > panel.frame.minY && box.minY < panel.frame.maxY),
                    "\(label): legend \(box) overlaps the axes \(panel.frame)")
            #expect(box.minX >= 0 && box.minY >= 0 && box.maxX <= 600 && box.maxY <= 400, "\(label): legend \(box) off the image")
            if expectRight { #expect(box.minX >= panel.frame.maxX, "\(label): \(box) not right of \(panel.frame)") }
            else { #expect(box.minY >= panel.frame.maxY, "\(label): \(box) not below \(panel.frame)") }
            // Not over the x label either.
            if let xl = panel.xLabelBox { #expect(!(box.maxY > xl.minY && box.minY < xl.maxY && box.maxX > xl.minX && box.minX < xl.maxX)) }
        }
    }

    @Test func multiPanelFramesDoNotOverlap() throws {
        var fig = Figure(rows: 2, columns: 2, size: (6, 5), dpi: 80)
        for r in 0..<2 { for c in 0..<2 {
            fig[r, c].line([1, 2, 3], [1, 10, 100])
            fig[r, c].yScale = .log
            fig[r, c].title = "panel \(r)\(c)"
            fig[r, c].xLabel = "x"
            fig[r, c].yLabel = "y"
        } }
        let rendering = try fig.render()
        #expect(rendering.warnings.isEmpty)
        let frames = rendering.panels.map(\.frame)
        for (i, f) in frames.enumerated() {
            #expect(f.minX > 0 && f.minY > 0 && f.maxX < 480 && f.maxY < 400)
            for g in frames[(i + 1)...] {
                #expect(f.maxX < g.minX || g.maxX < f.minX || f.maxY < g.minY || g.maxY < f.minY)
            }
        }
        #expect(frames[0].width == frames[3].width && frames[0].height == frames[3].height)
    }
}

@Suite struct BadInputTests {
    @Test func nanAndInfinityAreSkipped() throws {
        var fig = Figure(size: (3, 2), dpi: 60)
        fig.axes.line([0, 1, 2, 3, 4], [1, .nan, 2, .infinity, 3], label: "noisy")
        let r = try fig.render()
        #expect(r.warnings.count == 1)
        #expect(r.warnings.first?.contains("2 point(s) with NaN or infinite values") == true, "\(r.warnings)")
        #expect(r.warnings.first?.contains("\"noisy\"") == true)
    }

    @Test func emptySeriesWarns() throws {
        var fig = Figure(size: (3, 2), dpi: 60)
        fig.axes.line([], [])
        fig.axes.scatter([], [])
        fig.axes.band([], [], [])
        let r = try fig.render()
        #expect(r.warnings.count == 3)
        #expect(r.warnings.allSatisfy { $0.contains("empty") })
        #expect(r.panels[0].xLimits.lowerBound < r.panels[0].xLimits.upperBound)
    }

    @Test func nonPositiveOnLogAxis() throws {
        var fig = Figure(size: (3, 2), dpi: 60)
        fig.axes.line([1, 2, 3, 4], [10, 0, -5, 100])
        fig.axes.scatter([0, 1], [1, 1])
        fig.axes.yScale = .log
        fig.axes.xScale = .log
        fig.axes.yLimits = -1...10
        let r = try fig.render()
        #expect(r.warnings.filter { $0.contains("non-positive values on a log axis") }.count == 2, "\(r.warnings)")
        #expect(r.warnings.contains { $0.contains("limits") && $0.contains("automatic") })
        #expect(r.panels[0].yLimits.lowerBound > 0)
    }

    @Test func mismatchedLengths() throws {
        var fig = Figure(size: (3, 2), dpi: 60)
        fig.axes.line([0, 1, 2, 3], [1, 2, 3])
        fig.axes.band([0, 1, 2], [0, 0], [1, 1, 1])
        let r = try fig.render()
        #expect(r.warnings.count == 2)
        #expect(r.warnings.allSatisfy { $0.contains("using the first") }, "\(r.warnings)")
    }

    @Test func everythingBadAtOnceStillRenders() throws {
        var fig = Figure(rows: 1, columns: 2, size: (4, 2), dpi: 60)
        fig[0, 0].line([.nan, .nan], [.nan, .nan])
        fig[0, 0].horizontalLine(at: .nan)
        fig[0, 1].scatter([1, 2], [-1, -2])
        fig[0, 1].yScale = .log
        fig[0, 1].xLimits = 1...1  // empty range: ignored with a warning
        fig[0, 1].fitLine([1], [1])
        fig[0, 1].line([1e300, -1e300], [1e300, -1e300])
        let r = try fig.render()
        #expect(r.image.width == 240 && r.image.height == 120)
        #expect(r.warnings.count >= 4, "\(r.warnings)")

        // Ranges too wide for doubles, and style values that cannot be drawn.
        var wild = Figure(size: (3, 2), dpi: 60)
        wild.axes.line([-1.7e308, 1.7e308], [1.7e308, -1.7e308], width: .nan, alpha: .infinity)
        wild.axes.horizontalLine(at: 1e308)
        wild.axes.scatter([0, 1], [0, 1], size: .nan, color: Color(red: .nan, green: 2, blue: -1))
        wild.axes.band([0, 1], [1, 0], [0, 1], alpha: -3)
        let w = try wild.render()
        #expect(w.warnings.count == 5, "\(w.warnings)")
    }

    @Test func unwritablePathThrows() throws {
        let folder = try tempFolder()
        let file = folder.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        var fig = Figure(size: (2, 2), dpi: 50)
        fig.axes.line([0, 1], [0, 1])
        #expect(throws: PlotError.self) { try fig.save(to: file.appendingPathComponent("sub/fig.png").path) }
        do {
            try fig.save(to: file.appendingPathComponent("fig.png").path)
            Issue.record("expected an error")
        } catch let error as PlotError {
            #expect(error.description.contains("cannot write PNG"))
        }
    }

    @Test func pngRoundTrip() throws {
        let pixels = (0..<(7 * 5 * 4)).map { UInt8(($0 * 37) % 256) }
        let image = PNGImage(width: 7, height: 5, pixels: pixels)
        let path = try tempFolder().appendingPathComponent("raw.png").path
        try image.write(to: path)
        #expect(try PNGImage.read(path) == image)
        #expect(throws: PlotError.self) { try PNGImage.read(path + ".missing") }
    }
}
