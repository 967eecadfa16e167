import Foundation

/// What a run is handed besides its description: progress reporting, divergence checks and
/// a cache of intermediate results shared between runs.
public struct RunContext: Sendable {
    let reporter: ProgressReporter?
    let slot: Int
    let cache: ResultCache?
    /// The algorithm the run follows (`--algorithm`).
    public let algorithm: Algorithm

    /// A context that reports nowhere and caches nothing (for calling `execute` directly).
    public static let silent = RunContext(reporter: nil, slot: 0, cache: nil)

    /// `silent`, for `algorithm`.
    public static func silent(_ algorithm: Algorithm) -> RunContext {
        RunContext(reporter: nil, slot: 0, cache: nil, algorithm: algorithm)
    }

    init(reporter: ProgressReporter?, slot: Int, cache: ResultCache?, algorithm: Algorithm = .corrected) {
        self.reporter = reporter; self.slot = slot; self.cache = cache; self.algorithm = algorithm
    }

    /// Reports a position, shown as "epoch 12/40" and counted in the ETA.
    public func report(_ label: String, _ index: Int, of count: Int) {
        reporter?.update(slot: slot, text: "\(label) \(index)/\(count)",
                         fraction: count > 0 ? Double(index) / Double(count) : nil)
    }

    /// Shows free text next to the run's key (does not change the ETA).
    public func note(_ text: String) {
        reporter?.update(slot: slot, text: text, fraction: nil)
    }

    /// Prints a message line (dropped under `--quiet`).
    public func log(_ message: String) { reporter?.log(message) }

    /// Throws `RunDiverged` when `value` is NaN or infinite, carrying `partial` as the
    /// diverged run's payload.
    public func checkFinite(_ value: Double, epoch: Int, step: Int? = nil, what: String = "loss",
                            partial: (any Sendable)? = nil) throws {
        guard value.isFinite else {
            throw RunDiverged(epoch: epoch, step: step, detail: "\(what) = \(value)", partial: partial)
        }
    }

    /// A value several runs start from (a baseline trained to epoch 15, a meta-trained
    /// optimiser), computed once and reused: by every run of this invocation (concurrent
    /// callers wait for the first), and by later invocations through
    /// `<results>/<experiment>/<profile>/cache/<name>.json` while the parameters are
    /// unchanged. `--fresh` recomputes it once per invocation. `compute` must be
    /// deterministic: shards on other machines compute it independently.
    public func cached<T: Codable & Sendable>(_ name: String, as type: T.Type = T.self,
                                             compute: () throws -> T) throws -> T {
        guard let cache else { return try compute() }
        return try cache.value(name, compute: compute)
    }
}

/// The cache behind `RunContext.cached`: single-flight in memory, JSON files on disk.
final class ResultCache: @unchecked Sendable {
    private struct Entry<T: Codable>: Codable {
        var name: String
        var paramsFingerprint: String
        var value: T
    }

    private let folder: URL
    private let fingerprint: String
    private let fresh: Bool
    /// Receives the note that a cache file was unreadable and is recomputed.
    private let log: @Sendable (String) -> Void
    private let condition = NSCondition()
    private var values: [String: any Sendable] = [:]
    private var computing: Set<String> = []

    init(folder: URL, fingerprint: String, fresh: Bool, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.folder = folder; self.fingerprint = fingerprint; self.fresh = fresh; self.log = log
    }

    func value<T: Codable & Sendable>(_ name: String, compute: () throws -> T) throws -> T {
        condition.lock()
        while computing.contains(name) { condition.wait() }
        if let v = values[name] {
            condition.unlock()
            guard let typed = v as? T else {
                throw HarnessError.invalidRunKey(name, reason: "cached value requested as another type")
            }
            return typed
        }
        computing.insert(name)
        condition.unlock()

        var result: T? = nil
        defer {
            condition.lock()
            computing.remove(name)
            if let result { values[name] = result }
            condition.broadcast()
            condition.unlock()
        }
        let file = folder.appendingPathComponent(try safeRelativePath(forKey: name) + ".json")
        // Rule: an unreadable cache file (corrupt, truncated, another type) is recomputed, and said so.
        var entry: Entry<T>?
        if !fresh, FileManager.default.fileExists(atPath: file.path) {
            entry = try? JSON.decode(Entry<T>.self, from: file)
            if entry == nil { log("\(file.path) is unreadable (corrupt or truncated); recomputing it") }
        }
        if let entry, entry.name == name, entry.paramsFingerprint == fingerprint {
            result = entry.value
        } else {
            let value = try compute()
            try writeAtomically(JSON.encode(Entry(name: name, paramsFingerprint: fingerprint, value: value)),
                                to: file)
            result = value
        }
        return result!
    }
}
