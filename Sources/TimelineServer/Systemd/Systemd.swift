import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// What systemd hands the daemon (docs/OPERATIONS.md "systemd"): a listening
/// socket (socket activation, `LISTEN_PID`/`LISTEN_FDS`/`LISTEN_FDNAMES`) and a
/// notification socket (`NOTIFY_SOCKET`, for `Type=notify`, with
/// `WATCHDOG_USEC` when the unit sets `WatchdogSec`).
///
/// Read once at start by ``takeFromEnvironment()``, which also removes the
/// variables so no child process mistakes them for its own (as
/// `sd_listen_fds(1)` does). Without systemd both parts are absent and the
/// daemon binds its own socket.
public struct Systemd: Sendable {
    /// The inherited listening socket, when socket-activated.
    public var listeningSocket: Int32?
    /// Where `READY=1`, `STOPPING=1` and watchdog pings go, when run by systemd.
    public var notifier: SystemdNotifier?
    /// How often to ping the watchdog (half of `WATCHDOG_USEC`), when it is on.
    public var watchdogInterval: Duration?

    /// Neither socket activation nor notification (the daemon started by hand).
    public static let none = Systemd(listeningSocket: nil, notifier: nil, watchdogInterval: nil)

    /// The first file descriptor systemd passes (`SD_LISTEN_FDS_START`).
    static let firstPassedDescriptor: Int32 = 3
    /// The socket name looked for among several (`FileDescriptorName=` in the socket unit).
    static let socketName = "timelined"

    /// Reads and clears systemd's variables.
    /// - Throws: `bad_request` when `LISTEN_FDS` names descriptors this process
    ///   cannot use (not a listening Unix stream socket, or several without one named `timelined`).
    public static func takeFromEnvironment() throws(TimelineError) -> Systemd {
        defer { for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { unsetenv(name) } }
        let mine = Int(getpid())
        var result = Systemd.none
        if let pid = variable("LISTEN_PID").flatMap(Int.init), pid == mine, let count = variable("LISTEN_FDS").flatMap(Int.init), count > 0 {
            let names = variable("LISTEN_FDNAMES")?.split(separator: ":", omittingEmptySubsequences: false).map(String.init) ?? []
            let index: Int
            if count == 1 {
                index = 0
            } else if let named = names.firstIndex(of: socketName), named < count {
                index = named
            } else {
                throw TimelineError(.badRequest, "systemd passed \(count) sockets and none is named \(socketName); give the socket unit FileDescriptorName=\(socketName) or pass one socket")
            }
            let fd = firstPassedDescriptor + Int32(index)
            try checkListening(fd)
            for other in 0..<count where other != index { close(firstPassedDescriptor + Int32(other)) }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            result.listeningSocket = fd
        }
        if let path = variable("NOTIFY_SOCKET") {
            result.notifier = SystemdNotifier(path: path)
            let forMe = variable("WATCHDOG_PID").flatMap(Int.init).map { $0 == mine } ?? true
            if forMe, let usec = variable("WATCHDOG_USEC").flatMap(Int64.init), usec > 0 {
                result.watchdogInterval = .microseconds(usec / 2)
            }
        }
        return result
    }

    private static func variable(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }

    /// Refuses a passed descriptor that is not a listening `AF_UNIX` stream socket.
    private static func checkListening(_ fd: Int32) throws(TimelineError) {
        func option(_ name: Int32) -> Int32? {
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            return getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
        }
        guard option(SO_DOMAIN) == AF_UNIX, option(SO_TYPE) == Int32(SOCK_STREAM.rawValue), option(SO_ACCEPTCONN) == 1 else {
            throw TimelineError(.badRequest, "the socket systemd passed (fd \(fd)) is not a listening Unix stream socket; use ListenStream=/path in the socket unit")
        }
    }

    /// The path a passed Unix socket is bound to, for the logs.
    static func boundPath(_ fd: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return nil }
        return withUnsafeBytes(of: address.sun_path) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// Sends `sd_notify(3)` messages: one datagram per state (`READY=1`,
/// `STATUS=…`, `STOPPING=1`, `WATCHDOG=1`) to `NOTIFY_SOCKET`, a path or, with
/// a leading `@`, an abstract socket name.
public final class SystemdNotifier: Sendable {
    private let path: String

    /// A notifier for the socket at `path`.
    public init(path: String) { self.path = path }

    /// Sends `state` (lines of `KEY=value`); a failure is ignored, as systemd's own client does.
    public func notify(_ state: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var name = Array(path.utf8)
        if name.first == UInt8(ascii: "@") { name[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard name.count < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in name.enumerated() { raw[i] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + name.count + (name.first == 0 ? 0 : 1))
        let bytes = Array(state.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), sa, length) }
            }
        }
    }
}
