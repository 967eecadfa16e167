import Foundation
import Testing
import TestSupport
@testable import Experiments

/// Results that cannot be written: stopped before any work, or as soon as a run's record
/// fails to save, with one sentence naming the path; never a partial file.
@Suite struct StorageFaultTests {
    @Test func resultsFolderThatIsAFileStopsBeforeAnyRun() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let file = scratch.url.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: file)
        let toy = Toy()
        let opts = try ExperimentOptions.parse(["--profile", "quick", "--results", file.path, "--quiet"])
        let harness = try Harness(toy, options: opts)
        #expect(throws: StorageError(path: file.path, reason: "it is a file, not a folder")) {
            try harness.run(runOptions(["--jobs", "2"]))
        }
        #expect(toy.counter.value == 0, "no run may start before the folder is known to be writable")
        let message = StorageError(path: file.path, reason: "it is a file, not a folder").description
        #expect(!message.contains("\n") && message.contains(file.path) && message.contains("--results"))
    }

    /// The first run's record cannot be renamed into place (a folder is in the way): the
    /// invocation stops starting runs, says which result was lost, and leaves no temporary file.
    @Test func aRecordThatCannotBeSavedStopsTheInvocation() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let toy = Toy()
        let harness = try Harness(toy, options: try options(scratch))
        let blocked = harness.resultFile(0)
        try FileManager.default.createDirectory(at: blocked.appendingPathComponent("in-the-way"),
                                                withIntermediateDirectories: true)
        do {
            try harness.run(runOptions(["--jobs", "1"]))
            Issue.record("the run should have failed")
        } catch let error as HarnessError {
            guard case let .resultsNotWritten(keys, notStarted, text) = error else {
                Issue.record("unexpected \(error)"); return
            }
            #expect(keys == [harness.runs[0].key] && notStarted == harness.runs.count - 1)
            #expect(text.contains(blocked.path) && text.contains("cannot rename into place"))
            #expect(!error.description.contains("\n"))
        }
        #expect(toy.counter.value == 1, "runs after the lost one must not start")
        #expect(!scratch.files().contains { $0.hasSuffix(".tmp") }, "\(scratch.files())")
        // Once the obstacle is gone, a rerun computes everything and nothing is lost.
        try FileManager.default.removeItem(at: blocked)
        let again = try harness.run(runOptions(["--jobs", "2"]))
        #expect(again.executed.count == harness.runs.count)
    }

    /// A full disk (a 64 KiB tmpfs): the atomic write fails with the system's reason and
    /// leaves neither the destination nor a temporary file.
    @Test(.requires(.root("mounts a tiny tmpfs to fill it")))
    func outOfSpaceLeavesNoPartialFile() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let disk = scratch.url.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        let (status, output) = try shell("mount -t tmpfs -o size=64k tmpfs '\(disk.path)'")
        try #require(status == 0, "mount failed: \(output)")
        defer { _ = try? shell("umount '\(disk.path)'") }
        let target = disk.appendingPathComponent("runs/big.json")
        #expect(throws: StorageError.self) { try writeAtomically(Data(count: 1 << 20), to: target) }
        do { try writeAtomically(Data(count: 1 << 20), to: target) } catch let e as StorageError {
            #expect(e.reason.contains("No space left on device"), "\(e)")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: disk.appendingPathComponent("runs").path)
        #expect(left.isEmpty, "left behind: \(left)")
        // A small file still fits: the failed writes freed their space.
        try writeAtomically(Data("ok".utf8), to: target)
        #expect(try Data(contentsOf: target) == Data("ok".utf8))
    }

    /// The result executables, as a user runs them: one line on standard error, exit status 1.
    @Test func executableWithUnwritableResultsSaysSoInOneLine() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let file = scratch.url.appendingPathComponent("results-file")
        try Data().write(to: file)
        for result in ["displacement", "convergence"] {
            let (status, output) = try Executables.run(result, ["run", "--profile", "quick", "--results", file.path])
            #expect(status == 1, "\(result): status \(status)")
            let lines = output.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("cannot write \(file.path): it is a file, not a folder"),
                    "\(result): \(output)")
        }
    }
}

/// Runs `command` with /bin/sh; its status and combined output.
func shell(_ command: String) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    let pipe = Pipe()
    p.standardOutput = pipe; p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
