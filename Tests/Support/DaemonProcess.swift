import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The config file a test daemon gets: the keys of
/// `Sources/TimelineServer/Config/ConfigurationLoader.swift`, with test
/// defaults (relaxed durability for speed, a one-second timer check).
public struct DaemonConfig: Sendable {
    /// One `access` rule: a uid or a gid, and a role.
    public struct AccessRule: Sendable {
        public var uid: Int?
        public var gid: Int?
        public var role: String
        public init(uid: Int? = nil, gid: Int? = nil, role: String) {
            self.uid = uid
            self.gid = gid
            self.role = role
        }
    }

    /// `strict` (fsync per commit) or `relaxed`.
    public var durability = "relaxed"
    /// Octal text such as `"0660"`; `nil` keeps the daemon's default.
    public var socketMode: String?
    public var logLevel = "info"
    /// `limits` members (maxFrameBytes, maxBatchEvents, maxEvidenceBytes, …).
    public var limits: [String: Int] = [:]
    /// `timers` members (autoEscalateHours, autoConfirmHours, checkIntervalSeconds).
    public var timers: [String: Int] = [:]
    /// `store` members (initialMapSizeBytes, mapGrowthBytes, maxMapSizeBytes, …).
    public var store: [String: Int] = [:]
    /// `nil` = no `access` section (the daemon's own uid is admin).
    public var access: [AccessRule]?
    /// `moderationPath`; `nil` = `moderation.json` in the scratch directory.
    public var moderationPath: String?
    /// `cluster` members (`shards`, `shardId`); empty = one shard.
    public var cluster: [String: Int] = [:]
    /// `metrics.listen` (e.g. `127.0.0.1:0` for any free port); `nil` = no metrics.
    public var metricsListen: String?

    public init() {}

    /// The config file's JSON text.
    public func jsonText(socketPath: String, dataDirectory: String, moderationPath defaultModeration: String) -> String {
        var root: [String: Any] = [
            "socketPath": socketPath, "dataDirectory": dataDirectory,
            "moderationPath": moderationPath ?? defaultModeration,
            "logLevel": logLevel, "durability": durability,
        ]
        if let socketMode { root["socketMode"] = socketMode }
        if !limits.isEmpty { root["limits"] = limits }
        if !timers.isEmpty { root["timers"] = timers }
        if !store.isEmpty { root["store"] = store }
        if !cluster.isEmpty { root["cluster"] = cluster }
        if let metricsListen { root["metrics"] = ["listen": metricsListen] }
        if let access {
            root["access"] = access.map { rule -> [String: Any] in
                var o: [String: Any] = ["role": rule.role]
                if let uid = rule.uid { o["uid"] = uid }
                if let gid = rule.gid { o["gid"] = gid }
                return o
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys, .prettyPrinted])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Why a daemon could not be started or stopped as the test wanted.
public struct DaemonProcessError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The real `timelined` binary running as a child process on a temporary
/// socket and data directory.
///
/// ```swift
/// let daemon = try DaemonProcess(config: config)
/// try daemon.start()                   // returns once the socket answers hello
/// // … talk to daemon.socketPath …
/// let status = try daemon.stop()       // SIGTERM, then the exit status (0 expected)
/// ```
///
/// A daemon still running when the value goes away is killed (SIGKILL).
/// Thread rule: one test drives it; `isRunning` and `log` may be read anywhere.
public final class DaemonProcess: @unchecked Sendable {
    /// The directory holding the config, the log, and by default the socket and data.
    public let scratch: ScratchDirectory
    public let socketPath: String
    public let dataDirectory: String
    public let configPath: String
    /// stdout and stderr of every run, appended.
    public let logPath: String
    public let config: DaemonConfig
    private var process: Process?
    /// A name written into the log at each launch (the test's, for diagnosis).
    public var label = ""
    /// Extra environment for the next launch (e.g. `TIMELINED_CLOCK_OFFSET_SECONDS`).
    public var environment: [String: String] = [:]

    /// Prepares a daemon (nothing runs yet). Socket and data directory default
    /// to fresh paths in `scratch`; pass them to share a socket or a data
    /// directory with another daemon.
    public init(
        config: DaemonConfig = DaemonConfig(), scratch: ScratchDirectory? = nil,
        socketPath: String? = nil, dataDirectory: String? = nil
    ) throws {
        let scratch = try scratch ?? ScratchDirectory()
        self.scratch = scratch
        self.config = config
        let tag = UUID().uuidString.prefix(8)
        self.socketPath = socketPath ?? scratch.file("d-\(tag).sock")
        self.dataDirectory = dataDirectory ?? scratch.file("data-\(tag)")
        self.configPath = scratch.file("timelined-\(tag).json")
        self.logPath = scratch.file("timelined-\(tag).log")
        let text = config.jsonText(socketPath: self.socketPath, dataDirectory: self.dataDirectory, moderationPath: scratch.file("moderation.json"))
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    }

    deinit {
        if let process, process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    // MARK: - The binary

    /// The `timelined` executable: `$TIMELINED_BIN`, else a `timelined` next to
    /// the test bundle (or a few folders up), else `<package>/.build/debug/timelined`.
    public static func binaryPath(filePath: String = #filePath) -> String {
        if let path = ProcessInfo.processInfo.environment["TIMELINED_BIN"], !path.isEmpty { return path }
        return PackageBinary.path("timelined", filePath: filePath)
    }

    // MARK: - Running

    /// `true` while the child process runs.
    public var isRunning: Bool { process?.isRunning ?? false }

    /// The child's pid (0 before `launch`).
    public var pid: Int32 { process?.processIdentifier ?? 0 }

    /// Everything the daemon wrote to stdout and stderr so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Starts the binary with `--config`, `--socket` and `--data` without waiting for it.
    public func launch() throws {
        guard !isRunning else { throw DaemonProcessError("the daemon is already running") }
        let binary = Self.binaryPath()
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw DaemonProcessError("timelined not found at \(binary); run `swift build` first or set TIMELINED_BIN")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["--config", configPath, "--socket", socketPath, "--data", dataDirectory]
        p.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, mine in mine }
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw DaemonProcessError("cannot open \(logPath)") }
        log.seekToEndOfFile()
        log.write(Data("=== launch \(label)\n".utf8))
        p.standardOutput = log
        p.standardError = log
        p.standardInput = FileHandle.nullDevice
        try p.run()
        process = p
    }

    /// Starts the daemon and returns once its socket answers `hello`.
    /// - Throws: when it exits first or does not answer within `timeout` seconds (the log is in the message).
    public func start(timeout: Double = 30) throws {
        try launch()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard isRunning else {
                throw DaemonProcessError("timelined exited with status \(exitStatus ?? -1) before answering:\n\(log)")
            }
            if Self.answersHello(socketPath) { return }
            usleep(20_000)
        }
        throw DaemonProcessError("timelined did not answer hello on \(socketPath) within \(timeout) s:\n\(log)")
    }

