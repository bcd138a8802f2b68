import CLMDB

/// What every transaction can do: read keys and open cursors.
/// Buffers returned are valid until the transaction ends.
public protocol TransactionReading {
    /// The raw `MDB_txn` handle.
    var handle: OpaquePointer { get }
}

extension TransactionReading {
    /// The value stored under `key`, or `nil` when absent.
    public func get(_ db: Database, key: UnsafeRawBufferPointer) throws(LMDBError) -> UnsafeRawBufferPointer? {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(handle, db.dbi, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc, "mdb_get")
        return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    /// The value stored under `key`, or `nil` when absent.
    public func get(_ db: Database, key: [UInt8]) throws(LMDBError) -> UnsafeRawBufferPointer? {
        let result: Result<UnsafeRawBufferPointer?, LMDBError> = key.withUnsafeBytes { k in
            do throws(LMDBError) { return .success(try get(db, key: k)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// A cursor over `db`, closed when `body` returns.
    public func withCursor<T>(_ db: Database, _ body: (inout Cursor) throws -> T) throws -> T {
        var cursorHandle: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(handle, db.dbi, &cursorHandle), "mdb_cursor_open")
        guard let cursorHandle else { throw LMDBError(code: MDB_INVALID, operation: "mdb_cursor_open") }
        defer { mdb_cursor_close(cursorHandle) }
        var cursor = Cursor(handle: cursorHandle)
        return try body(&cursor)
    }

    /// The number of entries in `db`.
    public func count(_ db: Database) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(handle, db.dbi, &stat), "mdb_stat")
        return stat.ms_entries
    }

    /// The id of the committed state this transaction reads (`mdb_txn_id`): two read
    /// transactions with the same id see the very same data.
    public var snapshotID: Int { mdb_txn_id(handle) }
}

/// A read-only snapshot. Never outlives the ``Environment/read(_:)`` call that made it.
public struct ReadTransaction: TransactionReading {
    public let handle: OpaquePointer
}

/// The single write transaction. Never outlives the ``Environment/write(_:)`` call that made it.
public struct WriteTransaction: TransactionReading {
    public let handle: OpaquePointer

    /// Stores `value` under `key`.
    public func put(_ db: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: PutFlags = []) throws(LMDBError) {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try LMDBError.check(mdb_put(handle, db.dbi, &k, &v, flags.rawValue), "mdb_put")
    }

    /// Stores `value` under `key`.
    public func put(_ db: Database, key: [UInt8], value: [UInt8], flags: PutFlags = []) throws(LMDBError) {
        let error: LMDBError? = key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in
                do throws(LMDBError) { try put(db, key: k, value: v, flags: flags); return nil } catch { return error }
            }
        }
        if let error { throw error }
    }

    /// Removes `key`; returns `false` when it was not there.
    @discardableResult
    public func delete(_ db: Database, key: [UInt8]) throws(LMDBError) -> Bool {
        let rc: Int32 = key.withUnsafeBytes { k in
            var kv = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            return mdb_del(handle, db.dbi, &kv, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        try LMDBError.check(rc, "mdb_del")
        return true
    }

    /// Removes every entry of `db`, keeping the database itself.
    public func clear(_ db: Database) throws(LMDBError) {
        try LMDBError.check(mdb_drop(handle, db.dbi, 0), "mdb_drop")
    }
}
