import LMDB
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// What ``StoreMigration/migrate(dataDirectory:progress:)`` did.
public struct MigrationReport: Sendable, Equatable {
    /// Records copied into `log/` (0 when an earlier run had already copied them).
    public var records: Int
    /// Evidence blobs copied into `log/`.
    public var blobs: Int
    /// The head of the migrated log (the old store's head).
    public var head: ChainHead
    /// Where the old single-environment files were moved (delete it once
    /// `timeline-audit verify` is clean on the migrated directory).
    public var retired: String
}

/// Converts a data directory of the single-environment layout (`data.mdb` in
/// the directory itself: log, indexes and projections in one env) into the v2
/// layout: the log's records, blobs and head are copied byte for byte into a
/// fresh `log/` environment; everything else is derived, so it is not copied
/// (the daemon rebuilds `views/` from the log at its first start).
///
/// Offline and crash-safe: it holds the data directory's lock (a running
/// daemon makes it refuse), builds `log.migrating/`, syncs it, compares it
/// with the old log, renames it to `log/`, and only then moves the old files
/// to `pre-v2/`. A run interrupted at any point is simply run again.
public enum StoreMigration {
    /// The old layout's tables this migration reads.
    private static let oldRecords = "log", oldBlobs = "blobs", oldMeta = "meta"
    private static let chunk = 20_000

    /// Migrates `dataDirectory`; `progress` is called with (records copied, records in total).
    public static func migrate(
        dataDirectory root: String, progress: (Int, Int) -> Void = { _, _ in }
    ) throws(TimelineError) -> MigrationReport {
        let layout = DataLayout(root: root)
        let lock = try DataDirectoryLock(directory: root)
        defer { withExtendedLifetime(lock) {} }
        let retired = root + "/pre-v2"
        guard layout.holdsSingleEnvironmentStore else {
            if layout.holdsStore {
                throw TimelineError(.badRequest, "\(root) is already in the v2 layout (log/ and views/); nothing to migrate")
            }
            throw TimelineError(.notFound, "\(root) holds no store (no data.mdb); give the daemon's dataDirectory")
        }
        do {
            let old = try Environment(
                path: root, flags: [.readOnly, .noReadahead], mapSize: max(FileSystem.size(root + "/data.mdb"), 1 << 20), maxDatabases: 16
            )
            let oldRecords = try old.openDatabase(named: Self.oldRecords, create: false)
            let oldBlobs = try old.openDatabase(named: Self.oldBlobs, create: false)
            let oldMeta = try old.openDatabase(named: Self.oldMeta, create: false)
            var report = MigrationReport(records: 0, blobs: 0, head: .empty, retired: retired)
            if !layout.holdsStore {
                // Never reuse a half-built copy: start it again from nothing.
                let building = root + "/log.migrating"
                FileSystem.removeFlatDirectory(building)
                FileSystem.makeDirectory(building)
                let fresh = try Environment(path: building, mapSize: max(old.info.mapSize, 1 << 26), maxDatabases: LogTables.count + 2)
                let log = try LogTables(environment: fresh, create: true)
                (report.records, report.blobs) = try old.read { source in
                    let total = try source.count(oldRecords)
                    let records = try copy(oldRecords, of: source, into: log.records, of: fresh, flags: .append) { progress($0, total) }
                    let blobs = try copy(oldBlobs, of: source, into: log.blobs, of: fresh, flags: []) { _ in }
                    try fresh.write { txn in
                        if let head = try source.get(oldMeta, key: LogMetaKey.head) {
                            try txn.put(log.meta, key: LogMetaKey.head, value: Array(head))
                        }
                        try txn.put(log.meta, key: LogMetaKey.formatVersion, value: Keys.uint64(TimelineStore.logFormatVersion))
                    }
                    return (records, blobs)
                }
                try fresh.sync(force: true)
                try compare(old, oldRecords, oldBlobs, oldMeta, with: fresh, log)
                guard rename(building, layout.log) == 0 else {
                    throw TimelineError(.internal, "cannot rename \(building) to \(layout.log): \(String(cString: strerror(errno)))")
                }
                FileSystem.syncDirectory(of: layout.log)
            }
            // log/ is whole (built now, or by a run interrupted after its rename): check it and retire the old files.
            let migrated = try Environment(
                path: layout.log, flags: [.readOnly], mapSize: max(FileSystem.size(layout.log + "/data.mdb"), 1 << 20), maxDatabases: LogTables.count + 2
            )
            let log = try LogTables(environment: migrated, create: false)
            try compare(old, oldRecords, oldBlobs, oldMeta, with: migrated, log)
            report.head = try TimelineStore.readHead(migrated, log)
            FileSystem.makeDirectory(retired)
            for name in ["data.mdb", "lock.mdb"] where FileSystem.exists(root + "/" + name) {
                guard rename(root + "/" + name, retired + "/" + name) == 0 else {
                    throw TimelineError(.internal, "cannot move \(root)/\(name) to \(retired): \(String(cString: strerror(errno)))")
                }
            }
            FileSystem.syncDirectory(of: retired + "/data.mdb")
            FileSystem.syncDirectory(of: root + "/data.mdb")
            return report
        } catch let error as TimelineError {
            throw error
        } catch {
            throw TimelineError(.internal, "migrating \(root) failed: \(error); the old data.mdb is untouched, fix the cause and run the migration again")
        }
    }

