import Foundation

/// What a run is handed besides its description: progress reporting, divergence checks and
/// a cache of intermediate results shared between runs.
public struct RunContext: Sendable {
    let reporter: ProgressReporter?
    let slot: Int
    let cache: ResultCache?
    /// The run's fingerprint (`Harness.fingerprint`): a cached value is reused only by runs that carry the same.
    let fingerprint: String
    /// The algorithm the run follows (`--algorithm`).
    public let algorithm: Algorithm

    /// A context that reports nowhere and caches nothing (for calling `execute` directly).
    public static let silent = RunContext(reporter: nil, slot: 0, cache: nil, fingerprint: "")

    /// `silent`, for `algorithm`.
    public static func silent(_ algorithm: Algorithm) -> RunContext {
        RunContext(reporter: nil, slot: 0, cache: nil, fingerprint: "", algorithm: algorithm)
    }

    init(reporter: ProgressReporter?, slot: Int, cache: ResultCache?, fingerprint: String,
         algorithm: Algorithm = .corrected) {
        self.reporter = reporter; self.slot = slot; self.cache = cache; self.fingerprint = fingerprint
        self.algorithm = algorithm
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
    /// `<results>/<experiment>/<profile>/cache/<name>.json` while the parameters and the run's
    /// numerics revision are unchanged. `--fresh` recomputes it once per invocation. `compute` must be
    /// deterministic: shards on other machines compute it independently.
    public func cached<T: Codable & Sendable>(_ name: String, as type: T.Type = T.self,
                                             compute: () throws -> T) throws -> T {
        guard let cache else { return try compute() }
        return try cache.value(name, fingerprint: fingerprint, compute: compute)
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
    private let fresh: Bool
    /// Receives the note that a cache file was unreadable and is recomputed.
    private let log: @Sendable (String) -> Void
    private let condition = NSCondition()
    private var values: [String: any Sendable] = [:]
    private var computing: Set<String> = []

    init(folder: URL, fresh: Bool, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.folder = folder; self.fresh = fresh; self.log = log
    }

    /// The value named `name` for runs of `fingerprint`; runs of another fingerprint (another
    /// numerics revision) get their own, and the file keeps the latest.
    func value<T: Codable & Sendable>(_ name: String, fingerprint: String, compute: () throws -> T) throws -> T {
        let slot = name + "\u{0}" + fingerprint
        condition.lock()
        while computing.contains(slot) { condition.wait() }
        if let v = values[slot] {
            condition.unlock()
            guard let typed = v as? T else {
                throw HarnessError.invalidRunKey(name, reason: "cached value requested as another type")
            }
            return typed
        }
        computing.insert(slot)
        condition.unlock()

        var result: T? = nil
        defer {
            condition.lock()
            computing.remove(slot)
            if let result { values[slot] = result }
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
