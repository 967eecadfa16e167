import Datasets
import Foundation

/// Errors the harness reports to the user. Each message says what is wrong and what to do.
public enum HarnessError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// `--profile` named a profile that does not exist.
    case unknownProfile(String, valid: [String])
    /// `--shard` was not of the form i/n with 0 <= i < n.
    case invalidShard(String)
    /// `--datasets` named a dataset the experiment does not use.
    case unknownDataset(String, valid: [String])
    /// A dataset the experiment needs is not on disk.
    case missingData(dataset: String, path: String)
    /// The experiment declared two runs with the same key, or an unusable key.
    case invalidRunKey(String, reason: String)
    /// `--jobs` was not a positive number.
    case invalidJobs(Int)
    /// Some runs failed (their result files record why).
    case runsFailed([String])
    /// `merge --require-complete` found runs without a result or failed.
    case incomplete(missing: [String], failed: [String])
    /// Finished runs whose result files could not be written (`error` says why); the
    /// invocation stopped starting runs after the first.
    case resultsNotWritten(keys: [String], notStarted: Int, error: String)
    /// A `--set name=value` that names no parameter, has a value of the wrong type, or gives
    /// parameters the experiment cannot run with.
    case invalidOverride(String, reason: String)
    /// `--algorithm published` on an experiment whose published algorithm is not implemented.
    case publishedNotImplemented(String)

    public var description: String {
        switch self {
        case .unknownProfile(let name, let valid):
            return "unknown profile '\(name)'; valid profiles: \(valid.joined(separator: ", "))"
        case .invalidShard(let text):
            return "invalid shard '\(text)': expected i/n with integers 0 <= i < n (for example 0/4)"
        case .unknownDataset(let name, let valid):
            return valid.isEmpty
                ? "unknown dataset '\(name)': this experiment uses no datasets"
                : "unknown dataset '\(name)'; valid datasets: \(valid.joined(separator: ", "))"
        case .missingData(let dataset, let path):
            return "dataset '\(dataset)' not found at \(path); fetch it with "
                + "`.build/release/datasets fetch \(dataset)` (or `make datasets`)"
        case .invalidRunKey(let key, let reason):
            return "invalid run key '\(key)': \(reason)"
        case .invalidJobs(let n):
            return "invalid --jobs \(n): expected a positive number of parallel runs"
        case .runsFailed(let keys):
            let shown = keys.prefix(5).joined(separator: ", ")
            return "\(keys.count) run(s) failed: \(shown)\(keys.count > 5 ? ", ..." : "")"
                + "; their result files record the error, a rerun retries them"
        case .incomplete(let missing, let failed):
            let keys = missing + failed
            let shown = keys.prefix(5).joined(separator: ", ")
            return "incomplete summary: \(missing.count) run(s) missing, \(failed.count) failed "
                + "(\(shown)\(keys.count > 5 ? ", ..." : "")); run the missing shards or rerun `run`, then merge again"
        case .resultsNotWritten(let keys, let notStarted, let error):
            let shown = keys.prefix(3).joined(separator: ", ")
            return "the result of \(keys.count) run(s) (\(shown)\(keys.count > 3 ? ", ..." : "")) could not be saved "
                + "and \(notStarted) run(s) were not started: \(error)"
        case .invalidOverride(let text, let reason):
            return "invalid --set \(text): \(reason)"
        case .publishedNotImplemented(let name):
            return "--algorithm published is not implemented for \(name) yet; run it with --algorithm corrected "
                + "(the default; PROTOCOL.md lists how the two differ)"
        }
    }

    public var errorDescription: String? { description }
}

/// Thrown from inside a run when its loss (or any tracked value) stops being finite.
/// The harness records the run as `diverged` at `epoch`, keeping `partial` (when it is the
/// experiment's result type) as the run's payload; the run is not retried on resume.
public struct RunDiverged: Error, Sendable, CustomStringConvertible {
    /// The epoch (or iteration, for experiments without epochs) where divergence was seen.
    public var epoch: Int
    /// Optional finer position inside the epoch (mini-batch index).
    public var step: Int?
    /// What was observed, e.g. "loss = nan".
    public var detail: String
    /// The result so far (for example the loss curve up to divergence), if the run has one.
    public var partial: (any Sendable)?

    public init(epoch: Int, step: Int? = nil, detail: String, partial: (any Sendable)? = nil) {
        self.epoch = epoch; self.step = step; self.detail = detail; self.partial = partial
    }

    public var description: String {
        "diverged at epoch \(epoch)\(step.map { " step \($0)" } ?? ""): \(detail)"
    }
}

/// Throws `HarnessError.missingData` unless `url` exists: a one-line check for experiments
/// that read a dataset file.
public func requireData(_ url: URL, dataset: String) throws {
    guard FileManager.default.fileExists(atPath: url.path) else {
        throw HarnessError.missingData(dataset: dataset, path: url.path)
    }
}

/// One human sentence for any error: the project's own errors by their descriptions;
/// Foundation's file errors as "<path>: <reason>" (the system's reason when it gave one);
/// anything else by its localized description. Never a raw `Error Domain=...` dump.
public func humanDescription(_ error: Error) -> String {
    switch error {
    case let e as HarnessError: return e.description
    case let e as StorageError: return e.description
    case let e as DatasetError: return e.description
    case let e as RunDiverged: return e.description
    case let e as DecodingError:
        switch e {
        case .dataCorrupted(let c): return "the file is not valid JSON or is truncated (\(c.debugDescription))"
        case .keyNotFound(let key, _): return "the file lacks the field '\(key.stringValue)'"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "the file has an unexpected value (\(c.debugDescription))"
        @unknown default: return "the file could not be decoded"
        }
    default: break
    }
    let ns = error as NSError
    guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else {
        return error.localizedDescription
    }
    let path = ns.userInfo[NSFilePathErrorKey] as? String
        ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    var reason: String
    if ns.domain == NSPOSIXErrorDomain {
        reason = String(cString: strerror(Int32(ns.code)))
    } else if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        reason = String(cString: strerror(Int32(underlying.code)))
    } else {
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: reason = "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: reason = "permission denied"
        case .fileWriteOutOfSpace: reason = "no space left on the device"
        case .fileWriteVolumeReadOnly: reason = "the disk is read-only"
        case .fileReadCorruptFile: reason = "the file is corrupt"
        case .fileWriteFileExists: reason = "a file is in the way"
        default: reason = "file operation failed (code \(ns.code))"
        }
    }
    return path.map { "\($0): \(reason)" } ?? reason
}

/// An error already phrased for the user (see `humanized`).
public struct ReportedError: Error, CustomStringConvertible, LocalizedError {
    public var description: String
    public var errorDescription: String? { description }
}
