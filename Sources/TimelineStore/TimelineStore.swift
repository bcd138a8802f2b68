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

/// The event store on LMDB: the append-only log with its indexes, evidence
/// blobs, and the projections kept in step with it.
///
/// Thread rule: ``commit(_:)``, ``rebuildProjections()`` and map growth run on
/// one writer thread at a time (the daemon's group committer); every read
/// method may be called from any thread concurrently, including while a commit runs.
public final class TimelineStore: Sendable {
    /// Bumped whenever the projection tables' layout or reducers change; a
    /// store opened with another version rebuilds its projections.
    public static let projectionVersion: UInt64 = 2
    static let formatVersion: UInt64 = 1

    let env: Environment
    let tables: Tables
    public let configuration: StoreConfiguration
    /// The moderation policy used for new chat messages.
    public let moderation: ModerationHolder
    let headMirror: Mutex<ChainHead>
    /// Committed order states the writer touched recently (writer-side cache;
    /// it only ever holds what is committed). Cleared by a rebuild.
    let stateCache = Mutex<[String: OrderState]>([:])
    static let stateCacheLimit = 100_000

    /// Opens (or creates) the store at `configuration.path`; rebuilds the
    /// projections when their version changed.
    public init(configuration: StoreConfiguration, moderation: ModerationHolder = ModerationHolder()) throws(TimelineError) {
        self.configuration = configuration
        self.moderation = moderation
        if !configuration.readOnly {
            mkdir(configuration.path, 0o750)
        }
        do {
            var flags: Environment.Flags = [.noReadahead]
            if configuration.readOnly { flags.insert(.readOnly) }
            if configuration.durability == .relaxed { flags.insert(.noSync) }
            env = try Environment(
                path: configuration.path, flags: flags, mapSize: configuration.initialMapSizeBytes,
                maxDatabases: Tables.count + 2, maxReaders: configuration.maxReaders
            )
            if !configuration.readOnly {
                // Adopt a map larger than the configured start size, left by an earlier run.
                try env.setMapSize(max(configuration.initialMapSizeBytes, env.info.mapSize))
                try env.readerCheck()
            }
            tables = try Tables(environment: env, create: !configuration.readOnly)
        } catch let error as LMDBError {
            throw StoreErrors.open(error, path: configuration.path)
        } catch {
            throw TimelineError(.internal, "opening the store at \(configuration.path) failed: \(error)")
        }
        headMirror = Mutex(.empty)
        let head = try readHead()
        headMirror.withLock { $0 = head }
        if !configuration.readOnly { try migrateIfNeeded() }
    }

    /// The head as of the last commit.
    public var head: ChainHead { headMirror.withLock { $0 } }

    /// Reads the head from the store (not the in-memory mirror).
    func readHead() throws(TimelineError) -> ChainHead {
        try reading { txn in try Self.head(in: txn, tables: self.tables) }
    }

    static func head(in txn: some TransactionReading, tables: Tables) throws -> ChainHead {
        // A commit whose requests were all refused stores position 0 with no time: still the empty head.
        guard let raw = try txn.get(tables.meta, key: MetaKey.head), raw.count == 48, Keys.readUInt64(raw) > 0 else { return .empty }
        return ChainHead(
            position: Keys.readUInt64(raw), hash: Hashing.hex(raw[8..<40]),
            recordedAt: Keys.readTime(raw, at: 40)
        )
    }

    static func encodeHead(_ head: ChainHead) -> [UInt8] {
        Keys.uint64(head.position) + (Hashing.bytes(fromHex: head.hash) ?? []) + Keys.time(head.recordedAt ?? Timestamp(microseconds: 0))
    }

    /// Rebuilds the projections when their version changed, or when the timer
    /// settings differ from those the timer table was derived with (so a changed
    /// `timers.*` setting applies to every order, not only to orders that change later).
    private func migrateIfNeeded() throws(TimelineError) {
        let (version, timers): (UInt64?, TimerSettings?) = try reading { txn in
            (try txn.get(self.tables.meta, key: MetaKey.projectionVersion).map { Keys.readUInt64($0) },
             try txn.get(self.tables.meta, key: MetaKey.timerSettings).flatMap(Self.decodeTimerSettings))
        }
        guard version != Self.projectionVersion || timers != configuration.timers else { return }
        if head.position > 0 {
            _ = try rebuildProjections()
        } else {
            try writing { txn in try self.writeProjectionMeta(txn) }
        }
    }

