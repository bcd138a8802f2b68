import LMDB
import Synchronization
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// The chain head: the last position, its hash and its time.
public struct ChainHead: Sendable, Hashable {
    public var position: UInt64
    public var hash: String
    public var recordedAt: Timestamp?

    /// The head of an empty log.
    public static let empty = ChainHead(position: 0, hash: Hashing.zeroHash, recordedAt: nil)
}

/// The event store on LMDB, in two environments (ARCHITECTURE.md v2):
/// `log/`, the durable append-only log with its evidence blobs (fsync at every
/// commit), and `views/`, everything derived from it (indexes, order views,
/// participant figures, timers), opened `MDB_NOSYNC` and rebuilt or replayed
/// from the log whenever it cannot be trusted.
///
/// Thread rule: ``commitLog(_:)`` and map growth of the log run on one writer
/// thread at a time; ``apply(_:)`` and ``rebuildViews()`` on one applier thread
/// at a time (the daemon's two pipeline threads; ``commit(_:)`` does both on the
/// caller's thread). Every read method may be called from any thread
/// concurrently, including while a commit or an apply runs. Reads see the
/// store as of the last applied batch.
public final class TimelineStore: Sendable {
    /// The log's format version (`log/` meta `formatVersion`).
    static let logFormatVersion: UInt64 = 2

    /// Where the environments live.
    public let layout: DataLayout
    let logEnv: Environment
    let log: LogTables
    let viewsEnv: Environment
    let viewTables: ViewTables
    public let configuration: StoreConfiguration
    /// The store's id (log meta `storeId`, 32 hex digits made at the first start and kept
    /// by backups): the relay's message ids name it. `nil` only for a read-only open of a
    /// store no current daemon has opened yet.
    public let storeId: String?
    /// The moderation policy used for new chat messages.
    public let moderation: ModerationHolder
    /// The last record committed to the log (writer side).
    let logHeadMirror: Mutex<ChainHead>
    /// The last record reflected in views/: what every reader sees.
    let appliedMirror: Mutex<ChainHead>
    /// The writer's authoritative order states and what views/ has not applied yet.
    let writer = Mutex(WriterState())
    /// `true` while views/state says "clean" (after ``closeCleanly()``): the next
    /// apply first marks views/ unclean again, so a crash after it is not trusted.
    let markedClean = Mutex(false)
    /// The Merkle tree's appender as views/ stand (applier side; re-derived when its size is not `applied`).
    let merkleAppender = Mutex<MerkleAppender?>(nil)
    /// Batches ``commit(_:)`` wrote to the log that views/ could not take yet.
    let unappliedBatches = Mutex<[CommittedBatch]>([])
    /// What opening the store found and did.
    public let recovery: RecoveryReport
    static let stateCacheLimit = 100_000

