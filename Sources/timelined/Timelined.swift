import ArgumentParser
import Dispatch
import Foundation
import Logging
import TimelineModel
import TimelineServer

#if canImport(Glibc)
import Glibc
#endif

/// `timelined`: the order timeline daemon.
@main
struct Timelined: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timelined",
        abstract: "Serves order timelines over a Unix socket (newline-delimited JSON).",
        discussion: "Reads config/timelined.json (see docs/CONFIG.md); flags override it. SIGTERM/SIGINT drain and exit 0; SIGHUP reloads moderation rules."
    )

    @Option(help: "The config file.")
    var config: String = "config/timelined.json"

    @Option(help: "The Unix socket path (overrides socketPath).")
    var socket: String?

    @Option(help: "The LMDB data directory (overrides dataDirectory).")
    var data: String?

    @Option(help: "The moderation rules file (overrides moderationPath).")
    var moderation: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (overrides logLevel).")
    var logLevel: String?

    func run() throws {
        ShutdownSignals.block()
        Self.guardStandardDescriptors()
        Self.raiseFileLimit()
        var settings = try loadConfiguration()
        if let socket { settings.socketPath = socket }
        if let data { settings.dataDirectory = data }
        if let moderation { settings.moderationPath = moderation }
        if let logLevel { settings.logLevel = logLevel }
        guard let level = Logger.Level(rawValue: settings.logLevel) else {
            throw ValidationError("logLevel must be one of trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "timelined")
        let offset: Int64
        do {
            offset = try Self.clockOffsetSeconds()
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
        if offset != 0 {
            logger.warning("TIMELINED_CLOCK_OFFSET_SECONDS is set: the daemon's clock runs \(offset) s off the system clock (for tests and drills only)")
        }
        let server: TimelineServer
        do {
            let systemd = try Systemd.takeFromEnvironment()
            server = try TimelineServer(configuration: settings, logger: logger, clock: { Timestamp.now().adding(seconds: offset) })
            try server.start(systemd: systemd)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error.message)"])
            throw ExitCode(2)
        }
        let stop = DispatchSemaphore(value: 0)
        let waiter = Thread {
            while true {
                guard ShutdownSignals.next() == SIGHUP else {
                    stop.signal()
                    return
                }
                do { try server.reloadModeration() } catch {
                    logger.error("moderation reload failed; the previous rules stay in force", metadata: ["error": "\(error.message)"])
                }
            }
        }
        waiter.name = "timelined-signals"
        waiter.start()
        stop.wait()
        server.shutdown()
    }

    /// The config file, or the defaults when the default file is absent.
    func loadConfiguration() throws -> ServerConfiguration {
        guard let bytes = FileManager.default.contents(atPath: config) else {
            if config == "config/timelined.json" { return ServerConfiguration() }
            throw ValidationError("cannot read the config file \(config)")
        }
        do {
            return try ServerConfiguration(json: Array(bytes))
        } catch {
            throw ValidationError("\(config): \(error.message)")
        }
    }

    /// LMDB must never get fd 0–2: a stray print would land in the database.
    static func guardStandardDescriptors() {
        for fd in Int32(0)...2 where fcntl(fd, F_GETFD) == -1 {
            let null = open("/dev/null", O_RDWR)
            if null >= 0 && null != fd {
                dup2(null, fd)
                close(null)
            }
        }
    }

    /// `TIMELINED_CLOCK_OFFSET_SECONDS`: moves the daemon's clock (recordedAt, timers,
    /// slaBreached) by whole seconds, so tests and drills can see timers fire
    /// without waiting hours. Unset or 0 in production. `recordedAt` still never decreases.
    static func clockOffsetSeconds() throws -> Int64 {
        guard let text = ProcessInfo.processInfo.environment["TIMELINED_CLOCK_OFFSET_SECONDS"], !text.isEmpty else { return 0 }
        guard let seconds = Int64(text), abs(seconds) <= 10 * 365 * 86_400 else {
            throw ValidationError("TIMELINED_CLOCK_OFFSET_SECONDS must be a whole number of seconds within ten years, not \"\(text)\"")
        }
        return seconds
    }

    /// Many idle connections need many descriptors: raise the soft limit to the hard one.
    static func raiseFileLimit() {
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}

extension Error {
    /// The message of a typed error, or its description.
    var message: String {
        if let e = self as? TimelineError { return e.message }
        if let e = self as? ConfigurationError { return e.message }
        return "\(self)"
    }
}
