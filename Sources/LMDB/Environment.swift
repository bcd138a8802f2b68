import CLMDB

#if canImport(Glibc)
import Glibc
#endif

/// An open LMDB environment (a directory holding `data.mdb` and `lock.mdb`).
///
/// Thread rule: the environment is shared by all threads. Transactions are
/// opened with `MDB_NOTLS`, so a read transaction is not tied to its thread,
/// but each transaction is used by one thread at a time and never across an
/// `await`. Growing the map (``setMapSize(_:)``) waits until no transaction of
/// this process is open, through an internal reader/writer lock.
public final class Environment: @unchecked Sendable {
    /// Flags for ``init(path:flags:mapSize:maxDatabases:maxReaders:mode:)``.
    public struct Flags: OptionSet, Sendable {
        public var rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Do not fsync on commit (durability `relaxed`): a crash may lose the last commits, never corrupt.
        public static let noSync = Flags(rawValue: UInt32(MDB_NOSYNC))
        /// Do not fsync the meta page on commit.
        public static let noMetaSync = Flags(rawValue: UInt32(MDB_NOMETASYNC))
        /// Open read-only (an auditor beside a live daemon).
        public static let readOnly = Flags(rawValue: UInt32(MDB_RDONLY))
        /// No read-ahead: better for databases larger than memory.
        public static let noReadahead = Flags(rawValue: UInt32(MDB_NORDAHEAD))
        /// The path names the data file itself, not a directory.
        public static let noSubdirectory = Flags(rawValue: UInt32(MDB_NOSUBDIR))
    }

    let handle: OpaquePointer
    private let resizeLock = ReaderWriterLock()
    /// Whether the environment was opened read-only.
    public let isReadOnly: Bool
    /// The path the environment was opened at.
    public let path: String

    /// Opens (creating if needed, unless read-only) the environment at `path`.
    public init(
        path: String, flags: Flags = [], mapSize: Int, maxDatabases: Int = 16, maxReaders: Int = 256, mode: mode_t = 0o640
    ) throws(LMDBError) {
        var env: OpaquePointer?
        try LMDBError.check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(code: EINVAL, operation: "mdb_env_create") }
        do {
            try LMDBError.check(mdb_env_set_mapsize(env, mapSize), "mdb_env_set_mapsize")
            try LMDBError.check(mdb_env_set_maxdbs(env, MDB_dbi(maxDatabases)), "mdb_env_set_maxdbs")
            try LMDBError.check(mdb_env_set_maxreaders(env, UInt32(maxReaders)), "mdb_env_set_maxreaders")
            try LMDBError.check(mdb_env_open(env, path, flags.rawValue | UInt32(MDB_NOTLS), mode), "mdb_env_open(\(path))")
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.handle = env
        self.isReadOnly = flags.contains(.readOnly)
        self.path = path
    }

    deinit { mdb_env_close(handle) }

    // MARK: - Transactions

    /// Runs `body` in a read-only snapshot. The buffers it reads are valid only inside `body`.
    public func read<T>(_ body: (ReadTransaction) throws -> T) throws -> T {
        resizeLock.lockShared()
        defer { resizeLock.unlock() }
        let txn = try beginTransaction(readOnly: true)
        defer { mdb_txn_abort(txn) }
        return try body(ReadTransaction(handle: txn))
    }

    /// Runs `body` in the write transaction and commits it if `body` returns;
    /// if `body` throws, nothing it wrote is kept. LMDB allows one writer at a time:
    /// call this from one thread, synchronously, never across an `await`.
    public func write<T>(_ body: (WriteTransaction) throws -> T) throws -> T {
        resizeLock.lockShared()
        defer { resizeLock.unlock() }
        let txn = try beginTransaction(readOnly: false)
        let result: T
        do {
            result = try body(WriteTransaction(handle: txn))
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        try LMDBError.check(mdb_txn_commit(txn), "mdb_txn_commit")
        return result
    }

    private func beginTransaction(readOnly: Bool) throws(LMDBError) -> OpaquePointer {
        var txn: OpaquePointer?
        var rc = mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        if rc == MDB_MAP_RESIZED {
            // Another process grew the map: adopt its size and try again.
            try LMDBError.check(mdb_env_set_mapsize(handle, 0), "mdb_env_set_mapsize")
            rc = mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        }
        try LMDBError.check(rc, "mdb_txn_begin")
        guard let txn else { throw LMDBError(code: EINVAL, operation: "mdb_txn_begin") }
        return txn
    }

    // MARK: - Databases

    /// Opens the named database, creating it when `create` is set (needs a writable environment).
    public func openDatabase(named name: String, create: Bool = true) throws -> Database {
        if create && !isReadOnly {
            return try write { txn in try Database(transaction: txn.handle, name: name, create: true) }
        }
        // A handle opened in a read transaction survives only if that transaction commits.
        resizeLock.lockShared()
        defer { resizeLock.unlock() }
        let txn = try beginTransaction(readOnly: true)
        let database: Database
        do {
            database = try Database(transaction: txn, name: name, create: false)
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        try LMDBError.check(mdb_txn_commit(txn), "mdb_txn_commit")
        return database
    }

    // MARK: - Size and maintenance

    /// The map's current size, the last used page and the page size.
    public var info: Info {
        var envInfo = MDB_envinfo()
        mdb_env_info(handle, &envInfo)
        var stat = MDB_stat()
        mdb_env_stat(handle, &stat)
        return Info(
            mapSize: envInfo.me_mapsize, usedBytes: (envInfo.me_last_pgno + 1) * Int(stat.ms_psize),
            pageSize: Int(stat.ms_psize), maxReaders: Int(envInfo.me_maxreaders), readers: Int(envInfo.me_numreaders)
        )
    }

    /// Size figures of the environment.
    public struct Info: Sendable {
        /// Bytes the map may hold before it must grow.
        public var mapSize: Int
        /// Bytes up to the last page in use (free pages inside count as used).
        public var usedBytes: Int
        public var pageSize: Int
        public var maxReaders: Int
        /// Reader slots in use.
        public var readers: Int
    }

    /// Grows (or adopts) the map size. Waits until this process has no open transaction.
    public func setMapSize(_ bytes: Int) throws(LMDBError) {
        resizeLock.lockExclusive()
        defer { resizeLock.unlock() }
        try LMDBError.check(mdb_env_set_mapsize(handle, bytes), "mdb_env_set_mapsize")
    }

    /// Clears reader slots left by dead processes; returns how many were cleared.
    @discardableResult
    public func readerCheck() throws(LMDBError) -> Int {
        var dead: Int32 = 0
        try LMDBError.check(mdb_reader_check(handle, &dead), "mdb_reader_check")
        return Int(dead)
    }

    /// Flushes buffers to disk (`force` even with `noSync`).
    public func sync(force: Bool = true) throws(LMDBError) {
        try LMDBError.check(mdb_env_sync(handle, force ? 1 : 0), "mdb_env_sync")
    }

    /// Writes a consistent copy of the environment into the existing, empty
    /// directory `path`, optionally compacted (free pages omitted). Runs beside writers.
    public func copy(to path: String, compact: Bool) throws(LMDBError) {
        resizeLock.lockShared()
        defer { resizeLock.unlock() }
        try LMDBError.check(mdb_env_copy2(handle, path, compact ? UInt32(MDB_CP_COMPACT) : 0), "mdb_env_copy2(\(path))")
    }
}