    /// Opens (or creates) the store in the data directory `configuration.path`.
    /// A writable open brings views/ up to the log first: it replays the records
    /// views/ has not applied, or rebuilds views/ into a fresh environment and
    /// swaps it in when it is missing, torn, of another format, or from before an
    /// OS crash. A directory in the single-environment layout is refused.
    public init(configuration: StoreConfiguration, moderation: ModerationHolder = ModerationHolder()) throws(TimelineError) {
        self.configuration = configuration
        self.moderation = moderation
        let layout = DataLayout(root: configuration.path)
        self.layout = layout
        if layout.holdsSingleEnvironmentStore { throw layout.singleEnvironmentRefusal }
        let started = Timestamp.now()
        let readOnly = configuration.readOnly
        if !readOnly {
            FileSystem.makeDirectory(layout.root)
            FileSystem.makeDirectory(layout.log)
        } else if !layout.holdsStore {
            throw TimelineError(.notFound, "no store at \(layout.root) (no log/data.mdb)")
        }
        do {
            var flags: Environment.Flags = [.noReadahead]
            if readOnly { flags.insert(.readOnly) }
            if configuration.durability == .relaxed { flags.insert(.noSync) }
            logEnv = try Self.openEnvironment(layout.log, flags: flags, configuration: configuration, databases: LogTables.count)
            log = try LogTables(environment: logEnv, create: !readOnly)
        } catch {
            throw Self.openFailure(error, path: layout.log)
        }
        let head = try Self.readHead(logEnv, log)
        logHeadMirror = Mutex(head)
        storeId = try Self.storeId(logEnv, log, create: !readOnly)
        if !readOnly {
            try Self.writeLogFormat(logEnv, log)
            let opened = try ViewsRecovery(layout: layout, configuration: configuration, logEnv: logEnv, log: log, head: head).open()
            viewsEnv = opened.env
            viewTables = opened.tables
            appliedMirror = Mutex(opened.applied)
            recovery = RecoveryReport(
                action: opened.action, reason: opened.reason, events: opened.events,
                seconds: Double(Timestamp.now().microseconds - started.microseconds) / 1_000_000
            )
        } else {
            guard FileSystem.exists(layout.views + "/data.mdb") else {
                throw TimelineError(.notFound, "\(layout.root) has a log but no views/; start the daemon on it once (it rebuilds views/) or audit the log alone")
            }
            do {
                viewsEnv = try Self.openEnvironment(layout.views, flags: [.readOnly, .noReadahead], configuration: configuration, databases: ViewTables.count)
                viewTables = try ViewTables(environment: viewsEnv, create: false)
            } catch {
                throw Self.openFailure(error, path: layout.views)
            }
            // Readers of a copy see what its views reflect; with views equal to the log, the log's head.
            let applied = try Self.readApplied(viewsEnv, viewTables)
            appliedMirror = Mutex(applied.position == head.position ? head : applied)
            recovery = RecoveryReport(action: .none, reason: nil, events: 0, seconds: 0)
        }
        // A writable open leaves views/state unclean (ViewsRecovery marks it before any
        // views/ write): only closeCleanly() marks it clean again.
    }

    deinit { try? closeCleanly() }

    /// A clean close: both environments flushed to disk, then the marker that
    /// says views/ is whole, so the next start trusts it even after a reboot.
    /// Call once nothing writes any more (the daemon's last step); the store
    /// stays usable, and the next apply marks views/ unclean again first.
    /// When views/ lag the log, views/ stay marked unclean (and this throws), so
    /// the next start replays the rest.
    public func closeCleanly() throws(TimelineError) {
        guard !configuration.readOnly else { return }
        let applied = head, logged = logHead
        guard applied.position == logged.position, applied.hash == logged.hash else {
            try sync()
            throw TimelineError(
                .internal,
                "views/ reflect the log through position \(applied.position), the log holds \(logged.position); views/ stay marked unclean and the next start replays the rest"
            )
        }
        try markedClean.withLock { (marked: inout Bool) throws(TimelineError) in
            try sync()
            try ViewsState(format: ViewsState.formatVersion, bootId: BootId.current(), clean: true).write(viewsDirectory: layout.views)
            marked = true
        }
    }

    /// Marks views/ unclean again when a close marked it clean (before views/ change).
    func markUncleanIfNeeded() throws(TimelineError) {
        try markedClean.withLock { (marked: inout Bool) throws(TimelineError) in
            guard marked else { return }
            try ViewsState(format: ViewsState.formatVersion, bootId: BootId.current(), clean: false).write(viewsDirectory: layout.views)
            marked = false
        }
    }

    /// The head every reader sees: the last record applied to views/.
    public var head: ChainHead { appliedMirror.withLock { $0 } }

    /// The last record committed to the log (durable; possibly not applied yet).
    public var logHead: ChainHead { logHeadMirror.withLock { $0 } }

    /// How far views/ trail the log: records committed but not applied yet, and
    /// the time between the newest applied record and the newest committed one.
    public var viewsLag: (events: UInt64, seconds: Double) {
        let logged = logHead, applied = head
        guard logged.position > applied.position else { return (0, 0) }
        var seconds = 0.0
        if let newest = logged.recordedAt, let shown = applied.recordedAt {
            seconds = max(0, Double(newest.microseconds - shown.microseconds) / 1e6)
        }
        return (logged.position - applied.position, seconds)
    }

    // MARK: - Opening

