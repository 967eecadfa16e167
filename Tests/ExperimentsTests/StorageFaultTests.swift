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

/// Damaged state files are recomputed by rule, and the user is told which.
@Suite struct CorruptStateTests {
    @Test func unreadableCacheFileIsRecomputedAndNamed() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let notes = Locked([String]())
        let folder = scratch.url.appendingPathComponent("cache")
        let cache = ResultCache(folder: folder, fresh: false, log: { m in notes.withLock { $0.append(m) } })
        #expect(try cache.value("baseline-mnist", fingerprint: "f") { [1.0, 2.0] } == [1.0, 2.0])
        let file = folder.appendingPathComponent("baseline-mnist.json")
        let whole = try Data(contentsOf: file)
        try whole.prefix(whole.count / 2).write(to: file)       // truncated
        let computed = Counter()
        let again = ResultCache(folder: folder, fresh: false, log: { m in notes.withLock { $0.append(m) } })
        #expect(try again.value("baseline-mnist", fingerprint: "f") { computed.increment(); return [1.0, 2.0] } == [1.0, 2.0])
        #expect(computed.value == 1)
        #expect(notes.withLock { $0 } == ["\(file.path) is unreadable (corrupt or truncated); recomputing it"])
        // Rewritten whole: a third reader takes it without computing.
        let third = ResultCache(folder: folder, fresh: false)
        #expect(try third.value("baseline-mnist", fingerprint: "f") { () -> [Double] in computed.increment(); return [] } == [1.0, 2.0])
        #expect(computed.value == 1)
        // Runs of another numerics revision (another fingerprint) do not take it.
        #expect(try third.value("baseline-mnist", fingerprint: "g") { () -> [Double] in computed.increment(); return [3.0] } == [3.0])
        #expect(computed.value == 2)
    }
}

/// Errors reach the user as one sentence, never as a raw Foundation dump.
@Suite struct HumanErrorTests {
    @Test func foundationFileErrorsBecomePathAndReason() {
        let missing = CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: "/x/runs/a.json"])
        #expect(humanDescription(missing) == "/x/runs/a.json: no such file or folder")
        let posix = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileWriteUnknown.rawValue, userInfo: [
            NSFilePathErrorKey: "/x/y", NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
        #expect(humanDescription(posix) == "/x/y: No space left on device")
        do { _ = try JSONDecoder().decode([String: Int].self, from: Data("{\"a\": ".utf8)) } catch {
            #expect(humanDescription(error).hasPrefix("the file is not valid JSON or is truncated"))
        }
        for e in [missing as Error, posix] { #expect(!humanDescription(e).contains("Error Domain")) }
    }

    @Test func aFailedRunRecordsASentence() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let harness = try Harness(Toy(failingSeed: 1), options: try options(scratch, ["--datasets", "alpha"]))
        try harness.run(runOptions(["--jobs", "1"]))
        let message = try #require(harness.record(1)?.message)
        #expect(message == "no such file or folder" && !message.contains("Domain"), "\(message)")
    }
}

