import Foundation
import TimelineFuzz

#if canImport(Glibc)
import Glibc
#endif

/// Why a raw socket operation failed.
public struct RawConnectionError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A blocking Unix-socket connection that speaks bytes, not JSON: for tests
/// that send what no well-behaved client would (broken JSON, NUL bytes,
/// oversized lines), that pipeline hundreds of requests in one write, or
/// that never read at all.
///
/// Thread rule: `send` and the read calls may run on two different threads at
/// once (one writer, one reader); neither may run concurrently with itself.
///
/// ```swift
/// let raw = try RawConnection(path: daemon.socketPath)
/// try raw.send("{\"id\":1,\"op\":\"ping\"}\n")
/// let reply = try raw.readLine()
/// ```
public final class RawConnection: @unchecked Sendable {
    /// The socket descriptor.
    public let fd: Int32
    private var buffer = LineBuffer()
    private var sawEOF = false
    /// The connection ended with a reset (ECONNRESET) rather than a clean end of input.
    public private(set) var sawReset = false
    private var chunk = [UInt8](repeating: 0, count: 65536)

    /// Connects to the Unix socket at `path`; `receiveBufferBytes` shrinks the
    /// kernel's receive buffer (a reader that never reads then fills up sooner).
    public init(path: String, receiveBufferBytes: Int32? = nil) throws {
        do {
            fd = try UnixSocket.connect(path: path, receiveBufferBytes: receiveBufferBytes)
        } catch {
            throw RawConnectionError(error.description)
        }
    }

    deinit { close(fd) }

    // MARK: - Writing

    /// Writes all of `bytes`, blocking until the kernel took them.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw RawConnectionError("send failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Writes as much of `bytes` as the peer takes within `timeout` seconds and
    /// returns how many bytes that was (all of them unless the peer stopped reading).
    public func send(_ bytes: [UInt8], timeout: Double) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        var offset = 0
        while offset < bytes.count {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { break }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pfd, 1, Int32(remaining * 1000) + 1)
            if ready < 0 && errno != EINTR { throw RawConnectionError("poll failed: \(String(cString: strerror(errno)))") }
            if ready <= 0 { continue }
            let n = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw RawConnectionError("send failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        return offset
    }

    /// Writes the UTF-8 bytes of `text`.
    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Closes the write side (the daemon sees end of input).
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    // MARK: - Reading

    /// The next line without its `\n`; `nil` when the daemon closed the connection.
    /// - Throws: when nothing arrives within `timeout` seconds.
    public func readLine(timeout: Double = 15) throws -> [UInt8]? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let line = buffer.nextLine() { return line }
            if sawEOF { return nil }
            try fill(until: deadline)
        }
    }

    /// The next line as text; `nil` at end of input.
    public func readLineText(timeout: Double = 15) throws -> String? {
        try readLine(timeout: timeout).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `count` lines; throws if the connection closes or stalls first.
    public func readLines(_ count: Int, timeout: Double = 30) throws -> [[UInt8]] {
        let deadline = Date().addingTimeInterval(timeout)
        var lines: [[UInt8]] = []
        while lines.count < count {
            guard let line = try readLine(timeout: max(0.01, deadline.timeIntervalSinceNow)) else {
                throw RawConnectionError("the connection closed after \(lines.count) of \(count) lines")
            }
            lines.append(line)
        }
        return lines
    }

    /// Waits until the daemon has sent something (without reading it); `false` on timeout.
    public func waitUntilReadable(timeout: Double = 15) -> Bool {
        if !buffer.isEmpty { return true }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, Int32(timeout * 1000)) > 0
    }

    /// Reads and discards until the daemon closes; `true` if it closed within `timeout`.
    public func waitForClose(timeout: Double = 15) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !sawEOF {
            buffer.removeAll()
            do { try fill(until: deadline) } catch { return sawEOF }
        }
        return true
    }

    /// Reads once (waiting at most until `deadline`) into the buffer.
    private func fill(until deadline: Date) throws {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let remaining = deadline.timeIntervalSinceNow
        guard remaining > 0 else { throw RawConnectionError("timed out waiting for the daemon") }
        let ready = poll(&pfd, 1, Int32(min(remaining, 3600) * 1000) + 1)
        if ready < 0 {
            if errno == EINTR { return }
            throw RawConnectionError("poll failed: \(String(cString: strerror(errno)))")
        }
        if ready == 0 { throw RawConnectionError("timed out waiting for the daemon") }
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        if n < 0 {
            if errno == EINTR || errno == EAGAIN { return }
            if errno == ECONNRESET { sawEOF = true; sawReset = true; return }
            throw RawConnectionError("recv failed: \(String(cString: strerror(errno)))")
        }
        if n == 0 { sawEOF = true; return }
        buffer.append(chunk[..<n])
    }
}
