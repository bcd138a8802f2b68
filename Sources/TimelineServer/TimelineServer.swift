import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import TimelineModel
import TimelineModeration
import TimelineWire
import TimelineStore

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's server: owns the store, the writer, the socket and the timers.
///
/// ```swift
/// let server = try TimelineServer(configuration: config, logger: logger)
/// try server.start()
/// // … SIGTERM:
/// server.shutdown()
/// ```
public final class TimelineServer: Sendable {
    public let configuration: ServerConfiguration
    let services: ServerServices
    let logger: Logger
    let group: MultiThreadedEventLoopGroup
    let blockingPool: NIOThreadPool
    let lock: DataDirectoryLock
    private let channel = Mutex<Channel?>(nil)
    private let metricsChannel = Mutex<Channel?>(nil)
    private let systemd = Mutex(Systemd.none)
    private let repeatedTasks = Mutex<[RepeatedTask]>([])
    private let failedTimers = Mutex<Set<String>>([])

    /// Opens the store (locking its directory) and the checkpoint key; does not bind yet.
    public init(
        configuration: ServerConfiguration, logger: Logger,
        clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }
    ) throws(TimelineError) {
        self.configuration = configuration
        self.logger = logger
        do {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw TimelineError(.internal, "cannot create the data directory \(configuration.dataDirectory): \(error.localizedDescription)")
        }
        lock = try DataDirectoryLock(directory: configuration.dataDirectory)
        let moderation = ModerationHolder(Self.loadModeration(configuration.moderationPath, logger: logger))
        let store = try TimelineStore(configuration: configuration.storeConfiguration(clock: clock), moderation: moderation)
        Self.logRecovery(store.recovery, logger: logger)
        let signer = try CheckpointSigner(directory: configuration.dataDirectory)
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount))
        blockingPool = NIOThreadPool(numberOfThreads: 1)
        blockingPool.start()
        services = ServerServices(
            configuration: configuration, store: store, stats: ServerStats(), signer: signer, clock: clock, blockingPool: blockingPool
        )
    }

    /// Says what opening the store did to bring views/ up to the log, and how long it took.
    static func logRecovery(_ r: RecoveryReport, logger: Logger) {
        let metadata: Logger.Metadata = ["events": "\(r.events)", "seconds": "\(String(format: "%.3f", r.seconds))"]
        switch r.action {
        case .none: logger.info("views up to date with the log", metadata: metadata)
        case .replayed: logger.notice("views were behind the log (unclean stop): replayed the missing records", metadata: metadata)
        case .rebuilt: logger.notice("views rebuilt from the log", metadata: metadata.merging(["reason": "\(r.reason ?? "")"]) { a, _ in a })
        }
    }

    static func loadModeration(_ path: String, logger: Logger) -> ModerationPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            logger.warning("moderation rules not found; using the built-in rules", metadata: ["path": "\(path)"])
            return .builtIn
        }
        do {
            return try ModerationPolicy(configJSON: Array(data))
        } catch {
            logger.error("moderation rules are invalid; using the built-in rules", metadata: ["path": "\(path)", "error": "\(error.message)"])
            return .builtIn
        }
    }

    /// The store this server writes to.
    public var store: TimelineStore { services.store }

    /// Binds the socket (or serves the one systemd passed), starts the writer,
    /// the timers and the housekeeping, then tells systemd it is ready.
    public func start(systemd: Systemd = .none) throws(TimelineError) {
        self.systemd.withLock { $0 = systemd }
        let inherited = systemd.listeningSocket
        let socketPath = inherited.flatMap(Systemd.boundPath) ?? configuration.socketPath
        if inherited == nil { try SocketFile.prepare(socketPath) }
        services.committer.start()
        let services = self.services
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                if services.stats.connections >= services.configuration.limits.maxConnections {
                    let error = TimelineError(.busy, "the daemon serves its maximum of \(services.configuration.limits.maxConnections) connections; retry later")
                    let reply = ReplyEncoder.failure(id: .null, error: error, allocator: channel.allocator)
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(BusyConnectionHandler(reply: reply))
                    }
                }
                return PeerCredentials.read(from: channel).flatMapThrowing { peer in
                    let role = services.access.role(for: peer)
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LineFrameDecoder(maxFrameBytes: services.configuration.limits.maxFrameBytes))
                    )
                    try channel.pipeline.syncOperations.addHandler(ConnectionHandler(services: services, role: role))
                }
            }
        do {
            let bound = try (inherited.map { bootstrap.withBoundSocket($0) } ?? bootstrap.bind(unixDomainSocketPath: socketPath)).wait()
            channel.withLock { $0 = bound }
        } catch {
            services.committer.stop()
            throw TimelineError(.internal, "cannot listen on \(socketPath): \(error)")
        }
        // A passed socket keeps the mode and group its socket unit gave it.
        if inherited == nil {
            try SocketFile.applyPermissions(socketPath, mode: configuration.socketMode, group: configuration.socketGroup)
        }
        try startMetrics()
        scheduleHousekeeping()
        let head = services.store.head.position
        logger.info("timelined listening", metadata: [
            "socket": "\(socketPath)", "data": "\(configuration.dataDirectory)", "head": "\(head)",
            "durability": "\(configuration.durability.rawValue)", "socketActivated": "\(inherited != nil)",
        ])
        // views/ caught up with the log while the store opened, so every request is served from here on.
        systemd.notifier?.notify("READY=1\nSTATUS=serving, head \(head)")
    }

    /// Serves `GET /metrics` when `metrics.listen` is set.
    private func startMetrics() throws(TimelineError) {
        guard let address = try configuration.metrics.address() else { return }
        do {
            let bound = try MetricsEndpoint.bind(address, group: group, services: services)
            metricsChannel.withLock { $0 = bound }
            services.metricsAddress.withLock { $0 = bound.localAddress.map(Self.hostPort) }
            logger.info("metrics served", metadata: ["url": "http://\(services.metricsAddress.withLock { $0 } ?? "?")/metrics"])
        } catch {
            if let c = channel.withLock({ $0 }) { try? c.close().wait() }
            services.committer.stop()
            throw TimelineError(.internal, "cannot serve metrics on \(configuration.metrics.listen ?? ""): \(error)")
        }
    }

    /// `127.0.0.1:9464` or `[::1]:9464`.
    static func hostPort(_ address: SocketAddress) -> String {
        let host = address.ipAddress ?? "?"
        let port = address.port ?? 0
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private func scheduleHousekeeping() {
        let loop = group.next()
        let timerEvery = TimeAmount.milliseconds(Int64(configuration.timersCheckIntervalSeconds * 1000))
        var tasks = [loop.scheduleRepeatedTask(initialDelay: timerEvery, delay: timerEvery) { [self] _ in
            _ = services.committer.perform(on: loop) { () throws(TimelineError) -> Int in self.checkTimersOnWriter() }
        }]
        // Reader slots of killed readers (an auditor, a backup tool) pin old pages until cleared.
        let readerCheckEvery = TimeAmount.milliseconds(Int64(configuration.store.readerCheckSeconds * 1000))
        tasks.append(loop.scheduleRepeatedTask(initialDelay: readerCheckEvery, delay: readerCheckEvery) { [self] _ in
            let cleared = services.store.readerCheck()
            if cleared > 0 { logger.notice("cleared stale LMDB reader slots", metadata: ["count": "\(cleared)"]) }
        })
        if configuration.durability == .relaxed {
            let every = TimeAmount.milliseconds(Int64(configuration.store.relaxedSyncSeconds * 1000))
            tasks.append(loop.scheduleRepeatedTask(initialDelay: every, delay: every) { [self] _ in
                try? services.store.sync()
            })
        }
        // The watchdog is pinged from an event loop: a wedged loop stops the pings and systemd restarts the daemon.
        if let every = systemd.withLock({ $0 }).watchdogInterval, let notifier = systemd.withLock({ $0 }).notifier {
            let interval = TimeAmount.nanoseconds(every.components.seconds * 1_000_000_000 + every.components.attoseconds / 1_000_000_000)
            tasks.append(loop.scheduleRepeatedTask(initialDelay: .zero, delay: interval) { _ in notifier.notify("WATCHDOG=1") })
        }
        repeatedTasks.withLock { $0 = tasks }
    }

    /// Appends the events of every due timer; returns how many fired. Runs on the writer.
    public func fireDueTimers() -> EventLoopFuture<Int> {
        services.committer.perform(on: group.next()) { () throws(TimelineError) -> Int in self.fireDueTimersOnWriter() }
    }

    private func fireDueTimersOnWriter() -> Int {
        let store = services.store
        guard let due = try? store.dueTimers(now: services.clock()), !due.isEmpty else { return 0 }
        var requests: [AppendRequest] = []
        for timer in due {
            guard let state = try? store.order(timer.order) else { continue }
            let event = state.timerEvent(timer.kind)
            if failedTimers.withLock({ $0.contains(event.eventId) }) { continue }
            requests.append(AppendRequest(order: timer.order, events: [event], origin: .daemon))
        }
        let results = services.committer.commitOnWriter(requests)
        var fired = 0
        for (request, result) in zip(requests, results) {
            switch result {
            case .success: fired += 1
            case .failure(let error):
                failedTimers.withLock { _ = $0.insert(request.events[0].eventId) }
                logger.error("a due timer could not fire", metadata: ["order": "\(request.order)", "error": "\(error)"])
            }
        }
        services.stats.timersFired(fired)
        if fired > 0 { logger.info("timers fired", metadata: ["count": "\(fired)"]) }
        return fired
    }

    /// One periodic timer check: fires what is due, and says so at debug level
    /// (the sign that a check ran, even when nothing was due).
    private func checkTimersOnWriter() -> Int {
        let fired = fireDueTimersOnWriter()
        logger.debug("timers checked", metadata: ["fired": "\(fired)"])
        return fired
    }

    /// Re-reads the moderation rules (SIGHUP); returns the rule count.
    @discardableResult
    public func reloadModeration() throws(TimelineError) -> Int {
        let count = try services.reloadModeration()
        logger.info("moderation rules reloaded", metadata: ["rules": "\(count)"])
        return count
    }

    /// Drains: refuses new requests, stops accepting, lets the writer finish
    /// and answer what was queued, flushes and closes the store.
    public func shutdown() {
        logger.info("draining")
        let systemd = systemd.withLock { $0 }
        systemd.notifier?.notify("STOPPING=1\nSTATUS=draining")
        services.beginDraining()
        for task in repeatedTasks.withLock({ $0 }) { task.cancel() }
        if let channel = channel.withLock({ $0 }) { try? channel.close().wait() }
        if let metrics = metricsChannel.withLock({ $0 }) { try? metrics.close().wait() }
        services.committer.stop()
        // Give event loops a moment to write the replies the writer just completed.
        let deadline = Timestamp.now().microseconds + 2_000_000
        while services.stats.inFlight > 0 && Timestamp.now().microseconds < deadline { usleep(5000) }
        // Close each connection once its replies are written (a large reply to a slow
        // reader is not cut off mid-line), waiting at most the drain grace for readers.
        services.connections.drainAll()
        let closed = Timestamp.now().microseconds + Int64(ConnectionHandler.drainGrace.nanoseconds / 1000) + 1_000_000
        while services.connections.count > 0 && Timestamp.now().microseconds < closed { usleep(5000) }
        do { try services.store.closeCleanly() } catch { logger.error("views could not be closed cleanly; the next start replays or rebuilds them", metadata: ["error": "\(error.message)"]) }
        try? group.syncShutdownGracefully()
        try? blockingPool.syncShutdownGracefully()
        // A passed socket belongs to its socket unit, which keeps it for the next start.
        if systemd.listeningSocket == nil { unlink(configuration.socketPath) }
        logger.info("stopped", metadata: ["head": "\(services.store.head.position)"])
    }
}
