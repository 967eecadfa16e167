import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `python3 -m http.server` serving a folder on 127.0.0.1 and a free port, for download tests.
final class LocalHTTPServer {
    let process: Process
    let port: Int
    /// `http://127.0.0.1:PORT/`.
    var base: String { "http://127.0.0.1:\(port)/" }

    /// The real python3 interpreter (shims resolved, so that terminating the process stops the server).
    static let python3: String? = {
        guard let shim = executable("python3"),
              let (status, out) = try? runCommand(shim, ["-c", "import sys; print(sys.executable)"]),
              status == 0 else { return nil }
        let path = out.trimmingCharacters(in: .whitespacesAndNewlines)
        return FileManager.default.isExecutableFile(atPath: path) ? path : shim
    }()

    /// Starts serving `folder`; waits (at most `readyTimeout` seconds) until it accepts connections.
    init(serving folder: URL, readyTimeout: Double = 10) throws {
        guard let python = LocalHTTPServer.python3 else { throw ServerError.noPython }
        port = try LocalHTTPServer.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(readyTimeout)
        while !LocalHTTPServer.accepts(port) {
            if Date() > deadline || !process.isRunning {
                stop()
                throw ServerError.notReady(port)
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Stops the server with SIGKILL: a child started from a test thread inherits that
    /// thread's blocked signals, so SIGTERM may never be delivered.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    enum ServerError: Error { case noPython, notReady(Int), socket }

    private static func loopback(_ port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }

    /// A port the kernel reports free (bound to port 0, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError.socket }
        defer { close(fd) }
        var addr = loopback(0)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ServerError.socket }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard named == 0 else { throw ServerError.socket }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:port.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = loopback(port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc == 0
    }
}
