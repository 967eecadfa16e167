import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Downloads files with the `curl` command-line tool (present on every Debian-like system),
/// bounded by timeouts, with a progress line on standard error.
public struct Downloader: Sendable {
    /// Seconds allowed to establish the connection.
    public var connectTimeout: Int
    /// A transfer slower than 1 KB/s for this many seconds is abandoned.
    public var stallTimeout: Int
    /// Hard limit on one transfer, in seconds.
    public var maxTime: Int
    /// Whether to print progress on standard error.
    public var showProgress: Bool

    public init(connectTimeout: Int = 30, stallTimeout: Int = 60, maxTime: Int = 3600,
                showProgress: Bool = true) {
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.maxTime = maxTime
        self.showProgress = showProgress
    }

    /// The path of `curl` on `PATH`, or nil.
    public static func curlPath() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/curl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Downloads `url` to `destination` (overwritten). Throws `DatasetError.curlMissing` or
    /// `.downloadFailed` (HTTP errors, timeouts, unreachable hosts); a failed transfer leaves
    /// whatever partial bytes it got in `destination` for the caller to delete.
    public func download(_ url: String, to destination: URL, label: String? = nil) throws {
        guard let curl = Downloader.curlPath() else { throw DatasetError.curlMissing(url: url) }
        let headers = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).headers")
        defer { FileOps.remove(headers) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: curl)
        process.arguments = [
            "--fail", "--location", "--silent", "--show-error",
            "--connect-timeout", String(connectTimeout),
            "--speed-limit", "1024", "--speed-time", String(stallTimeout),
            "--max-time", String(maxTime),
            "--retry", "2",
            "--dump-header", headers.path,
            "--output", destination.path,
            url,
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw DatasetError.downloadFailed(url: url, detail: "cannot start curl: \(error.localizedDescription)")
        }
        let name = label ?? destination.lastPathComponent
        let start = Date()
        let tty = isatty(2) != 0
        var lastLine = tty ? Date.distantPast : start  // without a terminal: a line every 10 s
        while process.isRunning {
            Thread.sleep(forTimeInterval: 0.2)
            guard showProgress else { continue }
            let now = Date()
            if now.timeIntervalSince(lastLine) >= (tty ? 0.25 : 10) {
                lastLine = now
                let line = progressLine(name, bytes: FileOps.size(destination) ?? 0,
                                        total: contentLength(headers), seconds: now.timeIntervalSince(start))
                writeStderr(tty ? "\r\(line)\u{1b}[K" : line + "\n")
            }
        }
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let seconds = Date().timeIntervalSince(start)
        if showProgress {
            let line = progressLine(name, bytes: FileOps.size(destination) ?? 0,
                                    total: contentLength(headers), seconds: seconds)
            writeStderr((tty ? "\r" : "") + line + (tty ? "\u{1b}[K\n" : "\n"))
        }
        guard process.terminationStatus == 0 else {
            let status = process.terminationStatus
            let reason: String
            switch status {
            case 6, 7: reason = "cannot reach the server"
            case 22: reason = "the server answered with an HTTP error"
            case 28: reason = "timed out"
            default: reason = "curl exited with status \(status)"
            }
            throw DatasetError.downloadFailed(url: url, detail: message.isEmpty ? reason : "\(reason): \(message)")
        }
    }

    /// The last Content-Length in the dumped headers (after redirects), if any.
    private func contentLength(_ headers: URL) -> Int? {
        guard let data = FileManager.default.contents(atPath: headers.path) else { return nil }
        var result: Int?
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                result = Int(parts[1].trimmingCharacters(in: .whitespaces))
            }
        }
        return result
    }
}

/// "name: 3.2 MB / 9.9 MB (1.5 MB/s)".
func progressLine(_ name: String, bytes: Int, total: Int?, seconds: Double) -> String {
    let rate = seconds > 0 ? Double(bytes) / seconds : 0
    let amount = total.map { "\(byteCount(bytes)) / \(byteCount($0))" } ?? byteCount(bytes)
    return "\(name): \(amount) (\(byteCount(Int(rate)))/s)"
}

/// "512 B", "28.9 kB", "9.9 MB".
func byteCount(_ n: Int) -> String {
    if n < 1000 { return "\(n) B" }
    if n < 1_000_000 { return String(format: "%.1f kB", Double(n) / 1000) }
    return String(format: "%.1f MB", Double(n) / 1_000_000)
}

/// Writes `text` to standard error unbuffered.
func writeStderr(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
