import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// A Unix datagram socket standing in for systemd's `NOTIFY_SOCKET`.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = Self.address(path)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard fd >= 0, bound == 0 else { throw DaemonProcessError("cannot bind the notify socket \(path): errno \(errno)") }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    static func address(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        return address
    }

    /// Messages received until one contains `wanted` (returned with it), or `nil` after `timeout` seconds.
    func waitFor(_ wanted: String, timeout: Double = 30) -> [String]? {
        var seen: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { continue }
            let message = String(decoding: buffer[0..<n], as: UTF8.self)
            seen.append(message)
            if message.split(separator: "\n").contains(Substring(wanted)) { return seen }
        }
        return nil
    }
}

/// A listening Unix stream socket made by the test, as a socket unit would.
func listeningSocket(at path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = NotifySocket.address(path)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
    guard fd >= 0, bound == 0, listen(fd, 128) == 0 else { throw DaemonProcessError("cannot listen on \(path): errno \(errno)") }
    // Away from 3, so the child's dup2 onto 3 really copies it (and clears close-on-exec).
    let high = fcntl(fd, F_DUPFD_CLOEXEC, 40)
    close(fd)
    return high
}

/// Starts `timelined` as systemd would: `fd` as descriptor 3, `LISTEN_PID` its own pid
/// (set by the shell it execs from), and `environment`.
func spawnActivated(config: String, log: String, listening fd: Int32, environment: [String: String], listenPid: String? = nil) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_APPEND, 0)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    posix_spawn_file_actions_adddup2(&actions, fd, 3)
    let pidSetting = listenPid.map { "LISTEN_PID=\($0)" } ?? "LISTEN_PID=$$"
    let arguments = ["/bin/sh", "-c", pidSetting + #" exec "$0" "$@""#, DaemonProcess.binaryPath(), "--config", config]
    var env = environment
    env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
    guard rc == 0 else { throw DaemonProcessError("posix_spawn failed: \(rc)") }
    return pid
}

/// The exit status of `pid`, waiting at most `timeout` seconds (SIGKILL after).
func exitStatus(_ pid: pid_t, timeout: Double = 30) -> Int32 {
    let deadline = Date().addingTimeInterval(timeout)
    var status: Int32 = 0
    while Date() < deadline {
        if waitpid(pid, &status, WNOHANG) == pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }
        usleep(10_000)
    }
    kill(pid, SIGKILL)
    waitpid(pid, &status, 0)
    return -1
}

@Suite("systemd: socket activation, sd_notify, the units", .timeLimit(.minutes(3)))
struct SystemdTests {
    @Test("a socket passed as systemd does is served; READY=1 once serving, WATCHDOG=1 pings, STOPPING=1 on SIGTERM; the socket is left to its unit")
    func socketActivation() async throws {
        let daemon = try DaemonProcess()
        let scratch = try TempDirectory(prefix: "sd")
        let passed = scratch.path + "/passed.sock"
        let notify = try NotifySocket(path: scratch.path + "/notify")
        let fd = try listeningSocket(at: passed)
        defer { close(fd) }
        let pid = try spawnActivated(config: daemon.configPath, log: daemon.logPath, listening: fd, environment: [
            "LISTEN_FDS": "1", "LISTEN_FDNAMES": "timelined", "NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000",
        ])
        let ready = try await offPool { notify.waitFor("READY=1") }
        let log = { (try? String(contentsOfFile: daemon.logPath, encoding: .utf8)) ?? "" }
        guard let ready else {
            kill(pid, SIGKILL)
            _ = exitStatus(pid)
            Issue.record("no READY=1; the log:\n\(log())")
            return
        }
        #expect(ready.last?.contains("STATUS=serving") == true, "\(ready)")
        // Right after READY=1 requests are served, on the passed socket, not the configured path.
        let client = try await TimelineClient.connect(socketPath: passed)
        let hello = try await client.call("hello")
        #expect(hello["protocol"] != nil, "\(hello)")
        let order = OrderFixture("SD")
        _ = try await order.create(client)
        let before = try await client.call("order.get", ["order": .string(order.order)])
        await client.close()
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "the daemon did not bind its own socket")
        #expect(log().contains("socketActivated=true") || log().contains("\"socketActivated\": true") || log().contains("socketActivated: true"), "\(log())")
        let pings = try await offPool { notify.waitFor("WATCHDOG=1", timeout: 5) }
        #expect(pings != nil, "WATCHDOG=1 every WATCHDOG_USEC / 2")

