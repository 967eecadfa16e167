import Foundation
import Plot
import Testing
import TestSupport

/// Renders one example of every figure type of the paper into `results/gallery/`.
@Suite struct Gallery {
    static let folder = TestPaths.repositoryRoot.appendingPathComponent("results/gallery")

    /// Deterministic noise in [-1, 1] (a 64-bit LCG), so the gallery is reproducible.
    struct Noise {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
    }

    @Test func trainTestLossWithBands() throws {
        var noise = Noise(state: 1)
        let epochs = (0...40).map(Double.init)
        func curve(_ start: Double, _ floor: Double, _ rate: Double, _ spread: Double) -> ([Double], [Double]) {
            let mean = epochs.map { floor + (start - floor) * exp(-rate * $0) + 0.01 * noise.next() }
            let std = epochs.map { spread * (0.4 + 0.6 * exp(-0.05 * $0)) * (1 + 0.2 * noise.next()) }
            return (mean, std)
        }
        let (sgdTrain, sgdTrainStd) = curve(2.3, 0.32, 0.08, 0.03)
        let (sgdTest, sgdTestStd) = curve(2.3, 0.41, 0.07, 0.03)
        let (tpTrain, tpTrainStd) = curve(2.3, 0.22, 0.13, 0.04)
        let (tpTest, tpTestStd) = curve(2.3, 0.36, 0.12, 0.04)

        var fig = Figure(size: (6.4, 4.8), dpi: 200)
        fig[0, 0].line(epochs, sgdTrain, label: "SGD (train)", color: .black, style: .dashed)
        fig[0, 0].band(epochs, mean: sgdTrain, spread: sgdTrainStd)
        fig[0, 0].line(epochs, sgdTest, label: "SGD (test)", color: .black)
        fig[0, 0].band(epochs, mean: sgdTest, spread: sgdTestStd)
        fig[0, 0].line(epochs, tpTrain, label: "teleport (train)", color: .tabBlue, style: .dashed)
        fig[0, 0].band(epochs, mean: tpTrain, spread: tpTrainStd)
        fig[0, 0].line(epochs, tpTest, label: "teleport (test)", color: .tabBlue)
        fig[0, 0].band(epochs, mean: tpTest, spread: tpTestStd)
        fig[0, 0].xLabel = "epoch"
        fig[0, 0].yLabel = "loss"
        fig[0, 0].title = "MLP on MNIST: teleportation vs. SGD"
        let warnings = try fig.save(to: Self.folder.appendingPathComponent("train_test_loss.png").path)
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test func scatterWithFit() throws {
        var noise = Noise(state: 7)
        let x = (0..<60).map { _ in 0.5 + 0.5 * (noise.next() + 1) * 1.6 }
        let y = x.map { 0.12 - 0.045 * $0 + 0.0446 * noise.next() }
        let fit = try #require(LinearFit(x: x, y: y))
        var fig = Figure(size: (4.8, 3.6), dpi: 200)
        fig.axes.scatter(x, y, label: "trained models", alpha: 0.8)
        fig.axes.fitLine(x, y, label: String(format: "r = %.3f", fit.r), color: .tabRed)
        fig.axes.xLabel = "sharpness φ(w)"
        fig.axes.yLabel = "generalization gap (ψ)"
        fig.axes.title = "curvature κ vs. gap"
        let warnings = try fig.save(to: Self.folder.appendingPathComponent("scatter_fit.png").path)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(fit.r < -0.4)
    }

    @Test func logLogCurves() throws {
        let t = (0..<200).map { pow(10, Double($0) / 199 * 3) }  // 1 ... 1000
        var fig = Figure(size: (6.4, 4.8), dpi: 200)
        for (k, eta) in [0.1, 0.01, 0.001].enumerated() {
            let y = t.map { 1 / (1 + eta * $0 * Double(k + 1)) + 1e-4 }
            fig.axes.line(t, y, label: "η = \(Ticks.format(eta))")
        }
        fig.axes.line(t, t.map { 3 / $0 }, label: "O(1/t)", color: .gray, style: .dotted)
        fig.axes.xScale = .log
        fig.axes.yScale = .log
        fig.axes.grid = true
        fig.axes.xLabel = "step t"
        fig.axes.yLabel = "‖∇L(w_{t})‖^{2}"
        fig.axes.title = "log-log convergence"
        let warnings = try fig.save(to: Self.folder.appendingPathComponent("log_log.png").path)
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test func multiPanelLogLoss() throws {
        var noise = Noise(state: 3)
        let steps = (0..<300).map(Double.init)
        let titles = ["MNIST", "Fashion-MNIST", "CIFAR-10"]
        var fig = Figure(rows: 1, columns: 3, size: (12, 4), dpi: 200)
        for (c, title) in titles.enumerated() {
            for (k, name) in ["SGD", "AdaGrad", "RMSProp"].enumerated() {
                let rate = 0.01 * Double(k + 1) / Double(c + 1)
                let base = steps.map { 2.3 * exp(-rate * $0) + 1e-3 * Double(c + 1) }
                let plain = base.map { $0 * (1 + 0.05 * noise.next()) }
                let tele = base.enumerated().map { i, v in v * exp(-0.004 * Double(i)) * (1 + 0.05 * noise.next()) }
                let color = Color.cycle(k)
                fig[0, c].line(steps, plain, label: name, color: color, style: .dashed)
                fig[0, c].line(steps, tele, label: "\(name) + teleport", color: color)
            }
            fig[0, c].yScale = .log
            fig[0, c].title = title
            fig[0, c].xLabel = "iteration"
            if c == 0 { fig[0, c].yLabel = "training loss" }
            fig[0, c].legend = c == 2 ? .best : .none
            fig[0, c].legendFontSize = 8
        }
        let warnings = try fig.save(to: Self.folder.appendingPathComponent("multi_panel_log_loss.png").path)
        #expect(warnings.isEmpty, "\(warnings)")
    }

    /// Not a figure of the paper: every remaining feature in one 2 x 2 figure (markers, band
    /// legend entries, small-value axes with a multiplier, line styles, sub/superscripts).
    @Test func featureSheet() throws {
        var noise = Noise(state: 11)
        var fig = Figure(rows: 2, columns: 2, size: (9, 7), dpi: 200)
        fig.title = "Feature sheet"
        let lr = (0..<30).map { 1e-4 + Double($0) * 3e-5 }
        fig[0, 0].line(lr, lr.map { 0.4 + 4e5 * ($0 - 6e-4) * ($0 - 6e-4) }, label: "final loss", style: .dashDot)
        fig[0, 0].band(lr, lr.map { 0.38 + 4e5 * ($0 - 6e-4) * ($0 - 6e-4) },
                       lr.map { 0.42 + 4e5 * ($0 - 6e-4) * ($0 - 6e-4) }, label: "± std")
        fig[0, 0].horizontalLine(at: 0.45, label: "baseline", style: .dotted)
        fig[0, 0].xLabel = "learning rate η"
        fig[0, 0].yLabel = "loss"
        fig[0, 0].title = "small x values"
        let x = (0..<25).map { _ in noise.next() }
        fig[0, 1].scatter(x, x.map { 2e-5 * $0 + 1e-5 * noise.next() }, marker: .circle, label: "circle")
        fig[0, 1].scatter(x, x.map { 2e-5 * $0 + 3e-5 + 1e-5 * noise.next() }, marker: .square, label: "square")
        fig[0, 1].scatter(x, x.map { 2e-5 * $0 - 3e-5 + 1e-5 * noise.next() }, marker: .triangle, label: "triangle")
        fig[0, 1].yLabel = "Δw_{ij}"
        fig[0, 1].xLabel = "cos θ"
        fig[0, 1].grid = true
        fig[0, 1].title = "markers and a ×10^{k} axis"
        let t = (1...60).map(Double.init)
        for (k, w) in [0.75, 1.5, 3].enumerated() {
            fig[1, 0].line(t, t.map { 1e5 * Double(k + 1) / $0 }, label: "width \(w) pt", width: w)
        }
        fig[1, 0].yScale = .log
        fig[1, 0].xLabel = "epoch"
        fig[1, 0].yLabel = "σ_{max}^{2}"
        fig[1, 0].legend = .upperRight
        let u = (0...100).map { Double($0) / 100 }
        fig[1, 1].line(u, u.map { sin(6 * $0) }, label: "sin")
        fig[1, 1].line(u, u.map { cos(6 * $0) }, label: "cos", style: .dashed)
        fig[1, 1].xLimits = 0...1
        fig[1, 1].yLimits = -1.5...1.5
        fig[1, 1].legend = .lowerCenter
        fig[1, 1].xLabel = "fixed limits"
        let warnings = try fig.save(to: Self.folder.appendingPathComponent("feature_sheet.png").path)
        #expect(warnings.isEmpty, "\(warnings)")
    }
}
