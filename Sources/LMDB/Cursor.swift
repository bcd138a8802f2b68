import CLMDB

/// A position in a database, moved by key order. Entries it returns are
/// valid until the transaction ends.
public struct Cursor {
    let handle: OpaquePointer

    /// One key/value pair.
    public typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    private func move(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws(LMDBError) -> Entry? {
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val()
        let rc = mdb_cursor_get(handle, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc, "mdb_cursor_get")
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// The first entry.
    public mutating func first() throws(LMDBError) -> Entry? { try move(MDB_FIRST) }
    /// The last entry.
    public mutating func last() throws(LMDBError) -> Entry? { try move(MDB_LAST) }
    /// The entry after the current one.
    public mutating func next() throws(LMDBError) -> Entry? { try move(MDB_NEXT) }
    /// The entry before the current one.
    public mutating func previous() throws(LMDBError) -> Entry? { try move(MDB_PREV) }
    /// The first entry whose key is ≥ `key` (the first entry for an empty key,
    /// which LMDB itself refuses with `badValueSize`).
    public mutating func seek(atLeast key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        if key.isEmpty { return try first() }
        return try move(MDB_SET_RANGE, key: key)
    }

    /// The first entry whose key is ≥ `key`.
    public mutating func seek(atLeast key: [UInt8]) throws(LMDBError) -> Entry? {
        let result: Result<Entry?, LMDBError> = key.withUnsafeBytes { k in
            do throws(LMDBError) { return .success(try seek(atLeast: k)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The last entry whose key is ≤ `key`.
    public mutating func seek(atMost key: [UInt8]) throws(LMDBError) -> Entry? {
        guard let entry = try seek(atLeast: key) else { return try last() }
        if entry.key.elementsEqual(key) { return entry }
        return try previous()
    }
}
