import ArgumentParser
import Foundation

/// `bench`: times the project's kernels and prints medians as a table (and JSON with --json).
/// Each area registers its entries in its own file (`<Area>Bench.swift`).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the numeric kernels, teleportation, training epochs and plotting.")

    @Option(help: "Only run benchmarks whose name contains this text.")
    var filter: String?

    @Option(help: "Write all measurements as JSON to this file.")
    var json: String?

    @Flag(help: "List the benchmarks without running them.")
    var list = false

    func run() throws {
        let all = allBenchmarks().filter { filter == nil || $0.name.contains(filter!) }
        if list { for b in all { print("\(b.name)\t\(b.detail)") }; return }
        var results: [Measurement] = []
        print("| benchmark | what one repetition does | median | rate |")
        print("|---|---|---|---|")
        for b in all {
            let m = measure(b)
            results.append(m)
            let rate = m.rate.map { String(format: "%.2f %@", $0, m.unit ?? "") } ?? ""
            print("| \(m.name) | \(m.detail) | \(formatSeconds(m.median)) | \(rate) |")
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(results)
            let tmp = json + ".tmp"
            try data.write(to: URL(fileURLWithPath: tmp))
            // rename(2) replaces an existing file atomically and also works when there is none
            // (FileManager.replaceItemAt needs an existing file on Linux).
            guard rename(tmp, json) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: json])
            }
        }
    }
}

func formatSeconds(_ s: Double) -> String {
    s >= 1 ? String(format: "%.3f s", s) : s >= 1e-3 ? String(format: "%.3f ms", s * 1e3)
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

Bench.main()