    /// `true` when something on `path` answers a `hello` request with `ok: true`.
    public static func answersHello(_ path: String, timeout: Double = 2) -> Bool {
        guard let raw = try? RawConnection(path: path) else { return false }
        guard (try? raw.send("{\"id\":\"ready\",\"op\":\"hello\"}\n")) != nil,
              let line = try? raw.readLineText(timeout: timeout)
        else { return false }
        return line.contains("\"ok\":true")
    }

    /// Sends `signal` to the daemon.
    public func signal(_ signal: Int32) {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
    }

    /// The exit code once the daemon has exited (128 + n when signal n ended it).
    public var exitStatus: Int32? {
        guard let process, !process.isRunning else { return nil }
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }

    /// Waits for the daemon to exit and returns its exit code.
    /// - Throws: when it still runs after `timeout` seconds.
    @discardableResult
    public func waitForExit(timeout: Double = 30) throws -> Int32 {
        guard process != nil else { throw DaemonProcessError("the daemon was never started") }
        var deadline = Date().addingTimeInterval(timeout)
        var extended = false
        while isRunning {
            if Date() > deadline {
                // An exited child that Foundation has not reaped yet (a busy test host) is a
                // zombie, and one it reaped but has not yet marked as ended is gone from /proc:
                // give the reaper more time rather than report a hang that is not one.
                if !extended, ["Z", "?"].contains(Self.processState(pid)) {
                    extended = true
                    deadline = Date().addingTimeInterval(30)
                    continue
                }
                throw DaemonProcessError("timelined still runs \(timeout) s later (\(Self.threadStates(pid))):\n\(log)")
            }
            usleep(5_000)
        }
        return exitStatus ?? -1
    }

    /// The state letter of `/proc/PID/stat` (R, S, D, Z, …), or "?".
    static func processState(_ pid: Int32) -> String {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return "?" }
        return String(stat[stat.index(after: close)...].split(separator: " ").first ?? "?")
    }

    /// Each thread's name, state and kernel wait channel: where a process that does not exit waits.
    static func threadStates(_ pid: Int32) -> String {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.sorted().map { tid in
            let name = (try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            let wchan = (try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/wchan", encoding: .utf8)) ?? "?"
            return "\(name) \(processState(Int32(tid) ?? 0)) \(wchan)"
        }.joined(separator: "; ")
    }

    /// Stops the daemon as an operator would (SIGTERM: drain and exit) and
    /// returns its exit code; 0 is a clean stop.
    @discardableResult
    public func stop(timeout: Double = 30) throws -> Int32 {
        signal(SIGTERM)
        return try waitForExit(timeout: timeout)
    }

    /// Kills the daemon without letting it drain (SIGKILL), as a crash would.
    public func kill() {
        signal(SIGKILL)
        _ = try? waitForExit(timeout: 30)
    }
}
