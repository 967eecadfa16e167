import Foundation
import Testing
import TestSupport
@testable import Experiments

/// A result executable interrupted for real, mid-run, by SIGINT, SIGTERM or SIGKILL, then
/// rerun: the finished runs are kept byte for byte, no temporary file is left, and the
/// summary equals an uninterrupted run's.
@Suite(.requires(.imageData), .serialized) struct InterruptionTests {
    static let arguments = ["run", "--profile", "quick", "--datasets", "mnist,fashion-mnist", "--jobs", "2", "--quiet"]

    /// Every file under `root/correlation/quick/runs`, relative path -> bytes.
    static func runFiles(_ root: URL) -> [String: Data] {
        let runs = root.appendingPathComponent("correlation/quick/runs")
        var out: [String: Data] = [:]
        let walker = FileManager.default.enumerator(atPath: runs.path)
        while let f = walker?.nextObject() as? String {
            if let d = FileManager.default.contents(atPath: runs.appendingPathComponent(f).path), f.hasSuffix(".json") {
                out[f] = d
            }
        }
        return out
    }

    static func temporaries(_ root: URL) -> [String] {
        let walker = FileManager.default.enumerator(atPath: root.path)
        var out: [String] = []
        while let f = walker?.nextObject() as? String {
            if f.hasSuffix(".tmp") { out.append(f) }
        }
        return out
    }

    static func summary(_ root: URL) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent("correlation/quick/summary.json"))
    }

    /// An uninterrupted run's summary and run count, computed once for the three signals.
    static let reference: Result<(summary: Data, runs: Int), any Error> = Result {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let (status, output) = try Executables.run("correlation", arguments + ["--results", scratch.path])
        guard status == 0 else { throw ReportedError(description: "uninterrupted run failed: \(output)") }
        return (try summary(scratch.url), runFiles(scratch.url).count)
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGKILL])
    func interruptedRunResumesWithoutLoss(_ signal: Int32) throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let interrupted = scratch.url.appendingPathComponent("interrupted")
        let (referenceSummary, total) = try Self.reference.get()

        let program = try Executables.start(Executables.productsDirectory.appendingPathComponent("correlation"),
                                            Self.arguments + ["--results", interrupted.path])
        let deadline = Date().addingTimeInterval(120)
        while Self.runFiles(interrupted).count < 3 && Date() < deadline { usleep(20_000) }
        kill(program.pid, signal)
        let (code, log) = try program.wait()
        let kept = Self.runFiles(interrupted)
        #expect(kept.count >= 3 && kept.count < total, "interrupted after \(kept.count) of \(total) runs")
        if signal == SIGKILL {
            #expect(program.killedBySignal && code == SIGKILL)
        } else {
            #expect(!program.killedBySignal && code == 128 + signal, "status \(code): \(log)")
            #expect(log.contains("finished runs are kept; rerun"), "\(log)")
            #expect(Self.temporaries(interrupted).isEmpty, "left: \(Self.temporaries(interrupted))")
        }

        let (again, againLog) = try Executables.run("correlation", Self.arguments + ["--results", interrupted.path])
        try #require(again == 0, "\(againLog)")
        let after = Self.runFiles(interrupted)
        for (file, bytes) in kept { #expect(after[file] == bytes, "\(file) changed on resume") }
        #expect(after.count == total)
        #expect(Self.temporaries(interrupted).isEmpty, "left after resume: \(Self.temporaries(interrupted))")
        #expect(try Self.summary(interrupted) == referenceSummary)
    }
}
