import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a lock, shareable between threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body(&value)
    }
}

/// Seconds on a monotonic clock.
func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

/// "42s", "3m07s", "2h05m".
public func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s)s" }
    if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
}

/// The progress line on stderr: runs done/total, what the running runs are doing, elapsed
/// time and an estimate of the time left. On a terminal the line is redrawn in place;
/// otherwise a line is printed every `interval` seconds. Safe to call from any thread.
public final class ProgressReporter: @unchecked Sendable {
    private struct State {
        var done = 0
        var doneCost = 0.0
        var active: [Int: (key: String, text: String, fraction: Double, cost: Double)] = [:]
        var lastDraw = -Double.infinity
        var lineShown = false
    }

    private let title: String
    private let total: Int
    private let totalCost: Double
    private let enabled: Bool
    private let isTerminal: Bool
    private let interval: Double
    private let width: Int
    private let start = monotonicSeconds()
    private let write: @Sendable (String) -> Void
    private let state = Locked(State())

    /// - Parameters:
    ///   - enabled: false prints nothing (`--quiet`), except through `log(_:force:)`.
    ///   - totalCost: the summed `cost` of the runs (the ETA's unit of work); `total` by default.
    ///   - isTerminal: redraw in place; defaults to whether stderr is a terminal.
    ///   - write: where text goes; defaults to stderr.
    public init(title: String, total: Int, enabled: Bool = true, isTerminal: Bool? = nil,
                interval: Double? = nil, totalCost: Double? = nil,
                write: (@Sendable (String) -> Void)? = nil) {
        self.title = title
        self.total = total
        self.totalCost = totalCost ?? Double(total)
        self.enabled = enabled
        self.isTerminal = isTerminal ?? (isatty(STDERR_FILENO) != 0)
        self.interval = interval ?? (self.isTerminal ? 0.2 : 5)
        self.width = ProgressReporter.terminalWidth()
        self.write = write ?? { text in FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// A run of relative size `cost` started on worker `slot`.
    func started(slot: Int, key: String, cost: Double = 1) {
        state.withLock { $0.active[slot] = (key, "", 0, cost) }
        draw(force: false)
    }

    /// The run on worker `slot` reports its own progress.
    func update(slot: Int, text: String, fraction: Double?) {
        state.withLock { s in
            guard let a = s.active[slot] else { return }
            s.active[slot] = (a.key, text, fraction.map { min(max($0, 0), 1) } ?? a.fraction, a.cost)
        }
        draw(force: false)
    }

    /// The run on worker `slot` ended.
    func finished(slot: Int) {
        state.withLock { s in
            s.doneCost += s.active[slot]?.cost ?? 1
            s.active[slot] = nil
            s.done += 1
        }
        draw(force: false)
    }

    /// Prints a message on its own line (above the progress line on a terminal). Messages
    /// are dropped when the reporter is disabled unless `force` (errors, warnings).
    public func log(_ message: String, force: Bool = false) {
        guard enabled || force else { return }
        state.withLock { s in
            write((s.lineShown && isTerminal ? "\r\u{1B}[K" : "") + message + "\n")
            s.lineShown = false
            s.lastDraw = -Double.infinity
        }
        draw(force: false)
    }

    /// Prints the final state of the line and ends it.
    public func close() {
        guard enabled, total > 0 else { return }
        draw(force: true)
        state.withLock { s in
            if s.lineShown && isTerminal { write("\n") }
            s.lineShown = false
        }
    }

    /// The current line's text (without control characters).
    public func line() -> String {
        state.withLock { s in render(s) }
    }

    /// Columns of the terminal on stderr (else $COLUMNS, else 100): longer lines would wrap
    /// and defeat the in-place redraw.
    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 100
    }

    /// The share of the work done (0...1): finished runs plus the running runs' reported
    /// fractions, each weighted by its run's cost. The ETA extrapolates it.
    var fractionDone: Double {
        state.withLock { s in totalCost > 0 ? effectiveWork(s) / totalCost : 0 }
    }

    private func effectiveWork(_ s: State) -> Double {
        s.doneCost + s.active.values.reduce(0) { $0 + $1.fraction * $1.cost }
    }

    private func render(_ s: State) -> String {
        let elapsed = monotonicSeconds() - start
        let effective = effectiveWork(s)
        let eta = effective > 0 && totalCost > 0
            ? formatDuration(elapsed * max(totalCost - effective, 0) / effective) : "?"
        let running = s.active.keys.sorted().map { slot -> String in
            let a = s.active[slot]!
            return a.text.isEmpty ? a.key : "\(a.key) \(a.text)"
        }
        var line = "[\(title)] \(s.done)/\(total) runs | \(formatDuration(elapsed)) elapsed"
        if s.done < total { line += ", ETA \(eta)" }
        if !running.isEmpty { line += " | " + running.joined(separator: "; ") }
        return line
    }

    private func draw(force: Bool) {
        guard enabled else { return }
        state.withLock { s in
            let now = monotonicSeconds()
            guard force || now - s.lastDraw >= interval else { return }
            s.lastDraw = now
            var text = render(s)
            if isTerminal {
                if text.count > width - 1 { text = String(text.prefix(max(width - 2, 10))) + "…" }
                write("\r\u{1B}[K" + text)
                s.lineShown = true
            } else {
                write(text + "\n")
            }
        }
    }
}

/// Calls `body(index, worker)` for every index in 0..<count on `jobs` worker threads that
/// take the next index from a shared counter; returns when every call has returned.
/// Each call runs on one thread from start to end (runs are single-threaded and CPU-bound).
public func runInParallel(count: Int, jobs: Int, stackSize: Int = 64 << 20,
                          _ body: @escaping @Sendable (_ index: Int, _ worker: Int) -> Void) {
    let next = Locked(0)
    let group = DispatchGroup()
    let workers = max(1, min(jobs, count))
    for worker in 0..<workers {
        group.enter()
        let thread = Thread {
            while true {
                let index = next.withLock { n -> Int in defer { n += 1 }; return n }
                guard index < count else { break }
                body(index, worker)
            }
            group.leave()
        }
        thread.stackSize = stackSize
        thread.start()
    }
    group.wait()
}
