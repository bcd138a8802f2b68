#if canImport(Glibc)
import Glibc
#endif

/// Why the fuzzer could not open or use a connection.
public struct FuzzSocketError: Error, Sendable, CustomStringConvertible {
    /// The `errno` of the failed call (0 when the failure was not a system call's).
    public var errno: Int32
    public var message: String
    public var description: String { message }

    init(_ message: String, errno: Int32 = 0) {
        self.message = message
        self.errno = errno
    }

    /// `true` when nothing listens on the socket (the daemon is gone or not started).
    public var isRefused: Bool { errno == ECONNREFUSED || errno == ENOENT }
}

/// A blocking Unix stream connection that speaks bytes and lines.
///
/// Sending also drains what the daemon writes meanwhile into the read buffer,
/// so a large pipelined write can never deadlock against a daemon that has
/// paused reading until its replies are read.
///
/// Thread rule: one thread uses an instance at a time.
final class FuzzSocket {
    let fd: Int32
    private var buffer = LineBuffer()
    private var sawEOF = false
    private var chunk = [UInt8](repeating: 0, count: 65536)

    /// The outcome of a write.
    enum SendOutcome: Equatable {
        case sent
        /// The daemon closed the connection (EPIPE/ECONNRESET) before taking every byte.
        case peerClosed
        case timedOut
    }

    /// The outcome of waiting for a line.
    enum ReadOutcome {
        case line([UInt8])
        /// The daemon closed after bytes that do not end in `\n` (a torn reply).
        case unterminated([UInt8])
        case closed
        case timedOut
    }

    /// Connects to the Unix socket at `path`.
    init(path: String) throws(FuzzSocketError) {
        fd = try UnixSocket.connect(path: path)
    }

    deinit { close(fd) }

    // MARK: - Writing

    /// Writes all of `bytes` before `deadline` (monotonic seconds), reading
    /// whatever the daemon sends meanwhile.
    func send(_ bytes: [UInt8], deadline: Double) -> SendOutcome {
        var offset = 0
        while offset < bytes.count {
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 { return .timedOut }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT | POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(min(remaining, 3600) * 1000) + 1)
            if ready < 0 {
                if errno == EINTR { continue }
                return .peerClosed
            }
            if ready == 0 { continue }
            if pfd.revents & Int16(POLLIN) != 0 && !sawEOF {
                receiveOnce()
            }
            if pfd.revents & Int16(POLLOUT | POLLERR | POLLHUP) == 0 { continue }
            let n = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return Glibc.send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .peerClosed
            }
            offset += n
        }
        return .sent
    }

    /// Closes the write side; the daemon sees end of input.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    // MARK: - Reading

    /// The next line without its `\n`, `.closed` at end of input, or
    /// `.timedOut` when nothing completes a line before `deadline`.
    func readLine(deadline: Double) -> ReadOutcome {
        while true {
            if let line = buffer.nextLine() { return .line(line) }
            if sawEOF { return buffer.isEmpty ? .closed : .unterminated(buffer.takeRest()) }
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 { return .timedOut }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(min(remaining, 3600) * 1000) + 1)
            if ready < 0 && errno != EINTR { sawEOF = true }
            if ready > 0 { receiveOnce() }
        }
    }

    private func receiveOnce() {
        let n = chunk.withUnsafeMutableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            return recv(fd, base, raw.count, Int32(MSG_DONTWAIT))
        }
        if n < 0 {
            if errno == EINTR || errno == EAGAIN { return }
            sawEOF = true  // ECONNRESET and the like: nothing more will come
            return
        }
        if n == 0 {
            sawEOF = true
            return
        }
        buffer.append(chunk[..<n])
    }
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// A connected Unix stream socket, as a plain descriptor: shared by the fuzzer
/// and the tests' raw connections.
public enum UnixSocket {
    /// Connects to `path` and returns the descriptor (the caller closes it);
    /// `receiveBufferBytes` shrinks the kernel's receive buffer first.
    public static func connect(path: String, receiveBufferBytes: Int32? = nil) throws(FuzzSocketError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FuzzSocketError("socket() failed: \(String(cString: strerror(Glibc.errno)))", errno: Glibc.errno) }
        if var size = receiveBufferBytes {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw FuzzSocketError("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = Glibc.errno
            close(fd)
            throw FuzzSocketError("connect(\(path)) failed: \(String(cString: strerror(code)))", errno: code)
        }
        return fd
    }
}
