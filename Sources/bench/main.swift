import ArgumentParser
import Experiments
import Foundation
import Model

/// `bench`: times the project's kernels and prints medians as a table (JSON and Markdown
/// files on request). First it measures the machine's single-threaded sgemm rate, the
/// reference for every benchmark that has a flop count. Each area registers its entries in
/// its own file (`<Area>Bench.swift`).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the numeric kernels, teleportation, training epochs and plotting.",
        discussion: "Reports the median of each benchmark's repetitions (after one warm-up), and for "
            + "benchmarks with a flop count the GFLOP/s at the median and how close that comes to the limit "
            + "its flops set at the machine's peaks (2048x2048 Float32 and Float64 products through "
            + "single-threaded OpenBLAS, measured first).")

    @Option(help: "Only run benchmarks whose name contains this text (the peaks always run).")
    var filter: String?

    @Flag(help: "Match --filter against whole names only (one entry, not its naive twin, for profiling).")
    var exact = false

    @Option(help: ArgumentHelp("Write the machine, the peak and all measurements as JSON to this file (atomically).",
                               valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write the Markdown table (with the machine and the peak) to this file (atomically).",
                               valueName: "file"))
    var markdown: String?

    @Flag(help: "List the benchmarks without running them.")
    var list = false

    @Option(help: ArgumentHelp("A JSON report (--json) of the same benchmarks from the -Ounchecked build "
                               + "(TELEPORT_OUNCHECKED=1): write the medians side by side with their ratio to the "
                               + "file given by --unchecked-markdown.", valueName: "file"))
    var unchecked: String?

    @Option(help: ArgumentHelp("Where to write the comparison with --unchecked (atomically).", valueName: "file"))
    var uncheckedMarkdown: String?

    @Option(help: ArgumentHelp("Time every benchmark this many times instead of its own count (for profiling "
                               + "one entry with a sampling profiler).", valueName: "n"))
    var repeats: Int?

    @Flag(help: ArgumentHelp("Skip the peak products (seconds of work a profile of one entry does not want); "
                             + "no rates then, and no files."))
    var skipPeaks = false

    func validate() throws {
        if exact && filter == nil { throw ValidationError("--exact needs --filter <name>") }
        if let repeats, repeats < 1 { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        if skipPeaks && (json != nil || markdown != nil || unchecked != nil) {
            throw ValidationError("--skip-peaks measures no peaks, which the report files need: drop --json, "
                                  + "--markdown and --unchecked, or --skip-peaks")
        }
    }

    func run() throws {
        let all = allBenchmarks().filter { filter == nil || (exact ? $0.name == filter! : $0.name.contains(filter!)) }
        let peaks = [peakBenchmark(Float.self), peakBenchmark(Double.self)]
        if list { for b in peaks + all { print("\(b.name)\t\(b.detail)") }; return }

        // Without the peaks, stand-ins whose rate is not a number (every fraction of the limit too).
        func peak(_ b: Benchmark) -> Measurement {
            skipPeaks ? Measurement(name: b.name, detail: "skipped", seconds: [], median: .nan, flops: nil, gflops: nil)
                : measure(b)
        }
        var report = BenchReport(machine: .current(), peak: peak(peaks[0]), doublePeak: peak(peaks[1]))
        report.peak.fractionOfLimit = report.fractionOfLimit(report.peak)
        if let d = report.doublePeak { report.doublePeak!.fractionOfLimit = report.fractionOfLimit(d) }
        print(report.header())
        print(BenchReport.columns)
        print(BenchReport.rule)
        print(report.row(report.peak))
        if let d = report.doublePeak { print(report.row(d)) }
        for b in all {
            var m = measure(b, repeats: repeats)
            m.fractionOfLimit = report.fractionOfLimit(m)
            report.measurements.append(m)
            print(report.row(m))
            fflush(nil)
        }
        report.machine.loadAverageAtEnd = BenchMachine.loadAverage()
        if let json { try writeAtomically(JSON.encode(report), to: URL(fileURLWithPath: json)) }
        if let markdown { try writeAtomically(report.markdown(), to: URL(fileURLWithPath: markdown)) }
        if let unchecked {
            let other = try JSON.decode(BenchReport.self, from: URL(fileURLWithPath: unchecked))
            let table = report.comparison(unchecked: other)
            print(table)
            if let uncheckedMarkdown { try writeAtomically(table, to: URL(fileURLWithPath: uncheckedMarkdown)) }
        }
    }
}

/// The machine the benchmarks ran on (no host name: the files may be published).
struct BenchMachine: Codable {
    var cpuModel: String
    var cores: Int
    var memoryGiB: Double
    var os: String
    /// 1-minute load average when the benchmarks started and ended (other processes compete).
    var loadAverageAtStart: Double
    var loadAverageAtEnd: Double?
    /// The copy of the trainer's register-blocked products the CPU ran (nil in older reports).
    var productKernels: String?

    static func current() -> BenchMachine {
        let m = Machine.current()
        return BenchMachine(cpuModel: m.cpuModel, cores: m.cores, memoryGiB: m.memoryGiB, os: m.os,
                            loadAverageAtStart: loadAverage(), loadAverageAtEnd: nil,
                            productKernels: ProductKernel.registerBlockedCopy)
    }

    static func loadAverage() -> Double {
        var load = [0.0, 0.0, 0.0]
        return getloadavg(&load, 3) > 0 ? load[0] : .nan
    }
}

/// Everything one invocation measured.
struct BenchReport: Codable {
    var machine: BenchMachine
    /// The Float32 peak (peak/sgemm) and the Float64 one (peak/dgemm; nil in reports made before
    /// it was measured).
    var peak: Measurement
    var doublePeak: Measurement?
    var measurements: [Measurement] = []