    static func openEnvironment(_ path: String, flags: Environment.Flags, configuration: StoreConfiguration, databases: Int) throws -> Environment {
        // A reader beside a live daemon maps the largest map the daemon may grow to, so the
        // daemon's growth never forces a remap under its open snapshots (LMDB remaps only
        // when the data passes the reader's map).
        let readOnly = flags.contains(.readOnly)
        let env = try Environment(
            path: path, flags: flags, mapSize: readOnly ? max(configuration.maxMapSizeBytes, configuration.initialMapSizeBytes) : configuration.initialMapSizeBytes,
            maxDatabases: databases + 2, maxReaders: configuration.maxReaders
        )
        if !readOnly {
            // Adopt a map larger than the configured start size, left by an earlier run.
            try env.setMapSize(max(configuration.initialMapSizeBytes, env.info.mapSize))
            try env.readerCheck()
        }
        return env
    }

    static func openFailure(_ error: any Error, path: String) -> TimelineError {
        if let error = error as? LMDBError { return StoreErrors.open(error, path: path) }
        if let error = error as? TimelineError { return error }
        return TimelineError(.internal, "opening the store at \(path) failed: \(error)")
    }

    static func readHead(_ env: Environment, _ log: LogTables) throws(TimelineError) -> ChainHead {
        do { return try env.read { txn in try Self.head(in: txn, log: log) } } catch { throw StoreErrors.map(error) }
    }

    static func head(in txn: some TransactionReading, log: LogTables) throws -> ChainHead {
        // A commit whose requests were all refused stores nothing: still the empty head.
        guard let raw = try txn.get(log.meta, key: LogMetaKey.head), raw.count == 48, Keys.readUInt64(raw) > 0 else { return .empty }
        return ChainHead(
            position: Keys.readUInt64(raw), hash: Hashing.hex(raw[8..<40]),
            recordedAt: Keys.readTime(raw, at: 40)
        )
    }

    static func encodeHead(_ head: ChainHead) -> [UInt8] {
        Keys.uint64(head.position) + (Hashing.bytes(fromHex: head.hash) ?? []) + Keys.time(head.recordedAt ?? Timestamp(microseconds: 0))
    }

