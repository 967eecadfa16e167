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
        let y = x.map { 0.12 - 0.045 * $0 + 0.035 * noise.next() }
        let fit = try #require(LinearFit(x: x, y: y))
        var fig = Figure(size: (4.8, 3.6), dpi: 200)
        fig.axes.scatter(x, y, label: "trained models", alpha: 0.8)
        fig.axes.fitLine(x, y, label: "r = \(Ticks.format(fit.r, significant: 3))", color: .tabRed)
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
        var fig = Figure(rows: 1, columns: 3, size: (12, 3.6), dpi: 200)
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
            fig[0, c].legend = c == 0 ? .best : .none
        }
        let warnings = try fig.save(to: Self.folder.appendingPathComponent("multi_panel_log_loss.png").path)
        #expect(warnings.isEmpty, "\(warnings)")
    }
}