    /// The projection version, format version and timer settings the projections now follow.
    func writeProjectionMeta(_ txn: WriteTransaction) throws {
        try txn.put(tables.meta, key: MetaKey.projectionVersion, value: Keys.uint64(Self.projectionVersion))
        try txn.put(tables.meta, key: MetaKey.formatVersion, value: Keys.uint64(Self.formatVersion))
        try txn.put(tables.meta, key: MetaKey.timerSettings, value: Self.encodeTimerSettings(configuration.timers))
    }

    static func encodeTimerSettings(_ t: TimerSettings) -> [UInt8] {
        Keys.uint64(UInt64(bitPattern: t.autoEscalateHours)) + Keys.uint64(UInt64(bitPattern: t.autoConfirmHours))
    }

    static func decodeTimerSettings(_ raw: UnsafeRawBufferPointer) -> TimerSettings? {
        guard raw.count == 16 else { return nil }
        return TimerSettings(autoEscalateHours: Int64(bitPattern: Keys.readUInt64(raw)), autoConfirmHours: Int64(bitPattern: Keys.readUInt64(raw, at: 8)))
    }

    // MARK: - Transactions with errors mapped to TimelineError

    /// Runs `body` in a read snapshot; LMDB and decoding failures become `internal`.
    func reading<T>(_ body: (ReadTransaction) throws -> T) throws(TimelineError) -> T {
        do {
            return try env.read(body)
        } catch let error as TimelineError {
            throw error
        } catch {
            throw StoreErrors.map(error)
        }
    }

    /// Runs `body` in the write transaction (writer thread only).
    func writing<T>(_ body: (WriteTransaction) throws -> T) throws(TimelineError) -> T {
        do {
            return try env.write(body)
        } catch let error as TimelineError {
            throw error
        } catch {
            throw StoreErrors.commitFailure(error, path: configuration.path, bytesNeeded: 0)
        }
    }

    // MARK: - Maintenance

    /// Clears reader slots left by dead processes (a reader killed inside its
    /// read transaction); returns how many. Until cleared, such a slot pins its
    /// snapshot, so LMDB cannot reuse pages freed after it and the map grows.
    @discardableResult
    public func readerCheck() -> Int { (try? env.readerCheck()) ?? 0 }

    /// Reader slot figures for `stats`: the slots the lock file holds and the
    /// slots of dead readers cleared since the store was opened.
    public var readerFigures: (maxReaders: Int, staleCleared: Int) {
        (env.info.maxReaders, env.staleReadersCleared)
    }

    /// Flushes to disk (used with `relaxed` durability on a timer and at shutdown).
    public func sync() throws(TimelineError) {
        do { try env.sync(force: true) } catch { throw StoreErrors.map(error) }
    }

    /// Writes a consistent, compacted copy of the store into `directory`
    /// (created if missing; must be empty). Runs beside appends.
    public func backup(to directory: String) throws(TimelineError) -> (bytes: Int, head: ChainHead) {
        mkdir(directory, 0o750)
        do {
            try env.copy(to: directory, compact: true)
        } catch {
            throw TimelineError(.internal, "the backup to \(directory) failed: \(error.message); give an empty directory the daemon can write")
        }
        var st = stat()
        let bytes = stat(directory + "/data.mdb", &st) == 0 ? Int(st.st_size) : 0
        // The copy is a snapshot taken while appends went on: report its own head.
        var copyConfiguration = StoreConfiguration(path: directory)
        copyConfiguration.readOnly = true
        let copy = try TimelineStore(configuration: copyConfiguration)
        return (bytes, copy.head)
    }

    /// Size figures for `stats`.
    public var mapFigures: (mapSize: Int, used: Int) {
        let info = env.info
        return (info.mapSize, info.usedBytes)
    }
}
