import Foundation
import Plot

/// Figure rendering: a typical paper figure (4 series of 400 points) to an RGBA PNG.
func plotBenchmarks() -> [Benchmark] {
    func figure() -> Figure {
        let x = (0..<400).map { Double($0) / 4 }
        var fig = Figure(size: (6.4, 4.8), dpi: 200)
        for k in 0..<4 {
            let y = x.map { 2.3 * exp(-0.02 * Double(k + 1) * $0) + 0.02 * sin(Double(k) + $0) + 0.05 }
            fig.axes.line(x, y, label: "series \(k)", style: k % 2 == 0 ? .solid : .dashed)
            if k == 0 { fig.axes.band(x, y.map { $0 * 0.9 }, y.map { $0 * 1.1 }) }
        }
        fig.axes.xLabel = "epoch"
        fig.axes.yLabel = "loss"
        fig.axes.title = "training loss"
        fig.axes.grid = true
        return fig
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("plot-bench-\(getpid()).png").path
    return [
        Benchmark("plot/render", "render 4 lines x 400 points + band, legend, 1280x960 px (no PNG)") {
            let fig = figure()
            return { _ = try? fig.render() }
        },
        Benchmark("plot/png", "render the same figure and write it as an RGBA PNG") {
            let fig = figure()
            return { _ = try? fig.save(to: path) }
        },
    ]
}
