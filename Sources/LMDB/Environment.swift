import CLMDB
import Dispatch
import Synchronization

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
///
/// Reader slots: a process killed inside a read transaction leaves its slot
/// taken (and its snapshot pinned) until someone runs ``readerCheck()``. A read
/// transaction that finds every slot taken runs the check itself and retries
/// once, so dead readers never make reads fail while a slot can be reclaimed.
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
        /// Write through a writable memory map (fewer copies; a stray write can corrupt the map).
        public static let writeMap = Flags(rawValue: UInt32(MDB_WRITEMAP))
        /// With ``writeMap``: flush asynchronously when syncing.
        public static let mapAsync = Flags(rawValue: UInt32(MDB_MAPASYNC))
        /// The path names the data file itself, not a directory.
        public static let noSubdirectory = Flags(rawValue: UInt32(MDB_NOSUBDIR))
    }

    let handle: OpaquePointer
    private let resizeLock = ReaderWriterLock()
    /// Whether the environment was opened read-only.
    public let isReadOnly: Bool
    /// The path the environment was opened at.
    public let path: String
    private let clearedReaders = Atomic<Int>(0)
    /// Copies (``copy(to:compact:)``) running now; each holds a read transaction throughout.
    private let copiesRunning = Atomic<Int>(0)
    /// Transactions of this process open now.
    private let openTransactions = Atomic<Int>(0)

    /// Our own descriptor of `lock.mdb` (-1 when none), held open until after
    /// `mdb_env_close`: closing any descriptor of a file drops every POSIX lock
    /// this process holds on it, LMDB's included.
    private let lockFile: Int32

    /// Opens (creating if needed, unless read-only) the environment at `path`.
    public init(
        path: String, flags: Flags = [], mapSize: Int, maxDatabases: Int = 16, maxReaders: Int = 256, mode: mode_t = 0o640
    ) throws(LMDBError) {
        var env: OpaquePointer?
        try LMDBError.check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(code: EINVAL, operation: "mdb_env_create") }
        var lockFile: Int32 = -1
        do {
            try LMDBError.check(mdb_env_set_mapsize(env, mapSize), "mdb_env_set_mapsize")
            try LMDBError.check(mdb_env_set_maxdbs(env, MDB_dbi(maxDatabases)), "mdb_env_set_maxdbs")
            try LMDBError.check(mdb_env_set_maxreaders(env, UInt32(maxReaders)), "mdb_env_set_maxreaders")
            try LMDBError.check(mdb_env_open(env, path, flags.rawValue | UInt32(MDB_NOTLS), mode), "mdb_env_open(\(path))")
            if !flags.contains(.readOnly) {
                lockFile = open(flags.contains(.noSubdirectory) ? path + "-lock" : path + "/lock.mdb", O_RDWR | O_CLOEXEC)
                try Self.allocate(lockFile, path: path)
            }
        } catch {
            mdb_env_close(env)
            if lockFile >= 0 { close(lockFile) }
            throw error
        }
        self.handle = env
        self.lockFile = lockFile
        self.isReadOnly = flags.contains(.readOnly)
        self.path = path
    }

    deinit {
        mdb_env_close(handle)
        if lockFile >= 0 { close(lockFile) }
    }

    /// LMDB writes reader slots through a shared map of the lock file, which it
    /// only `ftruncate`s: on a full filesystem (a tmpfs above all) the first write
    /// to a never-touched page of that sparse file raises SIGBUS. Allocating the
    /// file's blocks at open makes every later slot write safe; a full disk fails
    /// the open instead. Filesystems without fallocate keep LMDB's own behaviour.
    private static func allocate(_ lockFile: Int32, path: String) throws(LMDBError) {
        guard lockFile >= 0 else { return }  // no lock file (MDB_NOLOCK): nothing to allocate
        var st = stat()
        guard fstat(lockFile, &st) == 0, st.st_size > 0 else { return }
        let rc = posix_fallocate(lockFile, 0, st.st_size)
        if rc == ENOSPC || rc == EDQUOT { throw LMDBError(code: rc, operation: "posix_fallocate(lock file of \(path))") }
    }

    // MARK: - Transactions

    /// Runs `body` in a read-only snapshot. The buffers it reads are valid only inside `body`.
    public func read<T>(_ body: (ReadTransaction) throws -> T) throws -> T {
        let txn = try beginTransaction(readOnly: true)
        defer { endTransaction { mdb_txn_abort(txn) } }
        return try body(ReadTransaction(handle: txn))
    }

    /// Runs `body` in the write transaction and commits it if `body` returns;
    /// if `body` throws, nothing it wrote is kept. LMDB allows one writer at a time:
    /// call this from one thread, synchronously, never across an `await`.
    public func write<T>(_ body: (WriteTransaction) throws -> T) throws -> T {
        try timedWrite(body).result
    }

    /// ``write(_:)`` that also says how long `mdb_txn_commit` took: the page
    /// writes and, unless the environment is `MDB_NOSYNC`, the fsync.
    public func timedWrite<T>(_ body: (WriteTransaction) throws -> T) throws -> (result: T, commitNanoseconds: Int64) {
        let txn = try beginTransaction(readOnly: false)
        let result: T
        do {
            result = try body(WriteTransaction(handle: txn))
        } catch {
            endTransaction { mdb_txn_abort(txn) }
            throw error
        }
        let started = DispatchTime.now().uptimeNanoseconds
        try endTransaction { try LMDBError.check(mdb_txn_commit(txn), "mdb_txn_commit") }
        return (result, Int64(DispatchTime.now().uptimeNanoseconds - started))
    }

    /// Begins a transaction and returns with the resize lock held shared (release
    /// it with ``endTransaction(_:)``).
    ///
    /// `MDB_MAP_RESIZED` (another process grew the map) means this process must
    /// remap, which is safe only while none of its transactions is open: the
    /// remap waits for them under the exclusive lock. A thread that already has
    /// a transaction of this environment open would wait for itself, so while
    /// any is open the begin fails with `mapResized` instead (open read-only
    /// environments with the writer's largest map size to make this rare).
    private func beginTransaction(readOnly: Bool) throws(LMDBError) -> OpaquePointer {
        let flags = readOnly ? UInt32(MDB_RDONLY) : 0
        var txn: OpaquePointer?
        resizeLock.lockShared()
        var rc = mdb_txn_begin(handle, nil, flags, &txn)
        if rc == MDB_MAP_RESIZED {
            resizeLock.unlock()
            guard openTransactions.load(ordering: .acquiring) == 0 else {
                throw LMDBError(code: MDB_MAP_RESIZED, operation: "mdb_txn_begin (another process grew the map while this one reads; run again)")
            }
            resizeLock.lockExclusive()
            let remapped = mdb_env_set_mapsize(handle, 0)
            resizeLock.unlock()
            try LMDBError.check(remapped, "mdb_env_set_mapsize")
            resizeLock.lockShared()
            rc = mdb_txn_begin(handle, nil, flags, &txn)
        }
        if rc == MDB_READERS_FULL, (try? readerCheck()).map({ $0 > 0 }) == true {
            // Slots of dead processes were reclaimed: one of them is ours now.
            rc = mdb_txn_begin(handle, nil, flags, &txn)
        }
        guard rc == MDB_SUCCESS, let txn else {
            resizeLock.unlock()
            throw LMDBError(code: rc == MDB_SUCCESS ? EINVAL : rc, operation: "mdb_txn_begin")
        }
        openTransactions.add(1, ordering: .releasing)
        return txn
    }

    /// Ends a transaction begun by ``beginTransaction(readOnly:)`` with `finish`
    /// (commit or abort), then releases the resize lock.
    private func endTransaction<T, E: Error>(_ finish: () throws(E) -> T) throws(E) -> T {
        defer {
            openTransactions.subtract(1, ordering: .releasing)
            resizeLock.unlock()
        }
        return try finish()
    }

    // MARK: - Databases

    /// Opens the named database, creating it when `create` is set (needs a writable environment).
    public func openDatabase(named name: String, create: Bool = true) throws -> Database {
        if create && !isReadOnly {
            return try write { txn in try Database(transaction: txn.handle, name: name, create: true) }
        }
        // A handle opened in a read transaction survives only if that transaction commits.
        let txn = try beginTransaction(readOnly: true)
        let database: Database
        do {
            database = try Database(transaction: txn, name: name, create: false)
        } catch {
            endTransaction { mdb_txn_abort(txn) }
            throw error
        }
        try endTransaction { try LMDBError.check(mdb_txn_commit(txn), "mdb_txn_commit") }
        return database
    }

    // MARK: - Size and maintenance

    /// The map's current size, the last used page and the page size. Reads the
    /// meta pages through the map, so it waits while another thread grows it;
    /// do not read it inside a transaction of this environment.
    public var info: Info {
        resizeLock.lockShared()
        defer { resizeLock.unlock() }
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

    /// Grows (or adopts) the map size to at least `bytes`; never shrinks it, so
    /// two threads growing at once end with the larger map. Waits until this
    /// process has no open transaction.
    public func setMapSize(_ bytes: Int) throws(LMDBError) {
        resizeLock.lockExclusive()
        defer { resizeLock.unlock() }
        var envInfo = MDB_envinfo()
        mdb_env_info(handle, &envInfo)
        guard bytes > envInfo.me_mapsize else { return }
        try LMDBError.check(mdb_env_set_mapsize(handle, bytes), "mdb_env_set_mapsize")
    }

    /// Whether a ``copy(to:compact:)`` runs now: a map resize would wait for it
    /// (and every transaction begun meanwhile would wait for the resize).
    public var isCopying: Bool { copiesRunning.load(ordering: .relaxed) > 0 }

    /// Clears reader slots left by dead processes; returns how many were cleared.
    @discardableResult
    public func readerCheck() throws(LMDBError) -> Int {
        var dead: Int32 = 0
        try LMDBError.check(mdb_reader_check(handle, &dead), "mdb_reader_check")
        if dead > 0 { clearedReaders.add(Int(dead), ordering: .relaxed) }
        return Int(dead)
    }

    /// Reader slots of dead processes this environment cleared since it was opened
    /// (by ``readerCheck()``, including the checks reads run when every slot is taken).
    public var staleReadersCleared: Int { clearedReaders.load(ordering: .relaxed) }

    /// Flushes buffers to disk (`force` even with `noSync`).
    public func sync(force: Bool = true) throws(LMDBError) {
        try LMDBError.check(mdb_env_sync(handle, force ? 1 : 0), "mdb_env_sync")
    }

    /// Writes a consistent copy of the environment into the existing, empty
    /// directory `path`, optionally compacted (free pages omitted). Runs beside writers.
    public func copy(to path: String, compact: Bool) throws(LMDBError) {
        copiesRunning.add(1, ordering: .relaxed)
        resizeLock.lockShared()
        defer {
            resizeLock.unlock()
            copiesRunning.subtract(1, ordering: .relaxed)
        }
        try LMDBError.check(mdb_env_copy2(handle, path, compact ? UInt32(MDB_CP_COMPACT) : 0), "mdb_env_copy2(\(path))")
    }
}