        kill(pid, SIGTERM)
        let stopping = try await offPool { notify.waitFor("STOPPING=1") }
        #expect(stopping != nil, "STOPPING=1 when the drain begins")
        let status = try await offPool { exitStatus(pid) }
        #expect(status == 0, "\(log())")
        #expect(FileManager.default.fileExists(atPath: passed), "a passed socket belongs to its socket unit and is not unlinked")

        // The unit keeps the socket; the next start (say, after a crash) serves the same one, with the data.
        let again = try spawnActivated(config: daemon.configPath, log: daemon.logPath, listening: fd, environment: ["LISTEN_FDS": "1"])
        #expect(try await offPool { DaemonProcess.answersHello(passed, timeout: 30) })
        let second = try await TimelineClient.connect(socketPath: passed)
        let view = try await second.call("order.get", ["order": .string(order.order)])
        #expect(view == before, "the restarted daemon serves the same view: \(view)")
        await second.close()
        kill(again, SIGTERM)
        #expect(try await offPool { exitStatus(again) } == 0, "\(log())")
    }

    @Test("LISTEN_FDS for another pid is ignored, and a passed descriptor that is not a listening socket is refused with a sentence")
    func activationRefusals() async throws {
        let daemon = try DaemonProcess()
        let scratch = try TempDirectory(prefix: "sd")
        let file = open(scratch.path + "/not-a-socket", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        let high = fcntl(file, F_DUPFD_CLOEXEC, 40)
        close(file)
        defer { close(high) }
        let pid = try spawnActivated(config: daemon.configPath, log: daemon.logPath, listening: high, environment: ["LISTEN_FDS": "1"])
        #expect(try await offPool { exitStatus(pid) } == 2)
        let log = (try? String(contentsOfFile: daemon.logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("not a listening Unix stream socket"), "\(log)")

        // Variables meant for another process (a parent's LISTEN_PID): the daemon binds its own socket.
        let foreign = try spawnActivated(config: daemon.configPath, log: daemon.logPath, listening: high, environment: ["LISTEN_FDS": "1"], listenPid: "1")
        let path = daemon.socketPath
        let answered = try await offPool { () -> Bool in
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if DaemonProcess.answersHello(path) { return true }
                usleep(20_000)
            }
            return false
        }
        #expect(answered, "\((try? String(contentsOfFile: daemon.logPath, encoding: .utf8)) ?? "")")
        kill(foreign, SIGTERM)
        #expect(try await offPool { exitStatus(foreign) } == 0)
    }

    @Test("the units in scripts/systemd pass systemd-analyze verify")
    func unitsVerify() throws {
        guard let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first(where: FileManager.default.isExecutableFile) else {
            Issue.record("systemd-analyze is not installed (Debian's systemd package); the units were not verified")
            return
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let dir = try TempDirectory(prefix: "units")
        // verify checks that ExecStart's binary exists: point it at the one just built.
        for name in ["timelined.service", "timelined.socket"] {
            let text = try String(contentsOfFile: "\(root)/scripts/systemd/\(name)", encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/timelined", with: DaemonProcess.binaryPath())
            try text.write(toFile: "\(dir.path)/\(name)", atomically: true, encoding: .utf8)
        }
        let r = try PackageBinary.run(analyze, ["verify", "--man=no", "\(dir.path)/timelined.socket", "\(dir.path)/timelined.service"])
        #expect(r.status == 0, "\(r)")
        #expect(!r.stderr.contains("timelined.service:") && !r.stderr.contains("timelined.socket:"), "no warnings about the units: \(r)")
    }
}