    /// Copies every entry of `table` into `target`, `chunk` entries per write transaction.
    private static func copy(
        _ table: Database, of source: ReadTransaction, into target: Database, of env: Environment, flags: PutFlags,
        progress: (Int) -> Void
    ) throws -> Int {
        var copied = 0
        try source.withCursor(table) { cursor in
            var entry = try cursor.first()
            while entry != nil {
                try env.write { txn in
                    var n = 0
                    while let e = entry, n < chunk {
                        try txn.put(target, key: e.key, value: e.value, flags: flags)
                        n += 1
                        entry = try cursor.next()
                    }
                    copied += n
                }
                progress(copied)
            }
        }
        return copied
    }

    /// Fails unless the migrated log holds exactly the old log: every record
    /// and every blob with the same key and the same bytes, and the same head.
    private static func compare(
        _ old: Environment, _ oldRecords: Database, _ oldBlobs: Database, _ oldMeta: Database, with env: Environment, _ log: LogTables
    ) throws {
        let difference: String? = try old.read { a in
            try env.read { b in
                let headA = try a.get(oldMeta, key: LogMetaKey.head).map(Array.init)
                let headB = try b.get(log.meta, key: LogMetaKey.head).map(Array.init)
                guard headA == headB else { return "the head" }
                if let key = try firstDifference(oldRecords, of: a, log.records, of: b) { return "the record at key \(Hashing.hex(key))" }
                if let key = try firstDifference(oldBlobs, of: a, log.blobs, of: b) { return "the blob at key \(Hashing.hex(key))" }
                return nil
            }
        }
        if let difference {
            throw TimelineError(.internal, "the migrated log in \(env.path) differs from the old store (\(difference)); the old data.mdb is untouched")
        }
    }

    /// Walks both tables in key order; the first key where they differ (an
    /// entry missing on either side or other bytes), or `nil` when they are equal.
    private static func firstDifference(_ left: Database, of a: ReadTransaction, _ right: Database, of b: ReadTransaction) throws -> [UInt8]? {
        try a.withCursor(left) { ca in
            try b.withCursor(right) { cb in
                var ea = try ca.first(), eb = try cb.first()
                while true {
                    switch (ea, eb) {
                    case (nil, nil):
                        return nil
                    case (let x?, nil):
                        return Array(x.key)
                    case (nil, let y?):
                        return Array(y.key)
                    case (let x?, let y?):
                        guard x.key.elementsEqual(y.key), x.value.elementsEqual(y.value) else { return Array(x.key) }
                    }
                    ea = try ca.next()
                    eb = try cb.next()
                }
            }
        }
    }
}