/// Bad command lines and environments, run as a user runs them: each gives its exit status
/// and a first line naming the problem (runtime problems: exactly one line), before any work.
@Suite(.requires(.imageData)) struct BadInputTests {
    struct Case: CustomStringConvertible {
        var name: String
        var program = "correlation"
        var arguments: [String]
        var environment: [String: String] = [:]
        var status: Int32
        var firstLine: String
        var oneLine = false
        var description: String { name }
    }

    static func cases(_ scratch: Scratch) throws -> [Case] {
        // A data folder with MNIST whose test labels are damaged (one byte), the rest linked.
        let data = scratch.url.appendingPathComponent("data")
        let fm = FileManager.default
        for name in ["mnist", "fashion-mnist", "cifar-10-jpeg"] {
            let from = TestPaths.datasetsFolder.appendingPathComponent(name)
            let to = data.appendingPathComponent(name)
            try fm.createDirectory(at: to, withIntermediateDirectories: true)
            for file in try fm.contentsOfDirectory(atPath: from.path) where !file.hasPrefix(".") {
                try fm.createSymbolicLink(at: to.appendingPathComponent(file), withDestinationURL: from.appendingPathComponent(file))
            }
        }
        let labels = data.appendingPathComponent("mnist/t10k-labels-idx1-ubyte.gz")
        var bytes = try Data(contentsOf: labels.resolvingSymlinksInPath())
        try fm.removeItem(at: labels)
        bytes[bytes.count - 20] ^= 0x55
        try bytes.write(to: labels)
        let file = scratch.url.appendingPathComponent("a-file")
        try Data().write(to: file)
        let results = scratch.url.appendingPathComponent("results").path
        let empty = scratch.url.appendingPathComponent("empty").path
        return [
            Case(name: "unknown flag", arguments: ["run", "--bogus"], status: 64,
                 firstLine: "Error: Unknown option '--bogus'"),
            Case(name: "unknown profile", arguments: ["run", "--profile", "huge"], status: 64,
                 firstLine: "Error: The value 'huge' is invalid for '--profile <profile>': unknown profile 'huge'"),
            Case(name: "bad shard", arguments: ["run", "--shard", "3/2"], status: 64,
                 firstLine: "Error: The value '3/2' is invalid for '--shard <i/n>': invalid shard '3/2'"),
            Case(name: "bad jobs", arguments: ["run", "--jobs", "0"], status: 64,
                 firstLine: "Error: invalid --jobs 0: expected a positive number of parallel runs"),
            Case(name: "unknown dataset", arguments: ["run", "--datasets", "mnist2", "--results", results], status: 1,
                 firstLine: "Error: unknown dataset 'mnist2'; valid datasets: mnist, fashion-mnist, cifar-10, cifar-10-jpeg",
                 oneLine: true),
            Case(name: "missing data", arguments: ["run", "--profile", "quick", "--results", results],
                 environment: ["TELEPORT_DATA_DIR": empty], status: 1,
                 firstLine: "Error: dataset 'mnist' not found at \(empty)/mnist/train-images-idx3-ubyte.gz; fetch it with",
                 oneLine: true),
            Case(name: "missing optional data asked for", arguments: ["run", "--profile", "quick", "--results", results,
                                                                    "--datasets", "cifar-10-jpeg"],
                 environment: ["TELEPORT_DATA_DIR": empty], status: 1,
                 firstLine: "Error: dataset 'cifar-10-jpeg' not found at \(empty)/cifar-10-jpeg/", oneLine: true),
            Case(name: "damaged data", arguments: ["run", "--profile", "quick", "--results", results],
                 environment: ["TELEPORT_DATA_DIR": data.path], status: 1,
                 firstLine: "Error: \(labels.path): corrupt gzip data", oneLine: true),
            Case(name: "unwritable results", arguments: ["run", "--profile", "quick", "--results", file.path], status: 1,
                 firstLine: "Error: cannot write \(file.path): it is a file, not a folder", oneLine: true),
            Case(name: "unwritable results, verbose", arguments: ["run", "--profile", "quick", "--results",
                                                                  file.path + "/sub", "--verbose"], status: 1,
                 firstLine: "Error: cannot write \(file.path): it is a file, not a folder"),
            Case(name: "--set without a value", arguments: ["run", "--set", "epochs"], status: 64,
                 firstLine: "Error: The value 'epochs' is invalid for '--set <name=value>': invalid --set epochs: expected name=value"),
            Case(name: "--set of an unknown parameter", arguments: ["run", "--set", "epoch=5", "--results", results], status: 1,
                 firstLine: "Error: invalid --set epoch=5: no parameter 'epoch' in this experiment; valid names: models, epochs,",
                 oneLine: true),
            Case(name: "--set of a wrong type", arguments: ["run", "--set", "epochs=five", "--results", results], status: 1,
                 firstLine: "Error: invalid --set epochs=five: 'epochs' takes a non-negative integer, not 'five'", oneLine: true),
            Case(name: "--set of a zero count", arguments: ["run", "--set", "models=0", "--results", results], status: 1,
                 firstLine: "Error: invalid --set models=0: 'models' must be at least 1 (is 0)", oneLine: true),
            Case(name: "--set of inconsistent epochs", program: "generalization",
                 arguments: ["run", "--profile", "quick", "--set", "startEpoch=30", "--results", results], status: 1,
                 firstLine: "Error: invalid --set startEpoch=30: the epochs must satisfy startEpoch < teleportEpoch", oneLine: true),
            Case(name: "--set of an unknown optimizer", program: "optimizers",
                 arguments: ["run", "--set", "optimizers=adam,lion", "--results", results], status: 1,
                 firstLine: "Error: invalid --set optimizers=adam,lion: unknown optimizer 'lion'", oneLine: true),
            Case(name: "unknown algorithm", arguments: ["run", "--algorithm", "pytorch"], status: 64,
                 firstLine: "Error: The value 'pytorch' is invalid for '--algorithm <algorithm>'"),
            Case(name: "published algorithm not implemented", program: "convergence",
                 arguments: ["run", "--algorithm", "published", "--results", results], status: 1,
                 firstLine: "Error: --algorithm published is not implemented for convergence yet", oneLine: true),
            Case(name: "unwritable merge", arguments: ["merge", "--profile", "quick", "--results", file.path], status: 1,
                 firstLine: "Error: cannot write \(file.path): it is a file, not a folder", oneLine: true),
        ]
    }

    @Test func eachBadInputFailsWithItsMessage() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        for c in try Self.cases(scratch) {
            let start = Date()
            let (status, output) = try Executables.run(c.program, c.arguments, environment: c.environment)
            let lines = output.split(separator: "\n", omittingEmptySubsequences: true)
            #expect(status == c.status, "\(c): status \(status)\n\(output)")
            #expect(lines.first.map { $0.hasPrefix(c.firstLine) } == true, "\(c): \(output)")
            if c.oneLine { #expect(lines.count == 1, "\(c): more than one line:\n\(output)") }
            if c.arguments.contains("--verbose") {
                #expect(lines.count == 2 && lines[1].hasPrefix("underlying error: "), "\(c): \(output)")
            }
            #expect(!output.contains("Error Domain"), "\(c): \(output)")
            #expect(Date().timeIntervalSince(start) < 30, "\(c): took long enough to have done work")
        }
        // Nothing was computed into the results folder.
        let runs = scratch.url.appendingPathComponent("results/correlation/quick/runs")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).filter { !$0.hasPrefix(".") }.isEmpty)
    }
}

/// Temporary files of a killed writer on this host are removed at once; those of a live
/// process (or another host's, while young) are left alone.
@Suite struct TemporaryFileTests {
    @Test func deadWritersTemporariesAreRemovedAtOnce() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let runs = scratch.url.appendingPathComponent("runs")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        let host = TemporaryFiles.host
        let dead = runs.appendingPathComponent(".seed-000.json.\(host).2147483000.\(UUID().uuidString).tmp")
        let alive = runs.appendingPathComponent(".seed-001.json.\(host).\(getpid()).\(UUID().uuidString).tmp")
        let elsewhere = runs.appendingPathComponent(".seed-002.json.other-host.12.\(UUID().uuidString).tmp")
        for f in [dead, alive, elsewhere] { try Data("x".utf8).write(to: f) }
        #expect(removeStaleTemporaries(in: scratch.url) == 1)
        #expect(!FileManager.default.fileExists(atPath: dead.path))
        #expect(FileManager.default.fileExists(atPath: alive.path) && FileManager.default.fileExists(atPath: elsewhere.path))
        #expect(TemporaryFiles.name(for: "a.json").hasPrefix(".a.json.\(host).\(getpid())."))
    }
}