    var peakGFLOPS: Double { peak.gflops ?? .nan }
    var doublePeakGFLOPS: Double { doublePeak?.gflops ?? .nan }

    /// The time `m`'s flops take at the peaks (Float32 at the sgemm rate, Float64 at the dgemm
    /// rate) over its median.
    func fractionOfLimit(_ m: Measurement) -> Double? {
        guard let flops = m.flops, peakGFLOPS.isFinite, doublePeakGFLOPS.isFinite else { return nil }
        let double = m.doubleFlops ?? 0
        return ((flops - double) / peakGFLOPS + double / doublePeakGFLOPS) / 1e9 / m.median
    }

    static let columns = "| benchmark | what one repetition does | repeats | median | MFLOP | GFLOP/s | of the limit | vs naive |"
    static let rule = "|---|---|--:|--:|--:|--:|--:|--:|"

    func header() -> String {
        String(format: "%@, %d cores, %.0f GiB; 1-minute load average %.2f at start. "
               + "Peaks (single-threaded OpenBLAS): sgemm %.1f GFLOP/s, dgemm %.1f GFLOP/s.",
               machine.cpuModel, machine.cores, machine.memoryGiB, machine.loadAverageAtStart, peakGFLOPS,
               doublePeakGFLOPS)
            + (machine.productKernels.map { " The trainer's register-blocked products: the \($0) copy." } ?? "")
    }

    func row(_ m: Measurement) -> String {
        let precision = m.doubleFlops.map { $0 == m.flops ? ", Float64" : String(format: ", %.0f%% Float64", 100 * $0 / m.flops!) } ?? ""
        let work = m.flops.map { formatMegaflops($0) + (m.counted == true ? precision : " (formula)") } ?? ""
        let rate = m.gflops.map { String(format: "%.2f", $0) } ?? ""
        let fraction = m.fractionOfLimit.map { String(format: "%.0f%%", 100 * $0) } ?? ""
        return "| \(m.name) | \(m.detail) | \(m.seconds.count) | \(formatSeconds(m.median)) | \(work) | \(rate) | \(fraction) | \(speedup(m)) |"
    }

    /// "12.3x faster than <naive>" when the naive formulation's entry ran before in this invocation.
    func speedup(_ m: Measurement) -> String {
        guard let name = m.naive, let naive = measurements.first(where: { $0.name == name }) else { return "" }
        return String(format: "%.1fx faster than %@", naive.median / m.median, name)
    }

    /// The file REPRODUCE.md includes: the machine, the peak, the table, and how rates are counted.
    func markdown() -> String {
        var lines = [header(), ""]
        if let end = machine.loadAverageAtEnd { lines[0] += String(format: " Load average at the end: %.2f.", end) }
        lines += [Self.columns, Self.rule, row(peak)] + (doublePeak.map { [row($0)] } ?? []) + measurements.map(row(_:))
        lines += ["", "Medians of the repetitions after one warm-up. MFLOP is the work of one repetition in "
                  + "matrix products only (a multiply-add is 2): counted during the warm-up over every BLAS-3 "
                  + "call of the Tensor module (gemm, syrk, trsm; LAPACK's factorizations and SVDs not counted), "
                  + "with the share done in Float64, or, marked (formula), from the formula at the benchmark's "
                  + "definition for Float32 work outside the Tensor module (the fused trainer). GFLOP/s is that "
                  + "work over the median. \"Of the limit\" is the time the work takes at the peaks of the same "
                  + "invocation (its Float32 flops at the sgemm rate, its Float64 flops at the dgemm rate) over "
                  + "the median: 100% is the arithmetic's limit on one core."]
        return lines.joined(separator: "\n") + "\n"
    }
}

extension BenchReport {
    /// The medians of this (checked) build beside those of the `-Ounchecked` build, per benchmark.
    func comparison(unchecked other: BenchReport) -> String {
        var lines = ["Numeric modules (Tensor, Autodiff, Teleport) built checked (`-O`, the default) and with "
                     + "`-Ounchecked` (`TELEPORT_OUNCHECKED=1`); one invocation each, the unchecked one first. "
                     + "Plot is built the same way in both, so its rows show the run-to-run noise.", "",
                     "| benchmark | checked median | -Ounchecked median | -Ounchecked / checked |",
                     "|---|--:|--:|--:|"]
        for m in measurements {
            guard let u = other.measurements.first(where: { $0.name == m.name }) else { continue }
            lines.append("| \(m.name) | \(formatSeconds(m.median)) | \(formatSeconds(u.median)) | "
                         + String(format: "%.2f", u.median / m.median) + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Millions of flops with three significant digits ("12.3", "0.0512", "1.68e+04").
func formatMegaflops(_ flops: Double) -> String { String(format: "%.3g", flops / 1e6) }

func formatSeconds(_ s: Double) -> String {
    !s.isFinite ? "-" : s >= 1 ? String(format: "%.3f s", s) : s >= 1e-3 ? String(format: "%.3f ms", s * 1e3)
        : String(format: "%.2f us", s * 1e6)
}

/// Every registered benchmark, in report order.
func allBenchmarks() -> [Benchmark] {
    var all: [Benchmark] = []
    // Each area appends its entries here.
    all += tensorBenchmarks()
    all += trainingBenchmarks()
    all += teleportBenchmarks()
    all += plotBenchmarks()
    return all
}

// The same allocator settings as the result executables, so that entries time what runs do.
keepFreedMemory()
Bench.main()