    /// The store's id in the log's meta, made (32 random hex digits) on the first writable open.
    private static func storeId(_ env: Environment, _ log: LogTables, create: Bool) throws(TimelineError) -> String? {
        do {
            if let stored = try env.read({ txn in try txn.get(log.meta, key: LogMetaKey.storeId).map { String(decoding: $0, as: UTF8.self) } }) {
                return stored
            }
            guard create else { return nil }
            var generator = SystemRandomNumberGenerator()
            let id = Hashing.hex((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
            try env.write { txn in try txn.put(log.meta, key: LogMetaKey.storeId, value: Array(id.utf8)) }
            return id
        } catch {
            throw StoreErrors.map(error)
        }
    }

    private static func writeLogFormat(_ env: Environment, _ log: LogTables) throws(TimelineError) {
        do {
            let stored: UInt64? = try env.read { txn in try txn.get(log.meta, key: LogMetaKey.formatVersion).map { Keys.readUInt64($0) } }
            if let stored, stored != logFormatVersion {
                throw TimelineError(.internal, "the log in \(env.path) is of format \(stored); this daemon reads format \(logFormatVersion)")
            }
            if stored == nil {
                try env.write { txn in try txn.put(log.meta, key: LogMetaKey.formatVersion, value: Keys.uint64(logFormatVersion)) }
            }
        } catch let error as TimelineError {
            throw error
        } catch {
            throw StoreErrors.map(error)
        }
    }

    /// `applied` of a views environment: the last log record it reflects.
    static func readApplied(_ env: Environment, _ tables: ViewTables) throws(TimelineError) -> ChainHead {
        do {
            return try env.read { txn in try Self.applied(in: txn, tables: tables) }
        } catch {
            throw StoreErrors.map(error)
        }
    }

    static func applied(in txn: some TransactionReading, tables: ViewTables) throws -> ChainHead {
        guard let raw = try txn.get(tables.meta, key: ViewStateKey.applied), raw.count == 40 || raw.count == 48 else { return .empty }
        let position = Keys.readUInt64(raw)
        return position == 0
            ? .empty : ChainHead(position: position, hash: Hashing.hex(raw[8..<40]), recordedAt: raw.count == 48 ? Keys.readTime(raw, at: 40) : nil)
    }

    /// `applied` as stored: the record's position, hash and recordedAt, like the log's head.
    static func encodeApplied(_ head: ChainHead) -> [UInt8] { encodeHead(head) }

    static func encodeTimerSettings(_ t: TimerSettings) -> [UInt8] {
        Keys.uint64(UInt64(bitPattern: t.autoEscalateHours)) + Keys.uint64(UInt64(bitPattern: t.autoConfirmHours))
    }

    static func decodeTimerSettings(_ raw: UnsafeRawBufferPointer) -> TimerSettings? {
        guard raw.count == 16 else { return nil }
        return TimerSettings(autoEscalateHours: Int64(bitPattern: Keys.readUInt64(raw)), autoConfirmHours: Int64(bitPattern: Keys.readUInt64(raw, at: 8)))
    }

    // MARK: - Transactions with errors mapped to TimelineError

    /// Runs `body` in a read snapshot of views/ and then of log/ (in that order,
    /// so the log holds at least every record views/ names); LMDB and decoding
    /// failures become `internal`.
    func reading<T>(_ body: (StoreSnapshot) throws -> T) throws(TimelineError) -> T {
        do {
            return try viewsEnv.read { views in
                try logEnv.read { logTxn in try body(StoreSnapshot(views: views, log: logTxn, viewTables: viewTables, logTables: log)) }
            }
        } catch let error as TimelineError {
            throw error
        } catch {
            throw StoreErrors.map(error)
        }
    }

    // MARK: - Maintenance

    /// Clears reader slots left by dead processes (a reader killed inside its
    /// read transaction) in both environments; returns how many. Until cleared,
    /// such a slot pins its snapshot, so LMDB cannot reuse pages freed after it.
    @discardableResult
    public func readerCheck() -> Int { ((try? logEnv.readerCheck()) ?? 0) + ((try? viewsEnv.readerCheck()) ?? 0) }

    /// Reader slot figures for `stats`: the slots the lock files hold and the
    /// slots of dead readers cleared since the store was opened.
    public var readerFigures: (maxReaders: Int, staleCleared: Int) {
        (logEnv.info.maxReaders, logEnv.staleReadersCleared + viewsEnv.staleReadersCleared)
    }

    /// Flushes both environments to disk (the log with `relaxed` durability on a
    /// timer; views/ at shutdown).
    public func sync() throws(TimelineError) {
        do {
            try logEnv.sync(force: true)
            try viewsEnv.sync(force: true)
        } catch {
            throw StoreErrors.map(error)
        }
    }

    /// Size figures for `stats`: both environments together.
    public var mapFigures: (mapSize: Int, used: Int) {
        let e = mapFiguresByEnvironment
        return (e.log.mapSize + e.views.mapSize, e.log.used + e.views.used)
    }

    /// Size figures of log/ and of views/ apart (the metrics' `env` label).
    public var mapFiguresByEnvironment: (log: (mapSize: Int, used: Int), views: (mapSize: Int, used: Int)) {
        let l = logEnv.info, v = viewsEnv.info
        return ((l.mapSize, l.usedBytes), (v.mapSize, v.usedBytes))
    }
}

/// What opening a store did to bring views/ up to the log.
public struct RecoveryReport: Sendable {
    /// The kind of work.
    public enum Action: String, Sendable {
        /// views/ was already up to date (or the store was opened read-only).
        case none
        /// The log records views/ had not applied were applied (after kill -9).
        case replayed
        /// views/ was rebuilt from the log into a fresh environment and swapped in.
        case rebuilt
    }

    public var action: Action
    /// Why views/ was rebuilt.
    public var reason: String?
    /// Records replayed or rebuilt from.
    public var events: UInt64
    public var seconds: Double
}

/// One consistent read of both environments: views/ first, then the log, so
/// the log holds every record views/ names.
struct StoreSnapshot {
    let views: ReadTransaction
    let log: ReadTransaction
    let viewTables: ViewTables
    let logTables: LogTables
}

extension TimelineStore {
    /// The version views/ is derived with; a store whose views/ has another is rebuilt at open.
    public static var projectionVersion: UInt64 { ViewsState.formatVersion }
}
