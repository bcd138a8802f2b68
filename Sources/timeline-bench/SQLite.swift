import CSQLite

/// An error reported by SQLite: its (extended) result code, its text for the
/// code, the connection's message and the SQL that failed.
struct SQLiteError: Error, CustomStringConvertible {
    /// The extended result code (`SQLITE_BUSY` = 5, `SQLITE_CONSTRAINT_UNIQUE` = 2067, …).
    var code: Int32
    /// The primary result code (the low 8 bits of ``code``).
    var primaryCode: Int32 { code & 0xFF }
    /// SQLite's message for this failure.
    var message: String
    /// The statement or call that failed.
    var sql: String

    var description: String { "SQLite error \(code) (\(codeName)): \(message) [\(sql)]" }

    /// `sqlite3_errstr` of the code.
    var codeName: String { sqlite3_errstr(code).map { String(cString: $0) } ?? "unknown" }

    init(code: Int32, message: String, sql: String) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The connection's last error.
    init(code: Int32, connection: OpaquePointer?, sql: String) {
        let text = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        self.init(code: code, message: text ?? (sqlite3_errstr(code).map { String(cString: $0) } ?? "SQLite error \(code)"), sql: sql)
    }
}

/// One SQLite connection.
///
/// Thread rule: a connection and its statements are used by one thread only
/// (the benchmark gives each client thread its own); it is opened with
/// `SQLITE_OPEN_NOMUTEX` and is therefore not `Sendable`.
final class SQLiteConnection {
    private let handle: OpaquePointer

    /// Opens (creating if needed) the database file at `path`.
    init(path: String) throws(SQLiteError) {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let error = SQLiteError(code: rc, connection: db, sql: "sqlite3_open_v2(\(path))")
            sqlite3_close_v2(db)
            throw error
        }
        sqlite3_extended_result_codes(db, 1)
        handle = db
    }

    deinit { sqlite3_close_v2(handle) }

    /// Waits up to `milliseconds` for another connection's lock before answering `SQLITE_BUSY`.
    func setBusyTimeout(milliseconds: Int32) throws(SQLiteError) {
        try check(sqlite3_busy_timeout(handle, milliseconds), "sqlite3_busy_timeout")
    }

    /// Runs one or more statements that return no rows of interest.
    func execute(_ sql: String) throws(SQLiteError) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) }
            sqlite3_free(error)
            throw message.map { SQLiteError(code: sqlite3_extended_errcode(handle), message: $0, sql: sql) }
                ?? SQLiteError(code: rc, connection: handle, sql: sql)
        }
    }

    /// The first column of the first row of `sql` as text (for `PRAGMA` answers).
    func text(_ sql: String) throws(SQLiteError) -> String? {
        let statement = try prepare(sql)
        guard try statement.step() else { return nil }
        return statement.text(0)
    }

    /// A prepared statement on this connection.
    func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        try check(sqlite3_prepare_v2(handle, sql, -1, &statement, nil), sql)
        guard let statement else { throw SQLiteError(code: SQLITE_MISUSE, message: "no statement in the SQL", sql: sql) }
        return SQLiteStatement(handle: statement, connection: handle, sql: sql)
    }

    private func check(_ rc: Int32, _ sql: String) throws(SQLiteError) {
        if rc != SQLITE_OK { throw SQLiteError(code: rc, connection: handle, sql: sql) }
    }
}

/// A prepared statement: bind, step, read columns, reset. Same thread rule as its connection.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    let sql: String

    fileprivate init(handle: OpaquePointer, connection: OpaquePointer, sql: String) {
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// SQLite copies bound text and blobs (`SQLITE_TRANSIENT`), so the Swift buffers may go away at once.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ value: Int64) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ index: Int32, _ value: String) throws(SQLiteError) {
        try check(sqlite3_bind_text(handle, index, value, -1, Self.transient))
    }

    func bind(_ index: Int32, blob: [UInt8]) throws(SQLiteError) {
        let rc = blob.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), Self.transient) }
        try check(rc)
    }

    /// Runs the statement one step: `true` when a row is ready, `false` when done.
    @discardableResult
    func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc: throw SQLiteError(code: rc == SQLITE_ERROR ? sqlite3_extended_errcode(connection) : rc, connection: connection, sql: sql)
        }
    }

    /// Makes the statement ready to run again and clears its bindings.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Column `index` of the current row as an integer (`nil` when NULL).
    func int64(_ index: Int32) -> Int64? {
        sqlite3_column_type(handle, index) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, index)
    }

    /// Column `index` of the current row as text (`nil` when NULL).
    func text(_ index: Int32) -> String? {
        sqlite3_column_text(handle, index).map { String(cString: $0) }
    }

    private func check(_ rc: Int32) throws(SQLiteError) {
        if rc != SQLITE_OK { throw SQLiteError(code: rc, connection: connection, sql: sql) }
    }
}
